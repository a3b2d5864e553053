//! The restore simulator (`crate::sim`) behind the matrix's [`Simulator`]:
//! real QEMU guests, one checkpoint per row, one forced restore per pair.

use super::cells::SourceSpec;
use super::simulator::{Observed, SimFailure, Simulator};
use crate::sim::{self, Pool, RestoreOptions};
use ppcr_core::cpu::CpuModel;
use std::sync::Arc;

/// Checkpoints and restores in QEMU guests.
#[derive(Debug, Clone, Default)]
pub struct QemuSimulator {
    /// Options of every forced restore (the mode is always forced).
    pub restore: RestoreOptions,
    /// Warm target guests shared by every forced restore (`None`: one
    /// fresh QEMU per restore).
    pub pool: Option<Arc<Pool>>,
}

/// Idle guests the pool keeps per job. A source's rows cycle through its
/// flavours, and the catalogue has 31 (target, flavour) keys (17 models run
/// ppc32, 9 ppc64, 5 ppc64le): with two jobs the pool holds one of each, and
/// none is killed and relaunched at every change of flavour.
pub const POOL_PER_JOB: usize = 16;

impl QemuSimulator {
    /// A simulator with a warm pool sized for `jobs` cells at once.
    pub fn pooled(jobs: usize) -> QemuSimulator {
        QemuSimulator {
            pool: Some(Arc::new(Pool::new(jobs.max(1) * POOL_PER_JOB))),
            ..QemuSimulator::default()
        }
    }
}

fn failure(what: &str, e: impl std::fmt::Display) -> SimFailure {
    SimFailure(format!("{what}: {e}"))
}

impl Simulator for QemuSimulator {
    async fn checkpoint(&self, source: &SourceSpec) -> Result<Vec<u8>, SimFailure> {
        let c = sim::checkpoint(
            source.model.qemu_cpu(),
            source.flavour,
            source.workload.name,
        )
        .await
        .map_err(|e| failure("checkpoint", e))?;
        c.image.encode().map_err(|e| failure("encode", e))
    }

    async fn forced_outcome(
        &self,
        _source: &SourceSpec,
        image: &[u8],
        target: &'static CpuModel,
    ) -> Result<Observed, SimFailure> {
        sim::forced_outcome(
            image,
            target.qemu_cpu(),
            &self.restore,
            self.pool.as_deref(),
        )
        .await
        .map_err(|e| SimFailure(e.to_string()))
    }
}
