//! Error types: [`QemuError`] for finding, launching and stopping QEMU,
//! [`QmpError`] for the QMP conversation itself.

use std::io;
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::Duration;

use crate::binary::QemuVersion;

/// What to tell a person whose QEMU is missing or too old.
pub const INSTALL_HINT: &str =
    "run 'sudo bash ci/setup' (installs qemu-system-ppc >= 10.0 from bookworm-backports)";

/// Failure to find, launch, talk to or stop a QEMU process.
///
/// Variants raised after QEMU was spawned carry what QEMU said on stderr
/// (its last few KiB), because that is where QEMU explains itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QemuError {
    /// The program is not in `$PATH` (or in `$PPCR_QEMU_DIR` when set).
    #[error("{program} not found (searched {searched}): {INSTALL_HINT}")]
    NotFound {
        /// `qemu-system-ppc` or `qemu-system-ppc64`.
        program: &'static str,
        /// Where it was looked for.
        searched: String,
    },
    /// `--version` reported a version below the minimum.
    #[error("{program} at {} is QEMU {found}, ppcr needs >= {required}: {INSTALL_HINT}", path.display())]
    TooOld {
        /// Program name.
        program: &'static str,
        /// The binary that was found.
        path: PathBuf,
        /// Version it reported.
        found: QemuVersion,
        /// Minimum version.
        required: QemuVersion,
    },
    /// `--version` printed something without a recognisable version.
    #[error("{program} at {} printed no QEMU version (got {output:?}): {INSTALL_HINT}", path.display())]
    VersionUnparsable {
        /// Program name.
        program: &'static str,
        /// The binary that was run.
        path: PathBuf,
        /// The start of what it printed.
        output: String,
    },
    /// `--version` could not be run, or did not finish in time.
    #[error("could not run {} --version: {source}: {INSTALL_HINT}", path.display())]
    VersionCheck {
        /// The binary that was run.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The private run directory could not be created.
    #[error("cannot create a private run directory under /tmp: {0}")]
    RunDir(#[source] io::Error),
    /// A socket path would not fit `sun_path` (108 bytes including the NUL).
    #[error("socket path {} is {len} bytes, the limit is {max}", path.display())]
    SocketPathTooLong {
        /// The path.
        path: PathBuf,
        /// Its length in bytes.
        len: usize,
        /// The longest path that fits.
        max: usize,
    },
    /// Binding a listening socket failed.
    #[error("cannot listen on {}: {source}", path.display())]
    Bind {
        /// The socket path.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A caller-supplied argument would take over something this crate owns.
    #[error("argument {arg:?} is reserved: {reason}")]
    ReservedArgument {
        /// The offending argument.
        arg: String,
        /// What the crate does instead.
        reason: &'static str,
    },
    /// The process-wide table of live guests is full.
    #[error("too many live QEMU guests in this process (limit {limit})")]
    TooManyGuests {
        /// The limit.
        limit: usize,
    },
    /// Spawning the process failed.
    #[error("cannot start {}: {source}", program.display())]
    Spawn {
        /// The binary.
        program: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// QEMU exited while the harness was waiting for it.
    #[error("{label} (pid {pid}) exited ({status}) while {during}; stderr tail:\n{stderr}")]
    Exited {
        /// The guest's label.
        label: String,
        /// Its pid.
        pid: u32,
        /// What the harness was doing.
        during: String,
        /// How it ended.
        status: ExitStatus,
        /// The last bytes QEMU wrote to stderr.
        stderr: String,
    },
    /// QEMU did not connect its sockets (QMP, serial, gdb) in time.
    #[error("{label} (pid {pid}) did not connect its {waiting_for} socket within {after:?}; stderr tail:\n{stderr}")]
    ConnectTimeout {
        /// The guest's label.
        label: String,
        /// Its pid.
        pid: u32,
        /// Which sockets were still missing.
        waiting_for: String,
        /// How long the harness waited.
        after: Duration,
        /// The last bytes QEMU wrote to stderr.
        stderr: String,
    },
    /// Accepting a connection from QEMU failed.
    #[error("accepting QEMU's connection failed: {0}")]
    Accept(#[source] io::Error),
    /// Waiting for the process failed.
    #[error("waiting for QEMU (pid {pid}) failed: {source}")]
    Wait {
        /// Its pid.
        pid: u32,
        /// Why.
        source: io::Error,
    },
    /// QEMU did not exit within the shutdown deadline and was killed.
    #[error("{label} (pid {pid}) did not exit within {after:?} of `quit`; killed with SIGKILL; stderr tail:\n{stderr}")]
    ShutdownTimeout {
        /// The guest's label.
        label: String,
        /// Its pid.
        pid: u32,
        /// How long the harness waited.
        after: Duration,
        /// The last bytes QEMU wrote to stderr.
        stderr: String,
    },
    /// The guest's serial output did not show the expected text in time.
    #[error("{label}: serial output did not contain {needle:?} within {after:?}; serial tail:\n{serial}")]
    SerialTimeout {
        /// The guest's label.
        label: String,
        /// The text waited for.
        needle: String,
        /// How long the harness waited.
        after: Duration,
        /// The last bytes of serial output.
        serial: String,
    },
    /// Writing to the guest's serial port failed.
    #[error("writing to the serial port of {label} failed: {source}")]
    SerialWrite {
        /// The guest's label.
        label: String,
        /// Why.
        source: io::Error,
    },
    /// A QMP exchange failed while QEMU was still running.
    #[error(transparent)]
    Qmp(#[from] QmpError),
}

/// How an HMP command reported failure inside an `Ok` QMP reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HmpFailure {
    /// `unknown command: '...'`.
    UnknownCommand,
    /// The argument parser complained (`Try "help x" for more information`).
    BadArguments,
    /// `Error: ...`, `invalid CPU index`, `Cannot access memory`.
    Failed,
}

/// Failure of one QMP exchange.
///
/// A failure that leaves the stream in an unknown state (the connection
/// closed, an I/O error, a write that did not finish) makes the client
/// refuse further commands with [`QmpError::Closed`]. A command that timed
/// out, was cancelled, or got a wrong, missing, overlong or unparsable
/// reply is remembered by id, so a late reply to it is recognised and
/// skipped and the session carries on (an overlong line is skipped up to
/// its newline).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QmpError {
    /// The peer closed the connection (EOF, reset, broken pipe).
    #[error(
        "QMP connection closed while {during} ({partial} bytes of an unfinished line pending)"
    )]
    Closed {
        /// What the client was doing.
        during: String,
        /// Bytes received after the last newline.
        partial: usize,
    },
    /// Any other socket error.
    #[error("QMP I/O error while {during}: {source}")]
    Io {
        /// What the client was doing.
        during: String,
        /// Why.
        source: io::Error,
    },
    /// A deadline fired.
    #[error("no QMP answer within {after:?} while {during}")]
    Timeout {
        /// What the client was waiting for.
        during: String,
        /// The deadline.
        after: Duration,
    },
    /// A line longer than the configured cap.
    #[error("QMP line longer than {limit} bytes while {during}")]
    LineTooLong {
        /// What the client was doing.
        during: String,
        /// The cap.
        limit: usize,
    },
    /// A line that is not a JSON object.
    #[error("QMP sent a line that is not a JSON object while {during}: {reason}; line: {line:?}")]
    Malformed {
        /// What the client was doing.
        during: String,
        /// The parser's complaint.
        reason: String,
        /// The line (truncated).
        line: String,
    },
    /// A JSON object that is neither an event nor a reply.
    #[error("unexpected QMP message while {during}: {line:?}")]
    UnexpectedMessage {
        /// What the client was doing.
        during: String,
        /// The line (truncated).
        line: String,
    },
    /// The first line was not a QMP greeting.
    #[error("bad QMP greeting: {reason}; line: {line:?}")]
    BadGreeting {
        /// What is wrong with it.
        reason: String,
        /// The line (truncated).
        line: String,
    },
    /// A reply carried an id this client never sent.
    #[error("reply to {command} carried id {found}, expected {expected}")]
    UnexpectedId {
        /// The command waiting for its reply.
        command: &'static str,
        /// The id that was sent.
        expected: u64,
        /// The id that came back (JSON text).
        found: String,
    },
    /// A reply carried no id although every command is sent with one.
    #[error("reply to {command} (id {expected}) carried no id: {line:?}")]
    MissingId {
        /// The command waiting for its reply.
        command: &'static str,
        /// The id that was sent.
        expected: u64,
        /// The line (truncated).
        line: String,
    },
    /// QEMU answered the command with an error.
    #[error("QMP {command} failed: {class}: {desc}")]
    Command {
        /// The command.
        command: &'static str,
        /// The error class (`GenericError`, `CommandNotFound`, ... or a newer one).
        class: String,
        /// QEMU's description.
        desc: String,
    },
    /// The reply did not match the schema this crate was built with.
    #[error("cannot decode the reply to {command}: {reason}; reply: {reply:?}")]
    Decode {
        /// The command.
        command: &'static str,
        /// serde's complaint.
        reason: String,
        /// The `return` value (truncated).
        reply: String,
    },
    /// The command could not be serialized.
    #[error("cannot encode QMP {command}: {source}")]
    Encode {
        /// The command.
        command: &'static str,
        /// Why.
        source: serde_json::Error,
    },
    /// An HMP command reported an error in its text output.
    #[error("HMP {command_line:?} failed ({kind:?}): {message}")]
    Hmp {
        /// The command line sent.
        command_line: String,
        /// How the failure was recognised.
        kind: HmpFailure,
        /// QEMU's text (first line(s)).
        message: String,
    },
    /// A migration ended in a state other than `completed`.
    #[error("migration ended with status {status}: {desc}")]
    Migration {
        /// The final status.
        status: String,
        /// QEMU's `error-desc`, if any.
        desc: String,
    },
}

impl QmpError {
    /// True if the connection is gone (EOF, reset, broken pipe).
    pub fn is_closed(&self) -> bool {
        matches!(self, QmpError::Closed { .. })
    }

    /// True if a deadline fired.
    pub fn is_timeout(&self) -> bool {
        matches!(self, QmpError::Timeout { .. })
    }
}
