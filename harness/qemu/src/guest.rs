//! A running QEMU: launch, QMP, serial, gdb stream, shutdown, cleanup.

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use qapi::qmp;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::OwnedWriteHalf;
use tokio::net::{UnixListener, UnixStream};
use tokio::process::{Child, Command};
use tokio::time::{sleep_until, timeout, timeout_at, Instant};

use crate::args::{check_caller_args, connect_back_chardev};
use crate::capture::{tail, AbortOnDrop, Tail};
use crate::config::{GdbStub, LaunchConfig, Timeouts};
use crate::error::{QemuError, QmpError};
use crate::qmp::{Greeting, QmpClient, QmpOptions};
use crate::registry::{self, Registration};
use crate::rundir::RunDir;
use crate::spawner::{self, SpawnError};

/// How long to wait for QEMU's stderr to drain after it exited.
const SETTLE: Duration = Duration::from_millis(500);
/// After the QMP socket closed, how long to wait for the process to exit
/// before blaming the socket rather than the process.
const EXIT_GRACE: Duration = Duration::from_secs(1);
/// After SIGKILL, how long to wait for the kernel to reap.
const KILL_WAIT: Duration = Duration::from_secs(5);

/// Durations measured while launching (from just before the fork request).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaunchTimings {
    /// Until `fork` returned on the spawner thread.
    pub spawned: Duration,
    /// Until QEMU had connected every socket (QMP, serial, gdb).
    pub connected: Duration,
    /// Until the greeting was read and `qmp_capabilities` answered.
    pub ready: Duration,
}

/// One running QEMU process and its connections.
///
/// Dropping a `Guest` SIGKILLs the process (also when the owning task
/// panics or its future is dropped by a timeout) and removes its run
/// directory. [`shutdown`](Self::shutdown) is the polite way.
///
/// The process stays in the caller's process group (so a terminal's
/// Ctrl-C and a test runner's group kill reach it) and has a parent-death
/// signal of SIGKILL (so it dies with ppcr even on SIGKILL); see the
/// `spawner` module for why it is forked on a dedicated thread.
/// Use a guest inside the tokio runtime that launched it.
#[derive(Debug)]
pub struct Guest {
    // Drop order: `Drop::drop` kills first; then these fields drop in
    // order: the registration is released only after the kill, and the
    // run directory goes last.
    child: Child,
    pid: u32,
    label: String,
    program: PathBuf,
    exit: Option<ExitStatus>,
    qmp: QmpClient,
    gdb: Option<UnixStream>,
    gdb_path: Option<PathBuf>,
    serial_in: Option<OwnedWriteHalf>,
    serial: Tail,
    output: Tail,
    timeouts: Timeouts,
    timings: LaunchTimings,
    _readers: Vec<AbortOnDrop>,
    /// Released as soon as the process is known to be reaped (so the
    /// signal handler can never hit a recycled pid) or after the kill in Drop.
    registration: Option<Registration>,
    run_dir: RunDir,
}

impl Guest {
    /// Launches QEMU in a fresh private run directory.
    pub async fn launch(config: LaunchConfig) -> Result<Guest, QemuError> {
        Self::launch_in(config, RunDir::new()?).await
    }

