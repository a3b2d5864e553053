//! Layer 6, "sim": checkpoint (guest → image), restore (image → guest),
//! reference runs and outcome detection (docs/WORKLOADS.md).
//!
//! - [`checkpoint`]: boot the source with a workload, stop at `ppcr_ckpt`,
//!   read the state the workload declares through the gdb stub, build an
//!   [`Image`](ppcr_core::format::Image).
//! - [`restore`]: boot the target to its user entry ([`boot_target`]), write
//!   the image ([`apply_and_run`]), run, and decide the
//!   [`Outcome`](ppcr_core::class::Outcome) against the reference checksum.

pub mod checkpoint;
mod error;
mod forced;
pub mod pool;
mod reference;
mod regs;
pub mod restore;
pub mod trace;
pub mod workload;

pub use checkpoint::{
    checkpoint, checkpoint_traced, checkpoint_with, Checkpoint, CheckpointOptions,
};
pub use error::SimError;
pub use forced::{forced_outcome, ForcedError, Observed};
pub use pool::{Pool, PoolKey, PoolStats};
pub use reference::{reference, reference_cached, ReferenceKey};
pub use restore::{
    apply_and_run, boot_target, restore, restore_pooled, restore_traced, Mode, RestoreOptions,
    RestoreReport, TargetGuest,
};
pub use trace::GuestTrace;
pub use workload::Workload;
