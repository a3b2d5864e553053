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
    // Wrapped errors are part of the message, not also a `source()`: a
    // report printing the chain would say everything twice.
    /// The gdb stub failed.
    #[error("gdb: {0}")]
    Gdb(ppcr_gdb::GdbError),
    /// Encoding the image failed.
    #[error("image: {0}")]
    Encode(ppcr_core::format::EncodeError),
    /// The source run did not behave (no checkpoint, crash before it, ...).
    #[error("{0}")]
    Source(String),
}

impl From<ppcr_gdb::GdbError> for SimError {
    fn from(e: ppcr_gdb::GdbError) -> Self {
        SimError::Gdb(e)
    }
}

impl From<ppcr_core::format::EncodeError> for SimError {
    fn from(e: ppcr_core::format::EncodeError) -> Self {
        SimError::Encode(e)
    }
}
