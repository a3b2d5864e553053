//! The QMP client: line framing, id matching, event queue, deadlines.

use std::collections::VecDeque;
use std::io;
use std::time::Duration;

use qapi::qmp;
use qapi::Command;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::time::{timeout_at, Instant};

use super::event::QmpEvent;
use super::greeting::Greeting;
use super::hmp::check_hmp_output;
use super::transcript::{Direction, Transcript};
use crate::error::QmpError;
use crate::text::{truncate, truncate_bytes};

/// How much of a peer line goes into an error message.
const ERR_SNIPPET: usize = 300;
/// Ids of timed-out or mismatched commands whose late replies are skipped.
const ABANDONED_CAP: usize = 64;
const READ_CHUNK: usize = 16 * 1024;

/// Limits and deadlines of a [`QmpClient`].
#[derive(Debug, Clone)]
pub struct QmpOptions {
    /// From connect to a complete greeting line.
    pub greeting_timeout: Duration,
    /// Per command, from sending it to its reply.
    pub command_timeout: Duration,
    /// Longest accepted line in bytes (`query-qmp-schema` is about 0.3 MiB on 10.0).
    pub max_line_len: usize,
    /// Events kept unread before the oldest are dropped.
    pub max_queued_events: usize,
    /// Lines kept in the transcript.
    pub transcript_lines: usize,
    /// Bytes kept of each transcript line.
    pub transcript_width: usize,
    /// Name used in tracing output.
    pub label: String,
}

impl Default for QmpOptions {
    fn default() -> Self {
        QmpOptions {
            greeting_timeout: Duration::from_secs(10),
            command_timeout: Duration::from_secs(10),
            max_line_len: 4 << 20,
            max_queued_events: 1024,
            transcript_lines: 256,
            transcript_width: 2048,
            label: "qmp".into(),
        }
    }
}

/// A parsed line from QEMU.
enum Incoming {
    Event(QmpEvent),
    Reply {
        id: Option<Value>,
        result: Result<Value, (String, String)>,
    },
    Greeting,
}

/// A QMP session on a Unix socket.
///
/// Commands run one at a time (`&mut self`); each is sent with a numeric
/// `"id"` and its reply is matched by that id. Events that arrive in
/// between are queued (bounded; the oldest are dropped and counted).
/// Every wait has a deadline. Peer input never panics: garbage, overlong
/// lines, unknown events and unknown error classes become values or errors.
///
/// A command whose future is dropped mid-flight (e.g. by an outer
/// `tokio::time::timeout`) is handled on the next call: if it was cut off
/// while writing, the stream can no longer be trusted and the client
/// reports [`QmpError::Closed`]; if it was waiting for its reply, that
/// reply is skipped when it arrives.
#[derive(Debug)]
pub struct QmpClient {
    stream: UnixStream,
    rbuf: Vec<u8>,
    discarding: bool,
    /// Why the stream is unusable, once it is.
    broken: Option<String>,
    writing: bool,
    in_flight: Option<u64>,
    next_id: u64,
    abandoned: VecDeque<u64>,
    events: VecDeque<QmpEvent>,
    events_dropped: u64,
    greeting: Greeting,
    opts: QmpOptions,
    transcript: Transcript,
}

