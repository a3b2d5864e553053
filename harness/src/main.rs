fn main() -> std::process::ExitCode {
    ppcr::cli::main()
}
