//! The client: request/reply exchanges with deadlines, acks and retries.
//!
//! Every public operation runs under a deadline (the client's timeout,
//! [`Client::set_timeout`] or [`Client::with_timeout`] to change it). A
//! failure that may leave bytes of a late reply on the wire poisons the
//! client (see [`GdbError::desynchronizes`]); waiting for a stop is the
//! exception, since the target simply keeps running and a later
//! [`Client::wait_for_stop`] or [`Client::interrupt`] can still pick the stop
//! reply up.

use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::UnixStream;
use tracing::{debug, trace};

use crate::error::{GdbError, Result};
use crate::packet::{self, hex_decode, hex_encode, preview, Frame};
use crate::register::RegisterValue;
use crate::stop::StopReply;
use crate::target_xml::{includes, TargetDescription};
use crate::thread::ThreadId;
use crate::transcript::{Direction, Transcript};

/// Packet size assumed until the stub says otherwise (gdb's default).
pub const DEFAULT_PACKET_SIZE: usize = 400;
/// Most files a target description may span.
pub const MAX_DESCRIPTION_FILES: usize = 64;
/// Most bytes of one `qXfer` object.
pub const MAX_XFER_BYTES: usize = 4 << 20;
/// Most pages of a `qfThreadInfo`/`qsThreadInfo` listing.
pub const MAX_THREAD_PAGES: usize = 4096;

const QSUPPORTED: &[u8] = b"qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+";
const PREVIEW: usize = 120;

/// Tunables of a [`Client`].
#[derive(Debug, Clone)]
pub struct Config {
    /// Default deadline of every operation.
    pub timeout: Duration,
    /// Largest packet payload accepted from the stub, before and after
    /// run-length decoding.
    pub max_packet: usize,
    /// How many times a packet is resent after `-`, and how many bad
    /// checksums are answered with `-` before giving up.
    pub max_retries: u32,
    /// Junk bytes (outside any packet) tolerated within one operation.
    pub max_junk: usize,
    /// Entries kept in the transcript.
    pub transcript_entries: usize,
    /// Bytes of each transcript entry kept.
    pub transcript_preview: usize,
    /// Bytes of console output (`O` packets) kept.
    pub max_console: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timeout: Duration::from_secs(5),
            max_packet: 256 << 10,
            max_retries: 3,
            max_junk: 4096,
            transcript_entries: 256,
            transcript_preview: 200,
            max_console: 64 << 10,
        }
    }
}

/// The stub's `qSupported` answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Supported {
    raw: String,
    features: BTreeMap<String, String>,
}

impl Supported {
    /// Parses `name=value;name+;name-;...`.
    pub fn parse(reply: &str) -> Self {
        let mut features = BTreeMap::new();
        for item in reply.split(';').filter(|s| !s.is_empty()) {
            let (k, v) = if let Some((k, v)) = item.split_once('=') {
                (k, v)
            } else if let Some(k) = item.strip_suffix(['+', '-', '?']) {
                (k, &item[k.len()..])
            } else {
                (item, "")
            };
            features.insert(k.to_string(), v.to_string());
        }
        Supported {
            raw: reply.to_string(),
            features,
        }
    }

    /// The stub's `PacketSize` (hex in the reply).
    pub fn packet_size(&self) -> Option<usize> {
        packet::parse_hex_u64(self.value("PacketSize")?.as_bytes())
            .and_then(|n| usize::try_from(n).ok())
    }

    /// Whether the stub offers `name+`.
    pub fn offers(&self, name: &str) -> bool {
        self.value(name) == Some("+")
    }

    /// The value given for `name` (`+`, `-`, `?` or the text after `=`).
    pub fn value(&self, name: &str) -> Option<&str> {
        self.features.get(name).map(String::as_str)
    }

    /// The reply as received.
    pub fn raw(&self) -> &str {
        &self.raw
    }
}

/// Breakpoint and watchpoint types (`Z0`..`Z4`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BreakpointKind {
    /// `Z0`: software breakpoint.
    Software,
    /// `Z1`: hardware breakpoint.
    Hardware,
    /// `Z2`: write watchpoint.
    WriteWatch,
    /// `Z3`: read watchpoint.
    ReadWatch,
    /// `Z4`: access watchpoint.
    AccessWatch,
}

impl BreakpointKind {
    fn code(self) -> u8 {
        match self {
            BreakpointKind::Software => 0,
            BreakpointKind::Hardware => 1,
            BreakpointKind::WriteWatch => 2,
            BreakpointKind::ReadWatch => 3,
            BreakpointKind::AccessWatch => 4,
        }
    }
}

/// What one thread should do on resume (`vCont`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResumeAction {
    /// `c`.
    Continue,
    /// `s`.
    Step,
    /// `Csig`.
    ContinueWithSignal(u8),
    /// `Ssig`.
    StepWithSignal(u8),
}

