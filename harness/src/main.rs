fn main() -> std::process::ExitCode {
    // Like other Unix filters, end quietly when the reader of stdout goes
    // away (`ppcr regs | head`) instead of panicking on a failed print. QEMU
    // children die with us through their parent-death signal.
    // SAFETY: setting a signal disposition to the default is async-signal-safe
    // and happens before any thread is started.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    ppcr::cli::main()
}
