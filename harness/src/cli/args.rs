//! The command-line grammar (clap derive).

use clap::{Args, Parser, Subcommand, ValueEnum};
use ppcr_core::format::{Flavour, RecordKind};
use ppcr_core::policy::Policy;
use std::path::PathBuf;

/// ppcr: a test harness and emulator-backed restore simulator for PowerPC
/// checkpoint/restart.
///
/// Exit status: 0 success, 1 refused or check failed, 2 bad input or usage.
#[derive(Debug, Parser)]
#[command(name = "ppcr", version, propagate_version = true)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace; or PPCR_LOG=filter).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List the CPU-model catalogue: machine, flavours, capabilities, sources.
    Cpus(CpusArgs),
    /// Decide whether an image may be restored on a target CPU.
    Check(CheckArgs),
    /// Create, inspect, verify, compare and convert images.
    #[command(subcommand)]
    Image(ImageCommand),
    /// The shared image library: list, show, store and collect images.
    #[command(subcommand)]
    Library(super::library::LibraryCommand),
    /// Run the cross-CPU matrix (every source × target × policy), merge
    /// shards, or diff against a baseline.
    Matrix(super::matrix::MatrixArgs),
    /// Boot a CPU model to its ready point and print every register its gdb stub offers.
    Regs(RegsArgs),
    /// Run a workload under QEMU to its checkpoint and write its image.
    Checkpoint(super::checkpoint::CheckpointArgs),
    /// Restore an image on a target CPU under QEMU and report the outcome.
    Restore(super::restore::RestoreArgs),
    /// Run scenario files and compare every cell with its expected class
    /// (exit 1 on any difference).
    Run(RunArgs),
    /// Reproduce one cell for a bug report: run it with guest traces and
    /// keep images, command lines, QMP/gdb transcripts, a register diff,
    /// the verdict and the outcome in a directory (docs/REPRO.md).
    Repro(super::repro::ReproArgs),
    /// Time the matrix with the warm guest pool and with a fresh QEMU per
    /// restore against QEMU's own start+quit, and QEMU's migrate/-incoming
    /// against ppcr's restore of one same-model cell.
    Bench(super::bench::BenchArgs),
}

#[derive(Debug, Args)]
pub struct RegsArgs {
    /// The CPU model.
    #[arg(long)]
    pub cpu: String,
    /// Process flavour (default: the model's first).
    #[arg(long, value_parser = parse_flavour)]
    pub flavour: Option<Flavour>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CpusArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print each model's sources too.
    #[arg(long)]
    pub sources: bool,
    /// Boot every model under QEMU, run the probe payload and compare what it
    /// measures with the catalogue (exit 1 on any disagreement).
    #[arg(long)]
    pub probe: bool,
    /// With --probe: only these models (comma list).
    #[arg(long, value_delimiter = ',', requires = "probe")]
    pub only: Vec<String>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// The image file.
    pub file: PathBuf,
    /// The target CPU model (catalogue name, QEMU alias or versioned name).
    #[arg(long)]
    pub target: String,
    /// The policy to apply.
    #[arg(long, value_enum, default_value_t = PolicyArg::Hwcap)]
    pub policy: PolicyArg,
    /// Print the verdict as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Policy names on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PolicyArg {
    /// Target capability set equals the source's.
    Strict,
    /// Every present record restorable on the target, plus flavour checks.
    Records,
    /// `records` plus every hwcap the process observed (recommended).
    Hwcap,
}

impl From<PolicyArg> for Policy {
    fn from(p: PolicyArg) -> Self {
        match p {
            PolicyArg::Strict => Policy::Strict,
            PolicyArg::Records => Policy::Records,
            PolicyArg::Hwcap => Policy::Hwcap,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Write a valid synthetic image (deterministic contents from the seed).
    New(NewArgs),
    /// Print an image's header, records and segments.
    Inspect(InspectArgs),
    /// Check an image's structure and checksum.
    Verify(VerifyArgs),
    /// Compare two images register by register (exit 1 when they differ).
    Diff(DiffArgs),
    /// Rewrite an image for a target CPU where that is lossless (DABR <-> DAWR).
    Convert(ConvertArgs),
}

#[derive(Debug, Args)]
pub struct NewArgs {
    /// Source CPU model.
    #[arg(long)]
    pub cpu: String,
    /// Process flavour.
    #[arg(long, value_parser = parse_flavour)]
    pub flavour: Flavour,
    /// Comma list of records: fpr,vmx,vsx,spe,dabr,dawr,booke-debug, or `none`.
    #[arg(long, value_parser = parse_records)]
    pub records: RecordList,
    /// Seed for the register contents.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Output file.
    #[arg(short, long)]
    pub output: PathBuf,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The image file.
    pub file: PathBuf,
    /// Print JSON (register values as hex strings).
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The image file.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// First image.
    pub a: PathBuf,
    /// Second image.
    pub b: PathBuf,
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// The image file.
    pub file: PathBuf,
    /// The target CPU model.
    #[arg(long = "for")]
    pub target: String,
    /// Output file.
    #[arg(short, long)]
    pub output: PathBuf,
}

/// Parsed `--records`.
#[derive(Debug, Clone)]
pub struct RecordList(pub Vec<RecordKind>);

fn parse_flavour(s: &str) -> Result<Flavour, String> {
    Flavour::from_name(s).ok_or_else(|| format!("unknown flavour '{s}' (ppc32, ppc64, ppc64le)"))
}

fn parse_records(s: &str) -> Result<RecordList, String> {
    if s == "none" {
        return Ok(RecordList(Vec::new()));
    }
    let mut out = Vec::new();
    for name in s.split(',').map(str::trim) {
        let kind: RecordKind = name.parse()?;
        if kind == RecordKind::Main {
            return Err("`main` is always present; list only optional records".into());
        }
        if !out.contains(&kind) {
            out.push(kind);
        }
    }
    Ok(RecordList(out))
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files (TOML; docs/SCENARIOS.md), or directories to search for them.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
    /// Run only the cells whose name contains this text.
    #[arg(long)]
    pub filter: Option<String>,
}