impl ResumeAction {
    fn wire(self) -> (String, &'static str) {
        match self {
            ResumeAction::Continue => ("c".into(), "c"),
            ResumeAction::Step => ("s".into(), "s"),
            ResumeAction::ContinueWithSignal(s) => (format!("C{s:02x}"), "C"),
            ResumeAction::StepWithSignal(s) => (format!("S{s:02x}"), "S"),
        }
    }
}

/// One `vCont` action, for one thread or (with `None`) all others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VContAction {
    /// What to do.
    pub action: ResumeAction,
    /// Which thread; `None` applies to every thread not named before.
    pub thread: Option<ThreadId>,
}

/// An async GDB remote protocol client over any byte stream.
pub struct Client<S> {
    io: S,
    rbuf: Vec<u8>,
    cfg: Config,
    timeout: Duration,
    supported: Option<Supported>,
    x_packet: Option<bool>,
    vcont: Option<Vec<String>>,
    running: bool,
    poisoned: Option<String>,
    transcript: Transcript,
    console: Vec<u8>,
}

impl<S> std::fmt::Debug for Client<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("timeout", &self.timeout)
            .field("running", &self.running)
            .field("poisoned", &self.poisoned)
            .field("supported", &self.supported)
            .finish_non_exhaustive()
    }
}

/// Runs `$fut` under the client's current deadline and poisons the client
/// when the failure leaves the stream in an unknown state.
macro_rules! deadline {
    ($self:ident, $op:expr, poison_on_timeout = $poison:expr, $fut:expr) => {{
        let after = $self.timeout;
        let op: &str = $op;
        let result = match tokio::time::timeout(after, $fut).await {
            Ok(r) => r,
            Err(_) => Err(GdbError::Timeout {
                op: op.to_string(),
                after,
            }),
        };
        $self.settle(&result, $poison);
        result
    }};
}

impl Client<UnixStream> {
    /// Connects to a stub listening on a Unix socket (QEMU's
    /// `-chardev socket,path=P,server=on -gdb chardev:ID`).
    pub async fn connect_unix(path: impl AsRef<Path>) -> Result<Self> {
        Self::connect_unix_with(path, Config::default()).await
    }

    /// [`Client::connect_unix`] with a custom configuration; the connect
    /// itself is bounded by `config.timeout`.
    pub async fn connect_unix_with(path: impl AsRef<Path>, config: Config) -> Result<Self> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let stream = match tokio::time::timeout(config.timeout, UnixStream::connect(path)).await {
            Ok(Ok(s)) => s,
            Ok(Err(source)) => {
                return Err(GdbError::Connect {
                    path: shown,
                    source,
                })
            }
            Err(_) => {
                return Err(GdbError::Timeout {
                    op: format!("connect {shown}"),
                    after: config.timeout,
                })
            }
        };
        Ok(Client::with_config(stream, config))
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Client<S> {
    /// A client over `io` with the default configuration. Nothing is sent
    /// until the first operation.
    pub fn new(io: S) -> Self {
        Self::with_config(io, Config::default())
    }

    /// A client over `io` with `config`.
    pub fn with_config(io: S, config: Config) -> Self {
        Client {
            io,
            rbuf: Vec::new(),
            timeout: config.timeout,
            transcript: Transcript::new(config.transcript_entries, config.transcript_preview),
            cfg: config,
            supported: None,
            x_packet: None,
            vcont: None,
            running: false,
            poisoned: None,
            console: Vec::new(),
        }
    }

    /// The current default deadline.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Changes the default deadline.
    pub fn set_timeout(&mut self, timeout: Duration) {
        self.timeout = timeout;
    }

    /// Borrows the client with another deadline for the operations called
    /// through the guard; the old deadline comes back when it drops:
    /// `client.with_timeout(Duration::from_secs(60)).wait_for_stop().await`.
    pub fn with_timeout(&mut self, timeout: Duration) -> WithTimeout<'_, S> {
        let previous = std::mem::replace(&mut self.timeout, timeout);
        WithTimeout {
            client: self,
            previous,
        }
    }

    /// The recent wire exchange.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// Console output the stub sent in `O` packets (bounded, newest kept).
    pub fn console_output(&self) -> &[u8] {
        &self.console
    }

    /// Whether the target was resumed and no stop reply has arrived yet.
    pub fn is_running(&self) -> bool {
        self.running
    }

    /// The `qSupported` answer, once queried.
    pub fn supported(&self) -> Option<&Supported> {
        self.supported.as_ref()
    }

    /// Why the client refuses further requests, if it does.
    pub fn poisoned(&self) -> Option<&str> {
        self.poisoned.as_deref()
    }

    /// Gives the stream back.
    pub fn into_inner(self) -> S {
        self.io
    }

    // ---- operations -------------------------------------------------------

