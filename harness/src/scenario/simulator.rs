//! The restore simulator (`crate::sim`) as a [`CellRunner`]: a checkpoint
//! per source, a forced restore per (source, target).

use super::runner::{CellRunner, CellSpec, Checkpoint, Observed, RunError, SourceSpec};
use crate::sim::{self, RestoreOptions};

/// Checkpoints and restores in QEMU guests through [`crate::sim`].
#[derive(Debug, Clone, Default)]
pub struct Simulator {
    /// Options of every forced restore (the mode is always forced).
    pub restore: RestoreOptions,
}

fn err(e: impl std::fmt::Display) -> RunError {
    RunError(e.to_string())
}

impl CellRunner for Simulator {
    async fn checkpoint(&self, s: &SourceSpec) -> Result<Checkpoint, RunError> {
        let c = sim::checkpoint(s.cpu.variant.qemu_name, s.flavour, &s.workload)
            .await
            .map_err(err)?;
        Ok(Checkpoint {
            image: c.image.encode().map_err(err)?,
            detail: format!("reference checksum {:#x}", c.reference),
        })
    }

    async fn outcome(&self, cell: &CellSpec, c: &Checkpoint) -> Result<Observed, RunError> {
        sim::forced_outcome(&c.image, cell.target.variant.qemu_name, &self.restore, None)
            .await
            .map_err(err)
    }
}
