//! The boundary to the restore simulator: what a scenario needs from it.
//!
//! The simulator (checkpoint a workload on a source guest, forced restore on
//! a target guest) implements [`CellRunner`]. Scenario code calls
//! [`CellRunner::checkpoint`] once per source and [`CellRunner::outcome`]
//! once per (source, target); every policy of that pair shares the outcome,
//! and the verdicts are computed here, on the checkpointed image.
//!
//! [`super::Simulator`] is the implementation over `crate::sim`;
//! [`Unavailable`] fails every call (for tests of the error path).

use ppcr_core::cpu::{Flavour, ResolvedCpu};
use std::fmt;
use std::future::Future;
use thiserror::Error;

/// A matrix row: the CPU, process flavour and workload to checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceSpec {
    pub cpu: ResolvedCpu,
    pub flavour: Flavour,
    /// A workload name ([`crate::sim::Workload`]).
    pub workload: String,
}

impl SourceSpec {
    /// `cpu/flavour/workload`, as in cell names.
    pub fn label(&self) -> String {
        format!(
            "{}/{}/{}",
            cpu_label(&self.cpu),
            self.flavour,
            self.workload
        )
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// The name a resolved CPU goes by in cell names: the catalogue name for
/// the default variant, the QEMU versioned name otherwise.
pub fn cpu_label(cpu: &ResolvedCpu) -> &'static str {
    if cpu.variant == cpu.model.variants[0] {
        cpu.model.name
    } else {
        cpu.variant.qemu_name
    }
}

/// What a forced restore needs: the source and the target (no policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSpec {
    pub source: SourceSpec,
    pub target: ResolvedCpu,
}

/// A checkpoint of one source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// The encoded image (format 1.x), as stored in the image library.
    pub image: Vec<u8>,
    /// Where it came from (library path, guest log), for reports.
    pub detail: String,
}

pub use crate::sim::Observed;

/// The runner could not learn the truth; the cell's class becomes `error`.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct RunError(pub String);

/// Checkpoints sources and force-restores images on targets.
///
/// Implementations may write `async fn` for both methods. The futures need
/// not be `Send`: scenario code awaits them in place, never spawns them.
pub trait CellRunner: Sync {
    /// Runs `source`'s workload to its checkpoint and returns the image.
    fn checkpoint(&self, source: &SourceSpec)
        -> impl Future<Output = Result<Checkpoint, RunError>>;

    /// Restores `checkpoint` (taken from `cell.source`) on `cell.target`
    /// regardless of any policy, and reports what really happened.
    fn outcome(
        &self,
        cell: &CellSpec,
        checkpoint: &Checkpoint,
    ) -> impl Future<Output = Result<Observed, RunError>>;
}

/// The message of [`Unavailable`].
pub const UNAVAILABLE: &str = "restore simulator not available yet";

/// A runner that cannot learn anything: every call fails, so every cell is
/// `error` (never a fake pass).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unavailable;

impl CellRunner for Unavailable {
    async fn checkpoint(&self, _source: &SourceSpec) -> Result<Checkpoint, RunError> {
        Err(RunError(UNAVAILABLE.into()))
    }

    async fn outcome(&self, _cell: &CellSpec, _c: &Checkpoint) -> Result<Observed, RunError> {
        Err(RunError(UNAVAILABLE.into()))
    }
}