    /// `qSupported`: negotiates features; also learns `PacketSize`, which
    /// later memory and `qXfer` requests use to size their chunks.
    pub async fn query_supported(&mut self) -> Result<Supported> {
        self.ready("qSupported")?;
        deadline!(
            self,
            "qSupported",
            poison_on_timeout = true,
            self.query_supported_inner()
        )
    }

    /// `?`: why the target is halted.
    pub async fn halt_reason(&mut self) -> Result<StopReply> {
        self.ready("?")?;
        deadline!(self, "?", poison_on_timeout = true, async {
            let reply = self.exchange("?", b"?").await?;
            let reply = check_error("?", &reply)?;
            StopReply::parse(reply).map_err(|reason| malformed("?", reason, reply))
        })
    }

    /// `qfThreadInfo`/`qsThreadInfo`: every thread (one per vCPU in QEMU).
    pub async fn thread_ids(&mut self) -> Result<Vec<ThreadId>> {
        self.ready("qfThreadInfo")?;
        deadline!(self, "qfThreadInfo", poison_on_timeout = true, async {
            let mut out = Vec::new();
            let mut cmd = "qfThreadInfo";
            for _ in 0..MAX_THREAD_PAGES {
                let reply = self.exchange(cmd, cmd.as_bytes()).await?;
                let reply = check_error(cmd, &reply)?;
                let (last, list) = match reply.split_first() {
                    Some((b'l', rest)) => (true, rest),
                    Some((b'm', rest)) => (false, rest),
                    _ => return Err(malformed(cmd, "expected m or l", reply)),
                };
                let text =
                    std::str::from_utf8(list).map_err(|_| malformed(cmd, "not UTF-8", reply))?;
                for id in text.split(',').filter(|s| !s.is_empty()) {
                    out.push(
                        ThreadId::parse(id).ok_or_else(|| {
                            malformed(cmd, format!("bad thread id {id:?}"), reply)
                        })?,
                    );
                }
                if last {
                    return Ok(out);
                }
                if list.is_empty() {
                    return Err(malformed(cmd, "empty m page", reply));
                }
                cmd = "qsThreadInfo";
            }
            Err(GdbError::Malformed {
                command: "qsThreadInfo".into(),
                reason: format!("more than {MAX_THREAD_PAGES} pages"),
                reply: String::new(),
            })
        })
    }

    /// `Hg`: selects the thread (vCPU) that register and memory requests use.
    pub async fn set_general_thread(&mut self, thread: ThreadId) -> Result<()> {
        let cmd = format!("Hg{thread}");
        self.simple_ok(&cmd).await
    }

    /// `g`: all registers the stub puts in `g` (on QEMU ppc the core ones:
    /// 296 bytes on ppc64, 152 on ppc32), in the guest's current byte order.
    /// [`TargetDescription::g_layout`] splits them.
    pub async fn read_registers(&mut self) -> Result<Vec<u8>> {
        self.hex_query("g").await
    }

    /// `G`: writes the block [`Client::read_registers`] returns.
    pub async fn write_registers(&mut self, bytes: &[u8]) -> Result<()> {
        let cmd = format!("G{}", hex_encode(bytes));
        self.simple_ok(&cmd).await
    }

    /// `p`: one register by number (from the target description).
    pub async fn read_register(&mut self, regnum: u32) -> Result<RegisterValue> {
        self.hex_query(&format!("p{regnum:x}"))
            .await
            .map(RegisterValue::new)
    }

    /// `P`: writes one register; `bytes` in the guest's current byte order.
    pub async fn write_register(&mut self, regnum: u32, bytes: &[u8]) -> Result<()> {
        let cmd = format!("P{regnum:x}={}", hex_encode(bytes));
        self.simple_ok(&cmd).await
    }

    /// `m`: reads `len` bytes at `addr`, in chunks that fit `PacketSize`.
    pub async fn read_memory(&mut self, addr: u64, len: usize) -> Result<Vec<u8>> {
        let op = format!("m{addr:x},{len:x}");
        self.ready(&op)?;
        check_range(&op, addr, len)?;
        deadline!(self, &op, poison_on_timeout = true, async {
            self.ensure_supported().await?;
            let chunk = ((self.packet_size() - 8) / 2).max(1);
            // The caller chose len, but it may come from a hostile image: cap the
            // up-front allocation.
            let mut out = Vec::with_capacity(len.min(1 << 20));
            while out.len() < len {
                let at = addr + out.len() as u64;
                let want = (len - out.len()).min(chunk);
                let cmd = format!("m{at:x},{want:x}");
                let reply = self.exchange(&cmd, cmd.as_bytes()).await?;
                let hex = check_error(&cmd, &reply)?;
                let data = hex_decode(hex).map_err(|e| malformed(&cmd, e.to_string(), hex))?;
                if data.is_empty() || data.len() > want {
                    let reason = format!("{} bytes for a {want}-byte read", data.len());
                    return Err(malformed(&cmd, reason, hex));
                }
                out.extend_from_slice(&data);
            }
            Ok(out)
        })
    }