    /// Launches QEMU in `run_dir`, which the caller may have filled first
    /// (firmware, an `-incoming unix:` path). The guest owns and removes it.
    pub async fn launch_in(config: LaunchConfig, run_dir: RunDir) -> Result<Guest, QemuError> {
        check_caller_args(&config.args)?;
        let program = config.binary.path.clone();
        let qmp_path = run_dir.socket_path("qmp.sock")?;
        let serial_path = run_dir.socket_path("serial.sock")?;
        let gdb_path = match config.gdb {
            GdbStub::Off => None,
            GdbStub::ConnectBack | GdbStub::Listen => Some(run_dir.socket_path("gdb.sock")?),
        };
        // Listen first; QEMU connects to us (server=off): no polling race.
        let qmp_l = bind(&qmp_path)?;
        let serial_l = bind(&serial_path)?;
        let gdb_l = match config.gdb {
            GdbStub::ConnectBack => gdb_path.as_deref().map(bind).transpose()?,
            _ => None,
        };

        let mut cmd = Command::new(&program);
        cmd.args(command_line(&config, run_dir.path()));
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        spawner::set_parent_death_signal(&mut cmd);

        let t0 = Instant::now();
        let deadline = t0 + config.timeouts.connect;
        // If this deadline fires, the spawner's reply is dropped on its
        // thread, which kills the child.
        let spawned = timeout_at(deadline, spawner::spawn(cmd))
            .await
            .unwrap_or_else(|_| {
                Err(SpawnError::Io(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the spawner thread did not answer in time",
                )))
            });
        let (mut child, registration) = spawned.map_err(|e| match e {
            SpawnError::TableFull => QemuError::TooManyGuests {
                limit: registry::MAX_GUESTS,
            },
            SpawnError::Io(source) => QemuError::Spawn {
                program: program.clone(),
                source,
            },
        })?;
        let spawned = t0.elapsed();
        let pid = child.id().unwrap_or(0);
        let label = config
            .label
            .clone()
            .unwrap_or_else(|| config.binary.program().to_owned());
        tracing::debug!(guest = %label, pid, args = ?config.args, "spawned QEMU");

        let mut readers = Vec::new();
        let (out_w, output) = tail(config.stderr_capacity);
        if let Some(e) = child.stderr.take() {
            readers.push(out_w.spawn_reader(e));
        }
        if let Some(o) = child.stdout.take() {
            readers.push(out_w.spawn_reader(o));
        }
        drop(out_w);

        let mut launching = Launching {
            child: &mut child,
            pid,
            label: &label,
            output: &output,
        };

        // Wait for every connect-back, or the process's death, or the deadline.
        let (mut qmp_s, mut serial_s, mut gdb_s) = (None, None, None);
        loop {
            let mut missing = Vec::new();
            if qmp_s.is_none() {
                missing.push("QMP");
            }
            if serial_s.is_none() {
                missing.push("serial");
            }
            if gdb_l.is_some() && gdb_s.is_none() {
                missing.push("gdb");
            }
            if missing.is_empty() {
                break;
            }
            tokio::select! {
                r = qmp_l.accept(), if qmp_s.is_none() => {
                    qmp_s = Some(r.map_err(QemuError::Accept)?.0);
                }
                r = serial_l.accept(), if serial_s.is_none() => {
                    serial_s = Some(r.map_err(QemuError::Accept)?.0);
                }
                r = accept_opt(gdb_l.as_ref()), if gdb_l.is_some() && gdb_s.is_none() => {
                    gdb_s = Some(r.map_err(QemuError::Accept)?);
                }
                st = launching.child.wait() => {
                    return Err(launching.exited(st, "connecting its sockets").await);
                }
                _ = sleep_until(deadline) => {
                    return Err(QemuError::ConnectTimeout {
                        label: label.clone(),
                        pid,
                        waiting_for: missing.join(", "),
                        after: config.timeouts.connect,
                        stderr: output.text(),
                    });
                }
            }
        }
        drop((qmp_l, serial_l, gdb_l));
        let connected = t0.elapsed();
        let (Some(qmp_s), Some(serial_s)) = (qmp_s, serial_s) else {
            unreachable!("the loop above only ends when both are connected")
        };

        let opts = QmpOptions {
            greeting_timeout: deadline.saturating_duration_since(Instant::now()),
            command_timeout: config.timeouts.command,
            label: label.clone(),
            ..QmpOptions::default()
        };
        let qmp = tokio::select! {
            r = QmpClient::handshake(qmp_s, opts) => r,
            st = launching.child.wait() => {
                return Err(launching.exited(st, "greeting on QMP").await);
            }
        };
        let qmp = match qmp {
            Ok(c) => c,
            Err(e) => return Err(launching.explain(e, "greeting on QMP").await),
        };
        let ready = t0.elapsed();

