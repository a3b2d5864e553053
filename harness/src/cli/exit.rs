//! Exit statuses, named once.

use std::process::ExitCode;

/// What a command's exit code means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// The command did what was asked (an image verified, a policy accepted).
    Success = 0,
    /// A check failed: a policy refused, images differ, an image is corrupt
    /// under `verify`, the probe disagrees with the catalogue.
    CheckFailed = 1,
    /// Bad input or usage: unknown CPU, unreadable file, bad arguments.
    BadInput = 2,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(s as u8)
    }
}