    /// Writes `data` at `addr`: with `X` (binary) when the stub takes it,
    /// else `M` (hex; QEMU has no `X`), in chunks that fit `PacketSize`.
    pub async fn write_memory(&mut self, addr: u64, data: &[u8]) -> Result<()> {
        let op = format!("M{addr:x},{:x}", data.len());
        self.ready(&op)?;
        check_range(&op, addr, data.len())?;
        deadline!(self, &op, poison_on_timeout = true, async {
            self.ensure_supported().await?;
            // Worst case both forms double the data, plus the header.
            let chunk = ((self.packet_size() - 40) / 2).max(1);
            for (i, part) in data.chunks(chunk).enumerate() {
                let at = addr + (i * chunk) as u64;
                if self.x_packet != Some(false) {
                    let mut cmd = format!("X{at:x},{:x}:", part.len()).into_bytes();
                    cmd.extend_from_slice(&packet::escape_binary(part));
                    let name = format!("X{at:x},{:x}", part.len());
                    let reply = self.exchange(&name, &cmd).await?;
                    match expect_ok(&name, &reply) {
                        Ok(()) => {
                            self.x_packet = Some(true);
                            continue;
                        }
                        Err(GdbError::Unsupported { .. }) if self.x_packet.is_none() => {
                            debug!("stub has no X packet; using M");
                            self.x_packet = Some(false);
                        }
                        Err(e) => return Err(e),
                    }
                }
                let cmd = format!("M{at:x},{:x}:{}", part.len(), hex_encode(part));
                let reply = self.exchange(&cmd, cmd.as_bytes()).await?;
                expect_ok(&cmd, &reply)?;
            }
            Ok(())
        })
    }

    /// `Z`: inserts a breakpoint or watchpoint; `kind` is the length (4 for
    /// a PowerPC software breakpoint, the watched length for watchpoints).
    pub async fn insert_breakpoint(
        &mut self,
        ty: BreakpointKind,
        addr: u64,
        kind: u64,
    ) -> Result<()> {
        self.simple_ok(&format!("Z{},{addr:x},{kind:x}", ty.code()))
            .await
    }

    /// `z`: removes what [`Client::insert_breakpoint`] inserted.
    pub async fn remove_breakpoint(
        &mut self,
        ty: BreakpointKind,
        addr: u64,
        kind: u64,
    ) -> Result<()> {
        self.simple_ok(&format!("z{},{addr:x},{kind:x}", ty.code()))
            .await
    }

    /// `c`: resumes and returns at once; then [`Client::wait_for_stop`] or
    /// [`Client::interrupt`].
    pub async fn resume(&mut self) -> Result<()> {
        self.start_running("c", b"c").await
    }

    /// `s`: single-steps and waits for the stop reply. Sending and waiting
    /// each get the deadline; if the wait times out the target counts as
    /// running (use [`Client::wait_for_stop`] or [`Client::interrupt`]).
    pub async fn step(&mut self) -> Result<StopReply> {
        self.start_running("s", b"s").await?;
        self.wait_for_stop().await
    }

    /// `vCont?`: the actions the stub supports (`c`, `C`, `s`, `S`, ...).
    pub async fn vcont_actions(&mut self) -> Result<Vec<String>> {
        self.ready("vCont?")?;
        deadline!(self, "vCont?", poison_on_timeout = true, self.vcont_inner())
    }

    /// `vCont`: resumes threads with per-thread actions and returns at once.
    pub async fn vcont(&mut self, actions: &[VContAction]) -> Result<()> {
        if actions.is_empty() {
            return Err(GdbError::InvalidArgument {
                op: "vCont".into(),
                reason: "no actions".into(),
            });
        }
        self.ready("vCont")?;
        let offered = deadline!(self, "vCont?", poison_on_timeout = true, self.vcont_inner())?;
        let mut cmd = String::from("vCont");
        for a in actions {
            let (text, letter) = a.action.wire();
            if !offered.iter().any(|o| o == letter) {
                return Err(GdbError::Unsupported {
                    command: format!("vCont;{text}"),
                });
            }
            cmd.push(';');
            cmd.push_str(&text);
            if let Some(t) = a.thread {
                cmd.push_str(&format!(":{t}"));
            }
        }
        self.start_running(&cmd, cmd.as_bytes()).await
    }

    /// Waits for the stop reply after a resume, within the deadline. A
    /// timeout leaves the target running and the client usable.
    pub async fn wait_for_stop(&mut self) -> Result<StopReply> {
        self.check_poison("wait for stop")?;
        if !self.running {
            return Err(GdbError::NotRunning {
                op: "wait for stop".into(),
            });
        }
        deadline!(
            self,
            "wait for stop",
            poison_on_timeout = false,
            self.stop_reply_inner()
        )
    }