impl QmpClient {
    /// Reads the greeting and negotiates (`qmp_capabilities`, no extra
    /// capabilities enabled) on an already connected stream.
    pub async fn handshake(stream: UnixStream, opts: QmpOptions) -> Result<QmpClient, QmpError> {
        let transcript = Transcript::new(opts.transcript_lines, opts.transcript_width);
        let mut c = QmpClient {
            stream,
            rbuf: Vec::new(),
            discarding: false,
            broken: None,
            writing: false,
            in_flight: None,
            next_id: 1,
            abandoned: VecDeque::new(),
            events: VecDeque::new(),
            events_dropped: 0,
            greeting: Greeting {
                version: crate::binary::MIN_VERSION,
                package: String::new(),
                capabilities: Vec::new(),
            },
            opts,
            transcript,
        };
        let deadline = Instant::now() + c.opts.greeting_timeout;
        let during = "waiting for the QMP greeting";
        let line = match timeout_at(deadline, c.read_line(during)).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(QmpError::Timeout {
                    during: during.into(),
                    after: c.opts.greeting_timeout,
                })
            }
        };
        let bad = |reason: String| QmpError::BadGreeting {
            reason,
            line: truncate_bytes(&line, ERR_SNIPPET),
        };
        let v: Value = serde_json::from_slice(&line).map_err(|e| bad(e.to_string()))?;
        c.greeting = Greeting::parse(&v).map_err(bad)?;
        tracing::debug!(guest = %c.opts.label, version = %c.greeting.version,
            capabilities = ?c.greeting.capabilities, "QMP greeting");
        c.execute(qmp::qmp_capabilities { enable: None }).await?;
        Ok(c)
    }

    /// What QEMU announced.
    pub fn greeting(&self) -> &Greeting {
        &self.greeting
    }

    /// The bounded record of this session.
    pub fn transcript(&self) -> &Transcript {
        &self.transcript
    }

    /// The per-command deadline used by [`execute`](Self::execute).
    pub fn command_timeout(&self) -> Duration {
        self.opts.command_timeout
    }

    /// Changes the per-command deadline.
    pub fn set_command_timeout(&mut self, t: Duration) {
        self.opts.command_timeout = t;
    }

    /// Runs any `qapi` command with the default deadline.
    pub async fn execute<C: Command>(&mut self, cmd: C) -> Result<C::Ok, QmpError> {
        let t = self.opts.command_timeout;
        self.execute_with_timeout(cmd, t).await
    }

    /// Runs any `qapi` command with deadline `timeout` (send + reply).
    pub async fn execute_with_timeout<C: Command>(
        &mut self,
        cmd: C,
        timeout: Duration,
    ) -> Result<C::Ok, QmpError> {
        let value = self.execute_value(&cmd, timeout).await?;
        serde_json::from_value(value.clone()).map_err(|e| QmpError::Decode {
            command: C::NAME,
            reason: e.to_string(),
            reply: truncate(&value.to_string(), ERR_SNIPPET),
        })
    }

    async fn execute_value<C: Command>(
        &mut self,
        cmd: &C,
        timeout: Duration,
    ) -> Result<Value, QmpError> {
        self.recover_from_cancellation();
        let id = self.next_id;
        self.next_id += 1;
        let mut line =
            serde_json::to_vec(&qapi::Execute::<&C, u64>::with_id(cmd, id)).map_err(|source| {
                QmpError::Encode {
                    command: C::NAME,
                    source,
                }
            })?;
        line.push(b'\n');
        let deadline = Instant::now() + timeout;

        let during = format!("sending {} (id {id})", C::NAME);
        self.ensure_usable(&during)?;
        self.record(Direction::Sent, &line);
        self.writing = true;
        self.in_flight = Some(id);
        let written = timeout_at(deadline, self.stream.write_all(&line)).await;
        self.writing = false;
        match written {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                self.in_flight = None;
                return Err(self.io_failure(e, during, 0));
            }
            Err(_) => {
                self.in_flight = None;
                self.broken = Some(format!("writing {} timed out half-way", C::NAME));
                return Err(QmpError::Timeout {
                    during,
                    after: timeout,
                });
            }
        }

        let during = format!("waiting for the reply to {} (id {id})", C::NAME);
        let reply = timeout_at(deadline, self.wait_reply(id, C::NAME, &during)).await;
        self.in_flight = None;
        match reply {
            Ok(Ok(Ok(v))) => Ok(v),
            Ok(Ok(Err((class, desc)))) => Err(QmpError::Command {
                command: C::NAME,
                class,
                desc,
            }),
            Ok(Err(e)) => {
                self.abandon(id);
                Err(e)
            }
            Err(_) => {
                self.abandon(id);
                self.note(&format!("timeout after {timeout:?} {during}"));
                Err(QmpError::Timeout {
                    during,
                    after: timeout,
                })
            }
        }
    }

    async fn wait_reply(
        &mut self,
        id: u64,
        command: &'static str,
        during: &str,
    ) -> Result<Result<Value, (String, String)>, QmpError> {
        loop {
            let line = self.read_line(during).await?;
            match self.classify(&line, during)? {
                Incoming::Event(ev) => self.queue_event(ev),
                Incoming::Reply { id: None, .. } => {
                    return Err(QmpError::MissingId {
                        command,
                        expected: id,
                        line: truncate_bytes(&line, ERR_SNIPPET),
                    })
                }
                Incoming::Reply {
                    id: Some(rid),
                    result,
                } => {
                    if rid.as_u64() == Some(id) {
                        return Ok(result);
                    }
                    if self.take_abandoned(&rid) {
                        self.note(&format!("skipped late reply to abandoned id {rid}"));
                        continue;
                    }
                    return Err(QmpError::UnexpectedId {
                        command,
                        expected: id,
                        found: truncate(&rid.to_string(), ERR_SNIPPET),
                    });
                }
                Incoming::Greeting => {
                    return Err(QmpError::UnexpectedMessage {
                        during: during.into(),
                        line: truncate_bytes(&line, ERR_SNIPPET),
                    })
                }
            }
        }
    }

    // ---- events ----------------------------------------------------------

    /// Events received and not yet taken, oldest first.
    pub fn queued_events(&self) -> impl Iterator<Item = &QmpEvent> {
        self.events.iter()
    }

    /// Removes and returns the queued events.
    pub fn take_events(&mut self) -> Vec<QmpEvent> {
        self.events.drain(..).collect()
    }

    /// How many events were dropped because the queue was full.
    pub fn events_dropped(&self) -> u64 {
        self.events_dropped
    }

    /// The next event: the oldest queued one, or the next to arrive within `timeout`.
    pub async fn next_event(&mut self, timeout: Duration) -> Result<QmpEvent, QmpError> {
        if let Some(ev) = self.events.pop_front() {
            return Ok(ev);
        }
        self.read_event(timeout, |_| true).await
    }

    /// The first event named `name`, queued or arriving within `timeout`.
    /// Other events that arrive meanwhile stay queued.
    pub async fn wait_event(
        &mut self,
        name: &str,
        timeout: Duration,
    ) -> Result<QmpEvent, QmpError> {
        if let Some(pos) = self.events.iter().position(|e| e.name == name) {
            if let Some(ev) = self.events.remove(pos) {
                return Ok(ev);
            }
        }
        self.read_event(timeout, |e| e.name == name).await
    }

    async fn read_event(
        &mut self,
        timeout: Duration,
        wanted: impl Fn(&QmpEvent) -> bool,
    ) -> Result<QmpEvent, QmpError> {
        self.recover_from_cancellation();
        let during = "waiting for an event".to_string();
        self.ensure_usable(&during)?;
        let deadline = Instant::now() + timeout;
        let fut = async {
            loop {
                let line = self.read_line(&during).await?;
                match self.classify(&line, &during)? {
                    Incoming::Event(ev) if wanted(&ev) => return Ok(ev),
                    Incoming::Event(ev) => self.queue_event(ev),
                    Incoming::Reply { id: Some(rid), .. } if self.take_abandoned(&rid) => {
                        self.note(&format!("skipped late reply to abandoned id {rid}"));
                    }
                    _ => {
                        return Err(QmpError::UnexpectedMessage {
                            during: during.clone(),
                            line: truncate_bytes(&line, ERR_SNIPPET),
                        })
                    }
                }
            }
        };
        match timeout_at(deadline, fut).await {
            Ok(r) => r,
            Err(_) => Err(QmpError::Timeout {
                during: "waiting for an event".into(),
                after: timeout,
            }),
        }
    }

    fn queue_event(&mut self, ev: QmpEvent) {
        tracing::debug!(guest = %self.opts.label, event = %ev.name, "QMP event");
        if self.opts.max_queued_events == 0 {
            self.events_dropped += 1;
            return;
        }
        if self.events.len() >= self.opts.max_queued_events {
            self.events.pop_front();
            self.events_dropped += 1;
        }
        self.events.push_back(ev);
    }

    // ---- the commands ppcr uses ----------------------------------------

    /// `query-status`.
    pub async fn query_status(&mut self) -> Result<qmp::StatusInfo, QmpError> {
        self.execute(qmp::query_status {}).await
    }

    /// `stop`.
    pub async fn stop(&mut self) -> Result<(), QmpError> {
        self.execute(qmp::stop {}).await.map(drop)
    }

    /// `cont`.
    pub async fn cont(&mut self) -> Result<(), QmpError> {
        self.execute(qmp::cont {}).await.map(drop)
    }

    /// `system_reset`.
    pub async fn system_reset(&mut self) -> Result<(), QmpError> {
        self.execute(qmp::system_reset {}).await.map(drop)
    }

    /// `quit`. QEMU may close the socket before (or instead of) replying;
    /// that counts as success. The client is unusable afterwards.
    pub async fn quit(&mut self) -> Result<(), QmpError> {
        let r = self.execute(qmp::quit {}).await;
        self.broken = Some("quit was sent".into());
        match r {
            Ok(_) => Ok(()),
            Err(e) if e.is_closed() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// `human-monitor-command`; HMP's textual errors become [`QmpError::Hmp`]
    /// (see [`check_hmp_output`]). Output has `\n` line ends.
    pub async fn human_monitor_command(&mut self, command_line: &str) -> Result<String, QmpError> {
        self.hmp_on_cpu(None, command_line).await
    }

    /// `human-monitor-command` with `cpu-index` (the vCPU that `info
    /// registers` and friends show).
    pub async fn hmp_on_cpu(
        &mut self,
        cpu_index: Option<i64>,
        command_line: &str,
    ) -> Result<String, QmpError> {
        let out = self
            .execute(qmp::human_monitor_command {
                cpu_index,
                command_line: command_line.to_owned(),
            })
            .await?;
        check_hmp_output(command_line, out)
    }

    /// `query-cpus-fast`.
    pub async fn query_cpus_fast(&mut self) -> Result<Vec<qmp::CpuInfoFast>, QmpError> {
        self.execute(qmp::query_cpus_fast {}).await
    }

    /// `migrate` to `uri` (`unix:PATH`, `file:PATH`, `exec:...`). Returns
    /// once QEMU has started the migration; see
    /// [`wait_for_migration`](Self::wait_for_migration).
    pub async fn migrate(&mut self, uri: &str) -> Result<(), QmpError> {
        self.execute(qmp::migrate {
            uri: Some(uri.to_owned()),
            channels: None,
            detach: None,
            resume: None,
        })
        .await
        .map(drop)
    }

    /// `query-migrate`.
    pub async fn query_migrate(&mut self) -> Result<qmp::MigrationInfo, QmpError> {
        self.execute(qmp::query_migrate {}).await
    }

    /// Polls `query-migrate` every `poll` until `completed` (Ok),
    /// `failed`/`cancelled` ([`QmpError::Migration`]) or `timeout`.
    pub async fn wait_for_migration(
        &mut self,
        timeout: Duration,
        poll: Duration,
    ) -> Result<qmp::MigrationInfo, QmpError> {
        use qapi::Enum;
        let deadline = Instant::now() + timeout;
        loop {
            let info = self.query_migrate().await?;
            match info.status {
                Some(qmp::MigrationStatus::completed) => return Ok(info),
                Some(s @ (qmp::MigrationStatus::failed | qmp::MigrationStatus::cancelled)) => {
                    return Err(QmpError::Migration {
                        status: s.name().to_owned(),
                        desc: info.error_desc.unwrap_or_default(),
                    })
                }
                _ => {}
            }
            if Instant::now() + poll > deadline {
                return Err(QmpError::Timeout {
                    during: format!(
                        "waiting for migration to complete (last status {:?})",
                        info.status.map(|s| s.name())
                    ),
                    after: timeout,
                });
            }
            tokio::time::sleep(poll).await;
        }
    }

    // ---- framing -------------------------------------------------------

    /// Reads one non-empty line without its terminator. Cancel-safe: bytes
    /// read so far stay in `rbuf`.
    async fn read_line(&mut self, during: &str) -> Result<Vec<u8>, QmpError> {
        self.ensure_usable(during)?;
        let max = self.opts.max_line_len;
        loop {
            if let Some(pos) = self.rbuf.iter().position(|&b| b == b'\n') {
                let mut line: Vec<u8> = self.rbuf.drain(..=pos).collect();
                if self.discarding {
                    self.discarding = false;
                    continue;
                }
                line.pop();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                if line.len() > max {
                    self.note(&format!("dropped a {}-byte line", line.len()));
                    return Err(QmpError::LineTooLong {
                        during: during.into(),
                        limit: max,
                    });
                }
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                self.record(Direction::Received, &line);
                return Ok(line);
            }
            if self.rbuf.len() > max {
                self.rbuf.clear();
                if !self.discarding {
                    // Skip the rest of this line, then carry on.
                    self.discarding = true;
                    self.note("dropping an overlong line");
                    return Err(QmpError::LineTooLong {
                        during: during.into(),
                        limit: max,
                    });
                }
            }
            self.rbuf.reserve(READ_CHUNK);
            match self.stream.read_buf(&mut self.rbuf).await {
                Ok(0) => {
                    let partial = self.rbuf.len();
                    self.broken = Some("the peer closed the connection".into());
                    self.note("connection closed by peer");
                    return Err(QmpError::Closed {
                        during: during.into(),
                        partial,
                    });
                }
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let partial = self.rbuf.len();
                    return Err(self.io_failure(e, during.into(), partial));
                }
            }
        }
    }

    fn classify(&mut self, line: &[u8], during: &str) -> Result<Incoming, QmpError> {
        let v: Value = serde_json::from_slice(line).map_err(|e| QmpError::Malformed {
            during: during.into(),
            reason: e.to_string(),
            line: truncate_bytes(line, ERR_SNIPPET),
        })?;
        let Some(obj) = v.as_object() else {
            return Err(QmpError::Malformed {
                during: during.into(),
                reason: "not a JSON object".into(),
                line: truncate_bytes(line, ERR_SNIPPET),
            });
        };
        if let Some(Value::String(name)) = obj.get("event") {
            return Ok(Incoming::Event(QmpEvent::from_object(name.clone(), v)));
        }
        let id = obj.get("id").cloned();
        if let Some(ret) = obj.get("return") {
            return Ok(Incoming::Reply {
                id,
                result: Ok(ret.clone()),
            });
        }
        if let Some(err) = obj.get("error") {
            let text = |k: &str| {
                err.get(k)
                    .map(|c| {
                        c.as_str()
                            .map(str::to_owned)
                            .unwrap_or_else(|| c.to_string())
                    })
                    .unwrap_or_else(|| format!("<no {k}>"))
            };
            return Ok(Incoming::Reply {
                id,
                result: Err((text("class"), text("desc"))),
            });
        }
        if obj.contains_key("QMP") {
            return Ok(Incoming::Greeting);
        }
        Err(QmpError::UnexpectedMessage {
            during: during.into(),
            line: truncate_bytes(line, ERR_SNIPPET),
        })
    }

    // ---- bookkeeping ----------------------------------------------------

    fn ensure_usable(&self, during: &str) -> Result<(), QmpError> {
        match &self.broken {
            None => Ok(()),
            Some(why) => Err(QmpError::Closed {
                during: format!("{during} (session unusable: {why})"),
                partial: 0,
            }),
        }
    }

    fn recover_from_cancellation(&mut self) {
        if self.writing {
            self.writing = false;
            self.broken.get_or_insert_with(|| {
                "an earlier command was cancelled while being written".into()
            });
        }
        if let Some(id) = self.in_flight.take() {
            self.note(&format!(
                "command id {id} was cancelled; its reply will be skipped"
            ));
            self.abandon(id);
        }
    }

    fn abandon(&mut self, id: u64) {
        if self.abandoned.len() == ABANDONED_CAP {
            self.abandoned.pop_front();
        }
        self.abandoned.push_back(id);
    }

    fn take_abandoned(&mut self, rid: &Value) -> bool {
        let Some(n) = rid.as_u64() else { return false };
        match self.abandoned.iter().position(|&a| a == n) {
            Some(pos) => {
                self.abandoned.remove(pos);
                true
            }
            None => false,
        }
    }

    fn io_failure(&mut self, e: io::Error, during: String, partial: usize) -> QmpError {
        use io::ErrorKind::*;
        self.broken = Some(format!("I/O error: {e}"));
        self.note(&format!("I/O error: {e}"));
        match e.kind() {
            ConnectionReset | BrokenPipe | ConnectionAborted | UnexpectedEof | NotConnected => {
                QmpError::Closed { during, partial }
            }
            _ => QmpError::Io { during, source: e },
        }
    }

    fn record(&mut self, dir: Direction, bytes: &[u8]) {
        let text = String::from_utf8_lossy(bytes);
        match dir {
            Direction::Sent => tracing::trace!(guest = %self.opts.label, "-> {}", text.trim_end()),
            _ => tracing::trace!(guest = %self.opts.label, "<- {}", truncate(&text, 4096)),
        }
        self.transcript.record(dir, &text);
    }

    fn note(&mut self, text: &str) {
        tracing::debug!(guest = %self.opts.label, "{text}");
        self.transcript.record(Direction::Note, text);
    }
}
