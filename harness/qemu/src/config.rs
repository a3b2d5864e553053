//! What to launch: [`LaunchConfig`] and its [`Timeouts`].

use std::ffi::OsString;
use std::time::Duration;

use crate::binary::QemuBinary;

/// Deadlines for one guest. Every wait in this crate has one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From spawn until QEMU has connected every socket and answered
    /// `qmp_capabilities`.
    pub connect: Duration,
    /// Each QMP command, send to reply.
    pub command: Duration,
    /// [`Guest::shutdown`](crate::Guest::shutdown): from `quit` until the
    /// process has exited; then SIGKILL.
    pub shutdown: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            command: Duration::from_secs(10),
            shutdown: Duration::from_secs(5),
        }
    }
}

/// Whether and how the gdb stub is exposed. Both use a Unix socket in the
/// run directory; neither opens a TCP port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum GdbStub {
    /// No gdb stub.
    #[default]
    Off,
    /// QEMU connects to the harness at startup (`server=off`); take the
    /// stream with [`Guest::take_gdb_stream`](crate::Guest::take_gdb_stream).
    /// One connection per guest: once closed, QEMU does not reconnect.
    ConnectBack,
    /// QEMU listens (`server=on,wait=off`) on
    /// [`Guest::gdb_socket_path`](crate::Guest::gdb_socket_path); connect
    /// (and reconnect) whenever you like. The socket exists by the time
    /// `launch` returns.
    Listen,
}

/// How to launch one QEMU.
///
/// The crate always passes `-nodefaults -no-user-config -nographic`, a QMP
/// monitor, serial port 0 and (if asked) the gdb stub, each as a Unix
/// socket in the guest's private directory to which QEMU connects back.
/// The caller supplies everything about the machine: `-M`, `-cpu`, `-m`,
/// `-bios`, `-kernel`, `-S`, `-incoming`, `-device`, ... Options the crate
/// owns are refused with [`QemuError::ReservedArgument`](crate::QemuError::ReservedArgument):
/// `-qmp`, `-monitor`, `-mon`, `-serial`, `-gdb`, `-s`, `-daemonize`,
/// `-run-with`, `-pidfile`, `-nographic`, `-display`, `-nodefaults`,
/// `-no-user-config`, and `-chardev` ids starting with `ppcr-`.
/// Relative paths are resolved against the caller's working directory
/// (QEMU is not started in the run directory).
#[derive(Debug, Clone)]
pub struct LaunchConfig {
    pub(crate) binary: QemuBinary,
    pub(crate) args: Vec<OsString>,
    pub(crate) gdb: GdbStub,
    pub(crate) timeouts: Timeouts,
    pub(crate) serial_capacity: usize,
    pub(crate) stderr_capacity: usize,
    pub(crate) label: Option<String>,
}

impl LaunchConfig {
    /// A guest of `binary` with no machine arguments yet.
    pub fn new(binary: QemuBinary) -> Self {
        LaunchConfig {
            binary,
            args: Vec::new(),
            gdb: GdbStub::Off,
            timeouts: Timeouts::default(),
            serial_capacity: 64 * 1024,
            stderr_capacity: 16 * 1024,
            label: None,
        }
    }

    /// Appends one argument.
    pub fn arg(mut self, a: impl Into<OsString>) -> Self {
        self.args.push(a.into());
        self
    }

    /// Appends arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// `true`: [`GdbStub::ConnectBack`]; `false`: [`GdbStub::Off`].
    /// QEMU pauses the VM whenever a gdb connection opens (for
    /// connect-back that is at startup).
    pub fn gdb(self, on: bool) -> Self {
        self.gdb_stub(if on {
            GdbStub::ConnectBack
        } else {
            GdbStub::Off
        })
    }

    /// Chooses how the gdb stub is exposed.
    pub fn gdb_stub(mut self, mode: GdbStub) -> Self {
        self.gdb = mode;
        self
    }

    /// Replaces the deadlines.
    pub fn timeouts(mut self, t: Timeouts) -> Self {
        self.timeouts = t;
        self
    }

    /// Bytes of serial output kept (the latest ones). Default 64 KiB.
    pub fn serial_capacity(mut self, bytes: usize) -> Self {
        self.serial_capacity = bytes;
        self
    }

    /// Bytes of QEMU's stderr+stdout kept (the latest ones). Default 16 KiB.
    pub fn stderr_capacity(mut self, bytes: usize) -> Self {
        self.stderr_capacity = bytes;
        self
    }

    /// Name for messages and tracing (default: the program name).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The caller-supplied arguments.
    pub fn caller_args(&self) -> &[OsString] {
        &self.args
    }

    /// The binary.
    pub fn binary(&self) -> &QemuBinary {
        &self.binary
    }
}