    /// Sends the interrupt byte (0x03) and waits for the stop reply. If the
    /// target stopped on its own meanwhile, that stop reply is returned.
    pub async fn interrupt(&mut self) -> Result<StopReply> {
        self.check_poison("interrupt")?;
        if !self.running {
            return Err(GdbError::NotRunning {
                op: "interrupt".into(),
            });
        }
        deadline!(self, "interrupt", poison_on_timeout = false, async {
            self.write_wire("interrupt", &[packet::INTERRUPT], None)
                .await?;
            self.stop_reply_inner().await
        })
    }

    /// `qXfer:features:read:<annex>`: one file of the target description,
    /// fetched in `m`/`l` chunks.
    pub async fn read_feature_file(&mut self, annex: &str) -> Result<Vec<u8>> {
        let op = format!("qXfer:features:read:{annex}");
        self.ready(&op)?;
        deadline!(self, &op, poison_on_timeout = true, self.xfer_inner(annex))
    }

    /// The full target description: `target.xml` and every file it
    /// includes, numbered as gdb numbers them.
    pub async fn target_description(&mut self) -> Result<TargetDescription> {
        self.ready("target description")?;
        deadline!(
            self,
            "target description",
            poison_on_timeout = true,
            async {
                let mut docs = BTreeMap::new();
                let mut queue = vec!["target.xml".to_string()];
                while let Some(file) = queue.pop() {
                    if docs.contains_key(&file) {
                        continue;
                    }
                    if docs.len() == MAX_DESCRIPTION_FILES {
                        return Err(GdbError::TargetXml {
                            file,
                            reason: format!("more than {MAX_DESCRIPTION_FILES} files"),
                        });
                    }
                    let bytes = self.xfer_inner(&file).await?;
                    let text = String::from_utf8(bytes).map_err(|_| GdbError::TargetXml {
                        file: file.clone(),
                        reason: "not UTF-8".into(),
                    })?;
                    let mut inc = includes(&file, &text)?;
                    inc.reverse();
                    queue.extend(inc);
                    docs.insert(file, text);
                }
                TargetDescription::from_documents("target.xml", &docs)
            }
        )
    }

    /// Sends any packet payload and returns the decoded reply as is (for
    /// `qqemu.sstepbits`, `Qqemu.PhyMemMode:1`, ...). The payload must not
    /// need escaping.
    pub async fn raw_request(&mut self, payload: &[u8]) -> Result<Vec<u8>> {
        let op = preview(payload, 40);
        self.ready(&op)?;
        deadline!(
            self,
            &op,
            poison_on_timeout = true,
            self.exchange(&op, payload)
        )
    }

    // ---- building blocks -------------------------------------------------

    fn check_poison(&self, _op: &str) -> Result<()> {
        match &self.poisoned {
            Some(cause) => Err(GdbError::Desynchronized {
                cause: cause.clone(),
            }),
            None => Ok(()),
        }
    }

    fn ready(&self, op: &str) -> Result<()> {
        self.check_poison(op)?;
        if self.running {
            return Err(GdbError::Running { op: op.into() });
        }
        Ok(())
    }

    fn settle<T>(&mut self, result: &Result<T>, poison_on_timeout: bool) {
        if let Err(e) = result {
            let poisons = match e {
                GdbError::Timeout { .. } => poison_on_timeout,
                GdbError::Malformed { .. } if self.running => true,
                other => other.desynchronizes(),
            };
            debug!(error = %e, poisons, "GDB operation failed");
            if poisons && self.poisoned.is_none() {
                self.poisoned = Some(e.to_string());
            }
        }
    }

    fn packet_size(&self) -> usize {
        self.supported
            .as_ref()
            .and_then(Supported::packet_size)
            .unwrap_or(DEFAULT_PACKET_SIZE)
            .clamp(64, self.cfg.max_packet.max(64))
    }

    async fn simple_ok(&mut self, cmd: &str) -> Result<()> {
        self.ready(cmd)?;
        deadline!(self, cmd, poison_on_timeout = true, async {
            let reply = self.exchange(cmd, cmd.as_bytes()).await?;
            expect_ok(cmd, &reply)
        })
    }

    async fn hex_query(&mut self, cmd: &str) -> Result<Vec<u8>> {
        self.ready(cmd)?;
        deadline!(self, cmd, poison_on_timeout = true, async {
            let reply = self.exchange(cmd, cmd.as_bytes()).await?;
            let hex = check_error(cmd, &reply)?;
            hex_decode(hex).map_err(|e| malformed(cmd, e.to_string(), hex))
        })
    }

    async fn start_running(&mut self, op: &str, payload: &[u8]) -> Result<()> {
        self.ready(op)?;
        deadline!(self, op, poison_on_timeout = true, async {
            self.send_packet(op, payload).await?;
            self.running = true;
            Ok(())
        })
    }