        let (serial_r, serial_in) = serial_s.into_split();
        let (serial_w, serial) = tail(config.serial_capacity);
        readers.push(serial_w.spawn_reader(serial_r));
        drop(serial_w);

        let timings = LaunchTimings {
            spawned,
            connected,
            ready,
        };
        tracing::info!(guest = %label, pid, ?timings, "QEMU ready");
        Ok(Guest {
            child,
            pid,
            label,
            program,
            exit: None,
            qmp,
            gdb: gdb_s,
            gdb_path: match config.gdb {
                GdbStub::Listen => gdb_path,
                _ => None,
            },
            serial_in: Some(serial_in),
            serial,
            output,
            timeouts: config.timeouts,
            timings,
            _readers: readers,
            registration: Some(registration),
            run_dir,
        })
    }

    // ---- identity -------------------------------------------------------

    /// The QEMU process id.
    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// The label used in messages.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The private run directory (sockets live here; so may caller files).
    pub fn run_dir(&self) -> &Path {
        self.run_dir.path()
    }

    /// Launch durations.
    pub fn timings(&self) -> LaunchTimings {
        self.timings
    }

    /// The QMP greeting.
    pub fn greeting(&self) -> &Greeting {
        self.qmp.greeting()
    }

    // ---- QMP ---------------------------------------------------------

    /// The raw QMP client (events, transcript, any `qapi` command). Its
    /// errors are not enriched with the process's exit status; the methods
    /// on `Guest` are.
    pub fn qmp(&mut self) -> &mut QmpClient {
        &mut self.qmp
    }

    /// Runs any `qapi` command; if QEMU died meanwhile the error says so,
    /// with its exit status and stderr.
    pub async fn execute<C: qapi::Command>(&mut self, cmd: C) -> Result<C::Ok, QemuError> {
        let name = C::NAME;
        let r = self.qmp.execute(cmd).await;
        self.checked(r, name).await
    }

    /// `query-status`.
    pub async fn query_status(&mut self) -> Result<qmp::StatusInfo, QemuError> {
        let r = self.qmp.query_status().await;
        self.checked(r, "query-status").await
    }

    /// `stop`.
    pub async fn stop(&mut self) -> Result<(), QemuError> {
        let r = self.qmp.stop().await;
        self.checked(r, "stop").await
    }

    /// `cont`.
    pub async fn cont(&mut self) -> Result<(), QemuError> {
        let r = self.qmp.cont().await;
        self.checked(r, "cont").await
    }

    /// `system_reset`.
    pub async fn system_reset(&mut self) -> Result<(), QemuError> {
        let r = self.qmp.system_reset().await;
        self.checked(r, "system_reset").await
    }

    /// An HMP command (`info registers`, `xp /4x 0x100`, ...); HMP's
    /// textual errors become [`QmpError::Hmp`]. Output has `\n` line ends.
    pub async fn hmp(&mut self, command_line: &str) -> Result<String, QemuError> {
        let r = self.qmp.human_monitor_command(command_line).await;
        self.checked(r, "human-monitor-command").await
    }

    /// An HMP command run with `cpu-index` selecting the vCPU.
    pub async fn hmp_on_cpu(
        &mut self,
        cpu_index: i64,
        command_line: &str,
    ) -> Result<String, QemuError> {
        let r = self.qmp.hmp_on_cpu(Some(cpu_index), command_line).await;
        self.checked(r, "human-monitor-command").await
    }

    /// `query-cpus-fast`.
    pub async fn query_cpus_fast(&mut self) -> Result<Vec<qmp::CpuInfoFast>, QemuError> {
        let r = self.qmp.query_cpus_fast().await;
        self.checked(r, "query-cpus-fast").await
    }

    /// `migrate` to `uri` (`file:PATH`, `unix:PATH`).
    pub async fn migrate(&mut self, uri: &str) -> Result<(), QemuError> {
        let r = self.qmp.migrate(uri).await;
        self.checked(r, "migrate").await
    }

    /// `query-migrate`.
    pub async fn query_migrate(&mut self) -> Result<qmp::MigrationInfo, QemuError> {
        let r = self.qmp.query_migrate().await;
        self.checked(r, "query-migrate").await
    }

    /// Polls `query-migrate` (every 10 ms) until completed, failed or `timeout`.
    pub async fn wait_for_migration(
        &mut self,
        timeout: Duration,
    ) -> Result<qmp::MigrationInfo, QemuError> {
        let r = self
            .qmp
            .wait_for_migration(timeout, Duration::from_millis(10))
            .await;
        self.checked(r, "query-migrate").await
    }

    async fn checked<T>(&mut self, r: Result<T, QmpError>, what: &str) -> Result<T, QemuError> {
        let e = match r {
            Ok(v) => return Ok(v),
            Err(e) => e,
        };
        let grace = match &e {
            QmpError::Closed { .. } | QmpError::Io { .. } => EXIT_GRACE,
            QmpError::Timeout { .. } => Duration::ZERO,
            _ => return Err(e.into()),
        };
        match self.wait_exit(grace).await {
            Some(status) => {
                self.output.settle(SETTLE).await;
                Err(QemuError::Exited {
                    label: self.label.clone(),
                    pid: self.pid,
                    during: format!("running QMP {what}"),
                    status,
                    stderr: self.output.text(),
                })
            }
            None => Err(e.into()),
        }
    }

    // ---- gdb, serial, stderr ---------------------------------------------

    /// The gdb-stub connection with [`GdbStub::ConnectBack`] (once; `None`
    /// otherwise). QEMU connected it at startup and does not reconnect
    /// after it is closed.
    pub fn take_gdb_stream(&mut self) -> Option<UnixStream> {
        self.gdb.take()
    }

    /// Where the gdb stub listens with [`GdbStub::Listen`] (`None` otherwise).
    pub fn gdb_socket_path(&self) -> Option<&Path> {
        self.gdb_path.as_deref()
    }

    /// The latest serial output (lossy UTF-8; notes dropped bytes first).
    pub fn serial_text(&self) -> String {
        self.serial.text()
    }

    /// The latest serial output, raw.
    pub fn serial_bytes(&self) -> Vec<u8> {
        self.serial.bytes()
    }

    /// Total serial bytes received so far.
    pub fn serial_total(&self) -> u64 {
        self.serial.total()
    }

    /// Waits until the kept serial output contains `needle`; returns the
    /// stream offset just past it (for [`wait_for_serial_since`](Self::wait_for_serial_since)).
    pub async fn wait_for_serial(
        &mut self,
        needle: &str,
        timeout: Duration,
    ) -> Result<u64, QemuError> {
        self.wait_for_serial_since(0, needle, timeout).await
    }

    /// Like [`wait_for_serial`](Self::wait_for_serial), but only output
    /// from stream offset `since` on counts (e.g. the value
    /// [`serial_total`](Self::serial_total) had before a `cont`, or what
    /// the previous wait returned). Output that has scrolled out of the
    /// kept tail cannot match.
    pub async fn wait_for_serial_since(
        &mut self,
        since: u64,
        needle: &str,
        timeout: Duration,
    ) -> Result<u64, QemuError> {
        match self
            .serial
            .wait_for(needle.as_bytes(), since, timeout)
            .await
        {
            Ok(Some(end)) => Ok(end),
            Ok(None) => match self.wait_exit(EXIT_GRACE).await {
                Some(status) => {
                    self.output.settle(SETTLE).await;
                    Err(QemuError::Exited {
                        label: self.label.clone(),
                        pid: self.pid,
                        during: format!("waiting for {needle:?} on serial"),
                        status,
                        stderr: self.output.text(),
                    })
                }
                None => Err(self.serial_timeout(needle, timeout)),
            },
            Err(()) => Err(self.serial_timeout(needle, timeout)),
        }
    }

    fn serial_timeout(&self, needle: &str, after: Duration) -> QemuError {
        QemuError::SerialTimeout {
            label: self.label.clone(),
            needle: needle.to_owned(),
            after,
            serial: self.serial.text(),
        }
    }

    /// Writes bytes to the guest's serial input (bounded by the command deadline).
    pub async fn write_serial(&mut self, bytes: &[u8]) -> Result<(), QemuError> {
        let label = self.label.clone();
        let err = |source| QemuError::SerialWrite {
            label: label.clone(),
            source,
        };
        let w = self
            .serial_in
            .as_mut()
            .ok_or_else(|| err(io::Error::from(io::ErrorKind::NotConnected)))?;
        match timeout(self.timeouts.command, w.write_all(bytes)).await {
            Ok(r) => r.map_err(err),
            Err(_) => {
                self.serial_in = None;
                Err(err(io::Error::from(io::ErrorKind::TimedOut)))
            }
        }
    }

    /// The latest bytes QEMU wrote to stderr and stdout.
    pub fn stderr_text(&self) -> String {
        self.output.text()
    }

    /// Everything useful for a bug report: identity, exit status, stderr,
    /// serial and QMP transcript.
    pub fn diagnostics(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "guest {} (pid {}, {}), run dir {}",
            self.label,
            self.pid,
            self.program.display(),
            self.run_dir().display()
        );
        let _ = writeln!(s, "exit: {:?}", self.exit);
        let _ = writeln!(s, "--- stderr ---\n{}", self.output.text());
        let _ = writeln!(s, "--- serial ---\n{}", self.serial.text());
        let _ = write!(s, "--- QMP transcript ---\n{}", self.qmp.transcript());
        s
    }

    // ---- process -------------------------------------------------------

    /// The exit status if QEMU has exited (does not wait).
    pub fn try_exit_status(&mut self) -> Option<ExitStatus> {
        if self.exit.is_none() {
            if let Ok(Some(st)) = self.child.try_wait() {
                self.reaped(st);
            }
        }
        self.exit
    }

    fn reaped(&mut self, st: ExitStatus) {
        self.exit = Some(st);
        self.registration = None;
    }

    async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        if let Some(st) = self.try_exit_status() {
            return Some(st);
        }
        if within.is_zero() {
            return None;
        }
        if let Ok(Ok(st)) = timeout(within, self.child.wait()).await {
            self.reaped(st);
        }
        self.exit
    }

    /// Asks QEMU to `quit`, waits for the process until the shutdown
    /// deadline, then SIGKILLs it. Whatever it returns, the process is gone.
    /// `Err(ShutdownTimeout)` means the kill was needed.
    pub async fn shutdown(mut self) -> Result<ExitStatus, QemuError> {
        if let Some(st) = self.try_exit_status() {
            return Ok(st);
        }
        let deadline = Instant::now() + self.timeouts.shutdown;
        match timeout_at(deadline, self.qmp.quit()).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => tracing::warn!(guest = %self.label, "quit failed: {e}"),
            Err(_) => tracing::warn!(guest = %self.label, "quit got no answer"),
        }
        match timeout_at(deadline, self.child.wait()).await {
            Ok(Ok(st)) => {
                self.reaped(st);
                Ok(st)
            }
            Ok(Err(source)) => {
                self.force_kill().await;
                Err(QemuError::Wait {
                    pid: self.pid,
                    source,
                })
            }
            Err(_) => {
                self.force_kill().await;
                Err(QemuError::ShutdownTimeout {
                    label: self.label.clone(),
                    pid: self.pid,
                    after: self.timeouts.shutdown,
                    stderr: self.output.text(),
                })
            }
        }
    }

    /// SIGKILLs QEMU and waits (bounded) for it to be reaped.
    pub async fn kill(mut self) -> Result<ExitStatus, QemuError> {
        if let Some(st) = self.try_exit_status() {
            return Ok(st);
        }
        match self.force_kill().await {
            Some(st) => Ok(st),
            None => Err(QemuError::Wait {
                pid: self.pid,
                source: io::Error::new(io::ErrorKind::TimedOut, "not reaped after SIGKILL"),
            }),
        }
    }

    async fn force_kill(&mut self) -> Option<ExitStatus> {
        let _ = self.child.start_kill();
        self.wait_exit(KILL_WAIT).await
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        if self.exit.is_none() {
            // SIGKILL now; tokio reaps the zombie in the background.
            let _ = self.child.start_kill();
        }
    }
}

