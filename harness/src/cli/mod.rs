//! Layer 8 — the `ppcr` command line: argument parsing, dispatch, exit codes.

mod args;
mod bench;
mod check;
mod checkpoint;
mod cpus;
mod exit;
mod files;
mod image;
mod library;
mod matrix;
mod probe;
mod regs;
mod render;
mod repro;
mod restore;
mod run;

pub use args::Cli;
pub use exit::ExitStatus;

use clap::Parser;
use std::process::ExitCode;

/// Runs the command line and maps the outcome to an exit code:
/// 0 success, 1 refused or check failed, 2 bad input or usage.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    ExitCode::SUCCESS
                }
                _ => ExitStatus::BadInput.into(),
            };
        }
    };
    init_tracing(cli.verbose);
    // SIGINT/SIGTERM kill every QEMU this process started before exiting.
    if let Err(e) = ppcr_qemu::install_signal_cleanup() {
        tracing::warn!("cannot install the SIGINT/SIGTERM cleanup: {e}");
    }
    match run(cli) {
        Ok(status) => status.into(),
        Err(e) => {
            eprintln!("ppcr: error: {e:#}");
            ExitStatus::BadInput.into()
        }
    }
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("PPCR_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Dispatches a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    use args::{Command, ImageCommand};
    match cli.command {
        Command::Cpus(a) if a.probe => probe::run(&a),
        Command::Cpus(a) => cpus::run(&a),
        Command::Regs(a) => regs::run(&a),
        Command::Check(a) => check::run(&a),
        Command::Image(ImageCommand::New(a)) => image::new(&a),
        Command::Image(ImageCommand::Inspect(a)) => image::inspect(&a),
        Command::Image(ImageCommand::Verify(a)) => image::verify(&a),
        Command::Image(ImageCommand::Diff(a)) => image::diff(&a),
        Command::Image(ImageCommand::Convert(a)) => image::convert(&a),
        Command::Library(c) => library::run(&c),
        Command::Matrix(a) => matrix::run(&a),
        Command::Run(a) => run::run(&a),
        Command::Checkpoint(a) => checkpoint::run(&a),
        Command::Restore(a) => restore::run(&a),
        Command::Repro(a) => repro::run(&a),
        Command::Bench(a) => bench::run(&a),
    }
}

/// The runtime for commands that drive guests.
pub(crate) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}