    async fn query_supported_inner(&mut self) -> Result<Supported> {
        let reply = self.exchange("qSupported", QSUPPORTED).await?;
        let reply = check_error("qSupported", &reply)?;
        let text =
            std::str::from_utf8(reply).map_err(|_| malformed("qSupported", "not UTF-8", reply))?;
        let s = Supported::parse(text);
        self.supported = Some(s.clone());
        Ok(s)
    }

    async fn ensure_supported(&mut self) -> Result<()> {
        if self.supported.is_none() {
            match self.query_supported_inner().await {
                Ok(_) => {}
                Err(GdbError::Unsupported { .. }) => self.supported = Some(Supported::default()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn vcont_inner(&mut self) -> Result<Vec<String>> {
        if let Some(v) = &self.vcont {
            return Ok(v.clone());
        }
        let reply = self.exchange("vCont?", b"vCont?").await?;
        let reply = check_error("vCont?", &reply)?;
        let text = std::str::from_utf8(reply)
            .ok()
            .and_then(|t| t.strip_prefix("vCont"))
            .ok_or_else(|| malformed("vCont?", "expected vCont;...", reply))?;
        let actions: Vec<String> = text
            .split(';')
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect();
        self.vcont = Some(actions.clone());
        Ok(actions)
    }

    async fn stop_reply_inner(&mut self) -> Result<StopReply> {
        let reply = self.recv_reply("stop reply").await?;
        let stop =
            StopReply::parse(&reply).map_err(|reason| malformed("stop reply", reason, &reply))?;
        self.running = false;
        Ok(stop)
    }

    async fn xfer_inner(&mut self, annex: &str) -> Result<Vec<u8>> {
        self.ensure_supported().await?;
        if let Some(s) = &self.supported {
            if s.value("qXfer:features:read").is_some_and(|v| v != "+") {
                return Err(GdbError::Unsupported {
                    command: format!("qXfer:features:read:{annex}"),
                });
            }
        }
        let chunk = (self.packet_size() - 8) / 2;
        let mut out = Vec::new();
        loop {
            let cmd = format!("qXfer:features:read:{annex}:{:x},{chunk:x}", out.len());
            let reply = self.exchange(&cmd, cmd.as_bytes()).await?;
            let reply = check_error(&cmd, &reply)?;
            let (last, data) = match reply.split_first() {
                Some((b'l', rest)) => (true, rest),
                Some((b'm', rest)) => (false, rest),
                _ => return Err(malformed(&cmd, "expected m or l", reply)),
            };
            let data =
                packet::unescape_binary(data).map_err(|e| malformed(&cmd, e.to_string(), reply))?;
            if out.len() + data.len() > MAX_XFER_BYTES {
                return Err(malformed(
                    &cmd,
                    format!("object larger than {MAX_XFER_BYTES} bytes"),
                    reply,
                ));
            }
            if !last && data.is_empty() {
                return Err(malformed(&cmd, "empty m chunk (no progress)", reply));
            }
            out.extend_from_slice(&data);
            if last {
                return Ok(out);
            }
        }
    }

    /// Sends `payload` and returns the reply (console output skipped).
    async fn exchange(&mut self, op: &str, payload: &[u8]) -> Result<Vec<u8>> {
        self.send_packet(op, payload).await?;
        self.recv_reply(op).await
    }

    async fn write_wire(
        &mut self,
        op: &str,
        bytes: &[u8],
        note: Option<&'static str>,
    ) -> Result<()> {
        trace!(target: "ppcr_gdb::wire", "-> {}", preview(bytes, PREVIEW));
        self.transcript.record(Direction::Sent, bytes, note);
        let io_err = |source| GdbError::Io {
            op: op.into(),
            source,
        };
        self.io.write_all(bytes).await.map_err(io_err)?;
        self.io.flush().await.map_err(io_err)
    }

    async fn next_frame(&mut self, op: &str) -> Result<Frame> {
        loop {
            match packet::scan(&mut self.rbuf, self.cfg.max_packet) {
                Ok(Some(frame)) => {
                    self.record_frame(&frame);
                    return Ok(frame);
                }
                Ok(None) => {}
                Err(packet::TooLarge { limit }) => {
                    let head = self.rbuf[..self.rbuf.len().min(64)].to_vec();
                    self.transcript
                        .record(Direction::Received, &head, Some("oversized packet"));
                    self.rbuf.clear();
                    return Err(GdbError::PacketTooLarge {
                        op: op.into(),
                        limit,
                    });
                }
            }
            let mut tmp = [0u8; 4096];
            let n = self
                .io
                .read(&mut tmp)
                .await
                .map_err(|source| GdbError::Io {
                    op: op.into(),
                    source,
                })?;
            if n == 0 {
                if !self.rbuf.is_empty() {
                    let rest = std::mem::take(&mut self.rbuf);
                    self.transcript
                        .record(Direction::Received, &rest, Some("cut off by close"));
                    return Err(GdbError::Closed {
                        op: op.into(),
                        partial_bytes: rest.len(),
                    });
                }
                return Err(GdbError::Closed {
                    op: op.into(),
                    partial_bytes: 0,
                });
            }
            self.rbuf.extend_from_slice(&tmp[..n]);
        }
    }

    fn record_frame(&mut self, frame: &Frame) {
        let (bytes, note): (Vec<u8>, Option<&'static str>) = match frame {
            Frame::Ack => (vec![packet::ACK], None),
            Frame::Nak => (vec![packet::NAK], None),
            Frame::Packet {
                payload,
                found,
                computed,
            } => {
                let mut b = Vec::with_capacity(payload.len() + 4);
                b.push(b'$');
                b.extend_from_slice(payload);
                match found {
                    Some(c) => b.extend_from_slice(format!("#{c:02x}").as_bytes()),
                    None => b.extend_from_slice(b"#??"),
                }
                let note = (*found != Some(*computed)).then_some("bad checksum");
                (b, note)
            }
            Frame::Notification(p) => {
                let mut b = vec![b'%'];
                b.extend_from_slice(p);
                (b, Some("notification, ignored"))
            }
            Frame::Junk(j) => (j.clone(), Some("junk, skipped")),
        };
        trace!(target: "ppcr_gdb::wire", "<- {}", preview(&bytes, PREVIEW));
        self.transcript.record(Direction::Received, &bytes, note);
    }

    /// Sends one packet and waits for its `+`, resending on `-`.
    async fn send_packet(&mut self, op: &str, payload: &[u8]) -> Result<()> {
        let framed = packet::frame(payload);
        self.write_wire(op, &framed, None).await?;
        let mut naks = 0;
        let mut junk = JunkCounter::default();
        loop {
            match self.next_frame(op).await? {
                Frame::Ack => return Ok(()),
                Frame::Nak => {
                    naks += 1;
                    if naks > self.cfg.max_retries {
                        return Err(GdbError::Rejected {
                            op: op.into(),
                            naks,
                        });
                    }
                    debug!(op, naks, "stub sent '-', resending");
                    self.write_wire(op, &framed, Some("resend after '-'"))
                        .await?;
                }
                f @ Frame::Packet { .. } => {
                    // A packet before our ack: not an answer to this request.
                    debug!(op, "packet before the ack; acknowledged and dropped");
                    if f.checksum_ok() {
                        self.write_wire(op, &[packet::ACK], Some("ack for a dropped packet"))
                            .await?;
                    }
                    junk.add(self, op, 1)?;
                }
                Frame::Notification(_) => {}
                Frame::Junk(j) => junk.add_bytes(self, op, &j)?,
            }
        }
    }

    /// Receives one packet, acknowledging it, NAKing bad checksums.
    async fn recv_packet(&mut self, op: &str) -> Result<Vec<u8>> {
        let mut bad = 0;
        let mut junk = JunkCounter::default();
        loop {
            match self.next_frame(op).await? {
                Frame::Packet {
                    payload,
                    found,
                    computed,
                } => {
                    if found == Some(computed) {
                        self.write_wire(op, &[packet::ACK], None).await?;
                        return packet::rle_decode(&payload, self.cfg.max_packet)
                            .map_err(|e| malformed(op, e.to_string(), &payload));
                    }
                    bad += 1;
                    if bad > self.cfg.max_retries {
                        return Err(GdbError::BadChecksum {
                            op: op.into(),
                            retries: self.cfg.max_retries,
                            found: found.unwrap_or(0),
                            computed,
                            packet: preview(&payload, PREVIEW),
                        });
                    }
                    debug!(op, bad, "bad checksum from the stub; sending '-'");
                    self.write_wire(op, &[packet::NAK], Some("bad checksum"))
                        .await?;
                }
                Frame::Ack | Frame::Nak | Frame::Notification(_) => {}
                Frame::Junk(j) => junk.add_bytes(self, op, &j)?,
            }
        }
    }

    /// Receives the next reply that is not console output.
    async fn recv_reply(&mut self, op: &str) -> Result<Vec<u8>> {
        loop {
            let reply = self.recv_packet(op).await?;
            if let Some(text) = console_text(&reply) {
                let keep = self.cfg.max_console;
                self.console.extend_from_slice(&text);
                if self.console.len() > keep {
                    let cut = self.console.len() - keep;
                    self.console.drain(..cut);
                }
                continue;
            }
            return Ok(reply);
        }
    }
}

/// Counts junk bytes within one packet exchange and fails past the limit.
#[derive(Default)]
struct JunkCounter {
    count: usize,
    sample: Vec<u8>,
}

impl JunkCounter {
    fn add_bytes<S>(&mut self, client: &Client<S>, op: &str, bytes: &[u8]) -> Result<()> {
        if self.sample.len() < 64 {
            let take = bytes.len().min(64 - self.sample.len());
            self.sample.extend_from_slice(&bytes[..take]);
        }
        self.add(client, op, bytes.len())
    }

    fn add<S>(&mut self, client: &Client<S>, op: &str, n: usize) -> Result<()> {
        self.count += n;
        debug!(op, bytes = n, "skipping junk from the stub");
        if self.count > client.cfg.max_junk {
            return Err(GdbError::Garbage {
                op: op.into(),
                count: self.count,
                sample: preview(&self.sample, 64),
            });
        }
        Ok(())
    }
}

/// A guard from [`Client::with_timeout`]; derefs to the client.
pub struct WithTimeout<'a, S> {
    client: &'a mut Client<S>,
    previous: Duration,
}

impl<S> Deref for WithTimeout<'_, S> {
    type Target = Client<S>;
    fn deref(&self) -> &Client<S> {
        self.client
    }
}

impl<S> DerefMut for WithTimeout<'_, S> {
    fn deref_mut(&mut self) -> &mut Client<S> {
        self.client
    }
}

impl<S> Drop for WithTimeout<'_, S> {
    fn drop(&mut self) {
        self.client.timeout = self.previous;
    }
}