/// Borrowed launch state, to report an early exit with its stderr.
struct Launching<'a> {
    child: &'a mut Child,
    pid: u32,
    label: &'a str,
    output: &'a Tail,
}

impl Launching<'_> {
    async fn exited(&mut self, st: io::Result<ExitStatus>, during: &str) -> QemuError {
        match st {
            Ok(status) => {
                self.output.settle(SETTLE).await;
                QemuError::Exited {
                    label: self.label.to_owned(),
                    pid: self.pid,
                    during: during.to_owned(),
                    status,
                    stderr: self.output.text(),
                }
            }
            Err(source) => QemuError::Wait {
                pid: self.pid,
                source,
            },
        }
    }

    /// A QMP failure during launch: blame the process if it died.
    async fn explain(&mut self, e: QmpError, during: &str) -> QemuError {
        let grace = if e.is_closed() {
            EXIT_GRACE
        } else {
            Duration::ZERO
        };
        let st = if grace.is_zero() {
            self.child.try_wait().ok().flatten()
        } else {
            timeout(grace, self.child.wait())
                .await
                .ok()
                .and_then(Result::ok)
        };
        match st {
            Some(status) => self.exited(Ok(status), during).await,
            None => QemuError::Qmp(e),
        }
    }
}

fn bind(path: &Path) -> Result<UnixListener, QemuError> {
    UnixListener::bind(path).map_err(|source| QemuError::Bind {
        path: path.to_owned(),
        source,
    })
}

