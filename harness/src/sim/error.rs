//! Errors of the simulator (the harness failed: the `error` class).

use crate::guest::GuestError;

/// Why a checkpoint or restore could not be carried out at all (as opposed
/// to an outcome such as `crash`, which is a result).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Unknown workload or one that does not exist for a flavour.
    #[error("{0}")]
    Workload(String),
    /// Booting or driving the guest failed.
    #[error(transparent)]
    Guest(#[from] GuestError),
    /// The gdb stub failed.
    #[error("gdb: {0}")]
    Gdb(#[from] ppcr_gdb::GdbError),
    /// Encoding the image failed.
    #[error("image: {0}")]
    Encode(#[from] ppcr_core::format::EncodeError),
    /// The source run did not behave (no checkpoint, crash before it, ...).
    #[error("{0}")]
    Source(String),
}