/// `O<hex>` console output (never `OK`).
fn console_text(reply: &[u8]) -> Option<Vec<u8>> {
    let hex = reply.strip_prefix(b"O")?;
    if hex.is_empty() {
        return None;
    }
    hex_decode(hex).ok()
}

fn malformed(command: &str, reason: impl Into<String>, reply: &[u8]) -> GdbError {
    GdbError::Malformed {
        command: command.into(),
        reason: reason.into(),
        reply: preview(reply, PREVIEW),
    }
}

/// Maps the empty reply and `Exx`/`E.text` to errors; passes others on.
fn check_error<'a>(command: &str, reply: &'a [u8]) -> Result<&'a [u8]> {
    if reply.is_empty() {
        return Err(GdbError::Unsupported {
            command: command.into(),
        });
    }
    let is_code =
        reply.len() == 3 && reply[0] == b'E' && packet::parse_hex_u64(&reply[1..]).is_some();
    if is_code || reply.starts_with(b"E.") {
        return Err(GdbError::ErrorReply {
            command: command.into(),
            code: is_code.then(|| packet::parse_hex_u64(&reply[1..]).unwrap_or(0) as u8),
            reply: preview(reply, PREVIEW),
        });
    }
    Ok(reply)
}

fn expect_ok(command: &str, reply: &[u8]) -> Result<()> {
    match check_error(command, reply)? {
        b"OK" => Ok(()),
        other => Err(malformed(command, "expected OK", other)),
    }
}

