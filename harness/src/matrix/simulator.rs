//! The boundary to the restore simulator: what the matrix needs from it.
//!
//! The engine checkpoints each row once ([`Simulator::checkpoint`]) and
//! force-restores that image once per target ([`Simulator::forced_outcome`]);
//! every policy of the pair shares that outcome, and the verdicts are
//! computed here, purely, on the decoded image.
//!
//! Implementations may write `async fn` for both methods; their futures
//! must be `Send` (the engine runs cells on tokio's worker threads) and must
//! clean up on drop: the engine drops a future that overran its deadline.

use super::cells::SourceSpec;
use ppcr_core::cpu::CpuModel;
use std::future::Future;
use thiserror::Error;

pub use crate::sim::Observed;

/// The simulator could not learn the truth (QEMU died, spoke garbage, ...).
/// The engine retries it a bounded number of times, then the cell is `error`
/// with this message as its reason.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{0}")]
pub struct SimFailure(pub String);

/// Checkpoints sources and force-restores images on targets.
pub trait Simulator: Send + Sync + 'static {
    /// Runs `source`'s workload to its checkpoint and returns the encoded image.
    fn checkpoint(
        &self,
        source: &SourceSpec,
    ) -> impl Future<Output = Result<Vec<u8>, SimFailure>> + Send;

    /// Restores `image` (checkpointed from `source`) on `target` regardless of
    /// any policy and reports what really happened.
    fn forced_outcome(
        &self,
        source: &SourceSpec,
        image: &[u8],
        target: &'static CpuModel,
    ) -> impl Future<Output = Result<Observed, SimFailure>> + Send;
}
