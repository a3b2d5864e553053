//! The crate's error type: one variant per way an exchange with a stub can fail.

use std::time::Duration;

/// Everything that can go wrong talking to a GDB stub.
///
/// Variants that leave the byte stream in an unknown state (a timeout in the
/// middle of a request, a closed connection, too many retransmissions, ...)
/// also *poison* the [`Client`](crate::Client): every later request then fails
/// with [`GdbError::Desynchronized`] instead of pairing a late reply with the
/// wrong request. [`GdbError::desynchronizes`] says which ones do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GdbError {
    /// Connecting to the stub's socket failed.
    #[error("cannot connect to the GDB stub at {path}: {source}")]
    Connect {
        /// The socket path.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },

    /// Reading from or writing to the stub failed.
    #[error("I/O error talking to the GDB stub during {op}: {source}")]
    Io {
        /// What the client was doing.
        op: String,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The operation did not finish before its deadline.
    #[error("{op}: no complete answer from the GDB stub within {after:?}")]
    Timeout {
        /// The operation (usually the packet sent).
        op: String,
        /// The deadline that expired.
        after: Duration,
    },

    /// The stub closed the connection.
    #[error("the GDB stub closed the connection during {op}{}", closed_detail(*.partial_bytes))]
    Closed {
        /// What the client was doing.
        op: String,
        /// Bytes of an unfinished packet that were received before the close
        /// (0 when the stream ended between packets).
        partial_bytes: usize,
    },

    /// Received packets kept failing their checksum; the client sent `-`
    /// after each and gave up after `retries` retransmissions.
    #[error("{op}: bad checksum on a packet from the stub after {retries} retransmissions (last: checksum field {found:02x}, computed {computed:02x}, packet {packet})")]
    BadChecksum {
        /// The operation.
        op: String,
        /// How many retransmissions were requested.
        retries: u32,
        /// The checksum field of the last bad packet.
        found: u8,
        /// The checksum computed over its payload.
        computed: u8,
        /// The last bad packet, truncated and escaped for display.
        packet: String,
    },

    /// The stub answered a packet with `-` more often than allowed.
    #[error("{op}: the GDB stub rejected the packet (`-`) {naks} times")]
    Rejected {
        /// The operation.
        op: String,
        /// How many `-` were received.
        naks: u32,
    },

    /// A packet from the stub was larger than the configured cap.
    #[error("{op}: packet from the stub exceeds the {limit}-byte limit")]
    PacketTooLarge {
        /// The operation.
        op: String,
        /// The configured limit in bytes.
        limit: usize,
    },

    /// The stub sent bytes that are not part of any packet, more than the
    /// client tolerates.
    #[error("{op}: {count} bytes of garbage from the GDB stub (first bytes: {sample})")]
    Garbage {
        /// The operation.
        op: String,
        /// How many junk bytes were skipped.
        count: usize,
        /// The first junk bytes, escaped for display.
        sample: String,
    },

    /// A reply did not have the expected shape.
    #[error("{command}: malformed reply ({reason}): {reply}")]
    Malformed {
        /// The command that was answered.
        command: String,
        /// What was wrong.
        reason: String,
        /// The offending reply, truncated and escaped for display.
        reply: String,
    },

    /// The stub answered with an error reply (`Exx` or `E.text`).
    #[error("{command}: the GDB stub answered with error {reply}")]
    ErrorReply {
        /// The command that failed.
        command: String,
        /// The error number, when the reply was `Exx`.
        code: Option<u8>,
        /// The whole reply.
        reply: String,
    },

    /// The stub does not support a command (empty reply or not offered).
    #[error("{command}: not supported by this GDB stub")]
    Unsupported {
        /// The command.
        command: String,
    },

    /// An earlier failure left the stream in an unknown state.
    #[error("the GDB connection is unusable since an earlier failure: {cause}")]
    Desynchronized {
        /// The earlier failure.
        cause: String,
    },

    /// A request that needs a halted target was made while it runs.
    #[error("{op}: the target is running; wait for a stop or interrupt it first")]
    Running {
        /// The operation.
        op: String,
    },

    /// `interrupt` or `wait_for_stop` was called while the target is halted.
    #[error("{op}: the target is not running")]
    NotRunning {
        /// The operation.
        op: String,
    },

    /// A target description could not be understood.
    #[error("target description {file}: {reason}")]
    TargetXml {
        /// The annex (file name) being parsed.
        file: String,
        /// What was wrong.
        reason: String,
    },

    /// A register value had a different size than the caller asked for.
    #[error("register value is {found} bytes, expected {expected}")]
    RegisterSize {
        /// The size asked for.
        expected: usize,
        /// The size received.
        found: usize,
    },

    /// An argument was out of the range the protocol can carry.
    #[error("{op}: invalid argument: {reason}")]
    InvalidArgument {
        /// The operation.
        op: String,
        /// What was wrong.
        reason: String,
    },
}

fn closed_detail(partial: usize) -> String {
    if partial == 0 {
        String::new()
    } else {
        format!(" in the middle of a packet ({partial} bytes received)")
    }
}

impl GdbError {
    /// Whether this failure leaves the byte stream in an unknown state, so
    /// that later replies could be paired with the wrong request.
    pub fn desynchronizes(&self) -> bool {
        matches!(
            self,
            GdbError::Io { .. }
                | GdbError::Timeout { .. }
                | GdbError::Closed { .. }
                | GdbError::BadChecksum { .. }
                | GdbError::Rejected { .. }
                | GdbError::PacketTooLarge { .. }
                | GdbError::Garbage { .. }
                | GdbError::Desynchronized { .. }
        )
    }
}

/// Result alias for this crate.
pub type Result<T, E = GdbError> = std::result::Result<T, E>;
