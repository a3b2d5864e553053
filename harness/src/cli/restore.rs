//! `ppcr restore IMAGE --cpu MODEL [--policy P | --force] [--json]`: restore
//! an image on a target under QEMU and report the outcome.

use clap::Args;
use ppcr_core::class::Outcome;
use std::path::PathBuf;
use std::time::Duration;

use super::args::PolicyArg;
use super::exit::ExitStatus;
use super::files::read_image;
use crate::sim::{Mode, RestoreOptions};

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The image file.
    pub file: PathBuf,
    /// The target CPU model.
    #[arg(long)]
    pub cpu: String,
    /// The policy that decides whether to restore (default: hwcap).
    #[arg(long, value_enum, conflicts_with = "force")]
    pub policy: Option<PolicyArg>,
    /// Ignore every policy and restore anyway, to learn the truth.
    #[arg(long)]
    pub force: bool,
    /// Deadline for the restored process to finish, in milliseconds (`hang` after it).
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Exit 0 for `ok`, 1 for a refusal or any other outcome, 2 for bad input
/// or a harness failure.
pub fn run(a: &RestoreArgs) -> anyhow::Result<ExitStatus> {
    let image = read_image(&a.file)?;
    let mode = if a.force {
        Mode::Forced
    } else {
        Mode::Policy(a.policy.unwrap_or(PolicyArg::Hwcap).into())
    };
    let opts = RestoreOptions {
        mode,
        timeout: Duration::from_millis(a.timeout_ms),
        machine: None,
    };
    let r = super::runtime()?.block_on(crate::sim::restore(&image, &a.cpu, &opts))?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        let how = match r.mode {
            Mode::Forced => "forced".to_string(),
            Mode::Policy(p) => format!("policy {}", p.name()),
        };
        match r.outcome {
            None => println!(
                "refused: {} ({how}) on {}: {}",
                r.workload, r.target, r.detail
            ),
            Some(o) => println!(
                "{o}: {} from {} restored on {} ({how}): {}",
                r.workload, r.source, r.target, r.detail
            ),
        }
        for c in &r.conversions {
            println!("  conversion: {c}");
        }
        if let Some(c) = r.crash {
            println!("  exception {:#x} at {:#x}", c.vector, c.address);
        }
        println!("  boot {} ms, run {} ms", r.boot_ms, r.run_ms);
    }
    Ok(if r.outcome == Some(Outcome::Ok) {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}
