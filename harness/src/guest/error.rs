//! Errors of the guest layer.

use std::time::Duration;

/// Everything that can go wrong booting or reading a guest.
#[derive(Debug, thiserror::Error)]
pub enum GuestError {
    /// No payload of that name was built.
    #[error("no guest payload {name:?} (built: {built})")]
    NoPayload {
        /// Wanted.
        name: String,
        /// What exists.
        built: String,
    },
    /// A payload lacks a symbol the harness needs.
    #[error("payload {payload} has no symbol {symbol:?}")]
    NoSymbol {
        /// Payload.
        payload: &'static str,
        /// Symbol.
        symbol: String,
    },
    /// A payload's raw image was not embedded.
    #[error("payload {payload} has no raw image")]
    NoRawImage {
        /// Payload.
        payload: &'static str,
    },
    /// Unknown CPU model or a flavour it does not run.
    #[error("{0}")]
    Model(String),
    /// The mailbox bytes do not decode.
    #[error("mailbox: {0}")]
    Mailbox(String),
    // The wrapped errors are part of the message and deliberately not a
    // `source()`: a report printing the chain would say everything twice.
    /// QEMU failed.
    #[error("qemu: {0}")]
    Qemu(ppcr_qemu::QemuError),
    /// The gdb stub failed.
    #[error("gdb: {0}")]
    Gdb(ppcr_gdb::GdbError),
    /// Writing the payload files.
    #[error("writing payload files: {0}")]
    Io(std::io::Error),
    /// The guest did not reach a point in time.
    #[error("{what} not reached within {after:?}; {diagnostics}")]
    Timeout {
        /// Which point.
        what: String,
        /// Deadline.
        after: Duration,
        /// QEMU state, mailbox, stderr.
        diagnostics: String,
    },
    /// The guest stopped somewhere unexpected.
    #[error("{0}")]
    Unexpected(String),
}

impl From<ppcr_qemu::QemuError> for GuestError {
    fn from(e: ppcr_qemu::QemuError) -> Self {
        GuestError::Qemu(e)
    }
}

impl From<ppcr_gdb::GdbError> for GuestError {
    fn from(e: ppcr_gdb::GdbError) -> Self {
        GuestError::Gdb(e)
    }
}

impl From<std::io::Error> for GuestError {
    fn from(e: std::io::Error) -> Self {
        GuestError::Io(e)
    }
}