async fn accept_opt(l: Option<&UnixListener>) -> io::Result<UnixStream> {
    match l {
        Some(l) => l.accept().await.map(|(s, _)| s),
        None => std::future::pending().await,
    }
}

/// The full argument vector [`Guest::launch`] would use for `config` with
/// sockets in `run_dir` (without the program), for logs and reproduction.
pub fn command_line(config: &LaunchConfig, run_dir: &Path) -> Vec<OsString> {
    let mut v: Vec<OsString> = ["-nodefaults", "-no-user-config", "-nographic"]
        .into_iter()
        .map(OsString::from)
        .collect();
    let mut add = |id: &str, file: &str, opt: &str, val: &str| {
        v.push("-chardev".into());
        v.push(connect_back_chardev(id, &run_dir.join(file)));
        v.push(opt.into());
        v.push(val.into());
    };
    add(
        "ppcr-qmp",
        "qmp.sock",
        "-mon",
        "chardev=ppcr-qmp,mode=control",
    );
    add(
        "ppcr-serial",
        "serial.sock",
        "-serial",
        "chardev:ppcr-serial",
    );
    match config.gdb {
        GdbStub::Off => {}
        GdbStub::ConnectBack => add("ppcr-gdb", "gdb.sock", "-gdb", "chardev:ppcr-gdb"),
        GdbStub::Listen => {
            let path = run_dir
                .join("gdb.sock")
                .to_string_lossy()
                .replace(',', ",,");
            v.push("-chardev".into());
            v.push(format!("socket,id=ppcr-gdb,path={path},server=on,wait=off").into());
            v.push("-gdb".into());
            v.push("chardev:ppcr-gdb".into());
        }
    }
    v.extend(config.args.iter().cloned());
    v
}