fn check_range(op: &str, addr: u64, len: usize) -> Result<()> {
    addr.checked_add(len as u64)
        .map(|_| ())
        .ok_or_else(|| GdbError::InvalidArgument {
            op: op.into(),
            reason: format!("{len} bytes at {addr:#x} wrap around the address space"),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_parses_qemu_reply() {
        let s =
            Supported::parse("PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+");
        assert_eq!(s.packet_size(), Some(0x1000));
        assert!(s.offers("qXfer:features:read"));
        assert!(s.offers("multiprocess"));
        assert!(!s.offers("QStartNoAckMode"));
        let s = Supported::parse("PacketSize=zz;foo-;bar?;baz");
        assert_eq!(s.packet_size(), None);
        assert_eq!(s.value("foo"), Some("-"));
        assert_eq!(s.value("bar"), Some("?"));
        assert_eq!(s.value("baz"), Some(""));
    }

    #[test]
    fn error_replies_are_recognised_exactly() {
        assert!(matches!(
            check_error("p20", b"E14"),
            Err(GdbError::ErrorReply {
                code: Some(0x14),
                ..
            })
        ));
        assert!(matches!(
            check_error("x", b"E.no such thing"),
            Err(GdbError::ErrorReply { code: None, .. })
        ));
        assert!(matches!(
            check_error("x", b""),
            Err(GdbError::Unsupported { .. })
        ));
        // Hex data that happens to start with E is data.
        assert_eq!(check_error("m", b"E1").unwrap(), b"E1");
        assert_eq!(check_error("m", b"E1234567").unwrap(), b"E1234567");
        assert!(expect_ok("Hg", b"OK").is_ok());
        assert!(matches!(
            expect_ok("Hg", b"KO"),
            Err(GdbError::Malformed { .. })
        ));
    }

    #[test]
    fn console_packets_but_not_ok() {
        assert_eq!(console_text(b"O6869"), Some(b"hi".to_vec()));
        assert_eq!(console_text(b"OK"), None);
        assert_eq!(console_text(b"O"), None);
        assert_eq!(console_text(b"O123"), None);
    }

    #[test]
    fn range_checks() {
        assert!(check_range("m", u64::MAX - 1, 1).is_ok());
        assert!(check_range("m", u64::MAX, 2).is_err());
    }
}
