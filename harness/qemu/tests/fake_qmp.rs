//! The QMP client against a fake server on a Unix socket: every fault a
//! real or future QEMU could produce. Deadlines are short; each test takes
//! well under a second.

use std::future::Future;
use std::time::{Duration, Instant};

use ppcr_qemu::qmp_types::{RunState, STOP};
use ppcr_qemu::{HmpFailure, QmpClient, QmpError, QmpOptions};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};
use tokio::task::JoinHandle;

const GREETING: &str = r#"{"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10}, "package": "Debian 1:10.0.2+ds-2+deb13u1~bpo12+1"}, "capabilities": ["oob"]}}"#;

/// The server side of one fake QMP connection.
struct Peer {
    r: BufReader<OwnedReadHalf>,
    w: OwnedWriteHalf,
}

impl Peer {
    async fn send(&mut self, line: &str) {
        self.send_raw(format!("{line}\r\n").as_bytes()).await;
    }

    async fn send_raw(&mut self, b: &[u8]) {
        // The client may have given up already; that is fine for a fake.
        let _ = self.w.write_all(b).await;
    }

    /// Reads one command (bounded wait so a broken test cannot hang).
    async fn recv(&mut self) -> Value {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(2), self.r.read_line(&mut line))
            .await
            .expect("fake server: no command within 2 s")
            .expect("fake server: read failed");
        assert!(n > 0, "fake server: client closed");
        serde_json::from_str(&line).expect("client sent invalid JSON")
    }

    async fn reply(&mut self, cmd: &Value, ret: Value) {
        let v = json!({"return": ret, "id": cmd["id"]});
        self.send(&v.to_string()).await;
    }

    /// Greeting plus the answer to `qmp_capabilities`.
    async fn negotiate(&mut self) -> Value {
        self.send(GREETING).await;
        let cmd = self.recv().await;
        assert_eq!(cmd["execute"], "qmp_capabilities");
        self.reply(&cmd, json!({})).await;
        cmd
    }
}

fn opts() -> QmpOptions {
    QmpOptions {
        greeting_timeout: Duration::from_millis(300),
        command_timeout: Duration::from_millis(300),
        label: "fake".into(),
        ..QmpOptions::default()
    }
}

/// Runs `script` as the server of one connection and hands back the
/// client's handshake result. The tempdir keeps the socket alive.
async fn fake<F, Fut>(
    opts: QmpOptions,
    script: F,
) -> (
    Result<QmpClient, QmpError>,
    JoinHandle<()>,
    tempfile::TempDir,
)
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send,
{
    let dir = tempfile::Builder::new()
        .prefix("ppcr-fake-")
        .tempdir_in("/tmp")
        .unwrap();
    let path = dir.path().join("qmp.sock");
    let listener = UnixListener::bind(&path).unwrap();
    let server = tokio::spawn(async move {
        let (s, _) = listener.accept().await.unwrap();
        let (r, w) = s.into_split();
        script(Peer {
            r: BufReader::new(r),
            w,
        })
        .await;
    });
    let stream = UnixStream::connect(&path).await.unwrap();
    let client = QmpClient::handshake(stream, opts).await;
    (client, server, dir)
}

#[tokio::test]
async fn greeting_with_oob_and_unknown_capabilities_is_accepted() {
    let (c, server, _d) = fake(opts(), |mut p| async move {
        p.send(r#"{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 11}, "package": "", "future": 1}, "capabilities": ["oob", "future-cap"]}, "extra": [] }"#).await;
        let cmd = p.recv().await;
        // Every command carries an id; no capability is enabled.
        assert!(cmd["id"].is_u64(), "{cmd}");
        assert!(cmd.get("arguments").is_none_or(|a| a.get("enable").is_none()), "{cmd}");
        p.reply(&cmd, json!({})).await;
    })
    .await;
    let c = c.unwrap();
    assert_eq!(c.greeting().version.to_string(), "11.2.0");
    assert!(c.greeting().offers_oob());
    assert_eq!(c.greeting().capabilities, ["oob", "future-cap"]);
    server.await.unwrap();
}

#[tokio::test]
async fn garbage_greeting_is_a_bad_greeting() {
    let (c, _s, _d) = fake(opts(), |mut p| async move {
        p.send_raw(b"\xff\xfe garbage \x00\x01\n").await;
    })
    .await;
    assert!(matches!(c, Err(QmpError::BadGreeting { .. })), "{c:?}");
    let (c, _s, _d) = fake(opts(), |mut p| async move {
        p.send(r#"{"return": {}}"#).await;
    })
    .await;
    assert!(matches!(c, Err(QmpError::BadGreeting { .. })), "{c:?}");
}

#[tokio::test]
async fn silent_server_times_out_the_greeting() {
    let start = Instant::now();
    let (c, _s, _d) = fake(opts(), |p| async move {
        let _connection_stays_open = p;
        tokio::time::sleep(Duration::from_secs(5)).await;
    })
    .await;
    assert!(matches!(c, Err(QmpError::Timeout { .. })), "{c:?}");
    assert!(start.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn garbage_bytes_in_a_reply_are_malformed_not_a_panic() {
    for garbage in [
        &b"\xff\xfe\xfd not json at all\n"[..],
        b"[1, 2, 3]\n",
        b"{\"return\": \n",
        b"\"just a string\"\n",
    ] {
        let (c, _s, _d) = fake(opts(), move |mut p| async move {
            p.negotiate().await;
            p.recv().await;
            p.send_raw(garbage).await;
            tokio::time::sleep(Duration::from_millis(500)).await;
        })
        .await;
        let mut c = c.unwrap();
        let e = c.query_status().await.unwrap_err();
        assert!(
            matches!(e, QmpError::Malformed { .. }),
            "{garbage:?}: {e:?}"
        );
    }
}

#[tokio::test]
async fn json_that_is_neither_reply_nor_event_is_unexpected() {
    let (c, _s, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        p.recv().await;
        p.send(r#"{"surprise": true}"#).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    })
    .await;
    let e = c.unwrap().query_status().await.unwrap_err();
    assert!(matches!(e, QmpError::UnexpectedMessage { .. }), "{e:?}");
}

#[tokio::test]
async fn overlong_line_is_refused_and_the_session_resynchronises() {
    let o = QmpOptions {
        max_line_len: 1024,
        ..opts()
    };
    let (c, server, _d) = fake(o, |mut p| async move {
        p.negotiate().await;
        p.recv().await;
        p.send_raw(&vec![b'a'; 10_000]).await;
        p.send_raw(b"\n").await;
        let next = p.recv().await;
        p.reply(&next, json!({"status": "running", "running": true}))
            .await;
    })
    .await;
    let mut c = c.unwrap();
    let e = c.query_status().await.unwrap_err();
    assert!(
        matches!(e, QmpError::LineTooLong { limit: 1024, .. }),
        "{e:?}"
    );
    let st = c.query_status().await.unwrap();
    assert!(st.running);
    server.await.unwrap();
}

#[tokio::test]
async fn connection_closed_mid_reply_is_closed_and_stays_closed() {
    let (c, _s, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        let cmd = p.recv().await;
        p.send_raw(format!(r#"{{"id": {}, "return": {{"sta"#, cmd["id"]).as_bytes())
            .await;
        // Dropping `p` closes the connection.
    })
    .await;
    let mut c = c.unwrap();
    let e = c.query_status().await.unwrap_err();
    match e {
        QmpError::Closed { partial, .. } => assert!(partial > 0),
        e => panic!("{e:?}"),
    }
    let start = Instant::now();
    let e = c.stop().await.unwrap_err();
    assert!(e.is_closed(), "{e:?}");
    assert!(start.elapsed() < Duration::from_millis(50));
}

#[tokio::test]
async fn stalled_reply_times_out_and_its_late_reply_is_skipped() {
    let (c, server, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        let stalled = p.recv().await;
        // The client gives up after 300 ms; then both replies arrive.
        let next = p.recv().await;
        p.reply(&stalled, json!({"status": "paused", "running": false}))
            .await;
        p.reply(&next, json!({"status": "running", "running": true}))
            .await;
    })
    .await;
    let mut c = c.unwrap();
    let start = Instant::now();
    let e = c.query_status().await.unwrap_err();
    let waited = start.elapsed();
    assert!(e.is_timeout(), "{e:?}");
    assert!(waited >= Duration::from_millis(300) && waited < Duration::from_millis(900));
    let st = c.query_status().await.unwrap();
    assert!(st.running, "got the stale reply instead of the fresh one");
    assert!(c.transcript().to_string().contains("skipped late reply"));
    server.await.unwrap();
}

#[tokio::test]
async fn command_cancelled_from_outside_does_not_desynchronise() {
    let (c, server, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        let cancelled = p.recv().await;
        let next = p.recv().await;
        p.reply(&cancelled, json!({"status": "paused", "running": false}))
            .await;
        p.reply(&next, json!({"status": "running", "running": true}))
            .await;
    })
    .await;
    let mut c = c.unwrap();
    let r = tokio::time::timeout(Duration::from_millis(50), c.query_status()).await;
    assert!(r.is_err(), "outer timeout should have fired");
    let st = c.query_status().await.unwrap();
    assert!(st.running);
    server.await.unwrap();
}

#[tokio::test]
async fn unknown_event_names_are_kept_and_the_session_survives() {
    let (c, server, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        let cmd = p.recv().await;
        p.send(r#"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "PPCR_FUTURE_EVENT", "data": {"new": [1, 2]}}"#).await;
        p.send(r#"{"timestamp": {"seconds": 3, "microseconds": 4}, "event": "STOP"}"#)
            .await;
        p.reply(&cmd, json!({"status": "paused", "running": false}))
            .await;
        let cmd = p.recv().await;
        p.reply(&cmd, json!({})).await;
    })
    .await;
    let mut c = c.unwrap();
    let st = c.query_status().await.unwrap();
    assert!(matches!(st.status, RunState::paused));
    c.cont().await.unwrap();
    let events = c.take_events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].name, "PPCR_FUTURE_EVENT");
    assert_eq!(events[0].data, json!({"new": [1, 2]}));
    assert_eq!(events[0].timestamp, Some((1, 2)));
    assert!(events[0].decode::<STOP>().is_none());
    assert!(events[1].decode::<STOP>().unwrap().is_ok());
    server.await.unwrap();
}

#[tokio::test]
async fn error_replies_become_typed_errors_with_class_and_desc() {
    let (c, server, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        let cmd = p.recv().await;
        let e = json!({"id": cmd["id"], "error": {"class": "GenericError", "desc": "not now"}});
        p.send(&e.to_string()).await;
        let cmd = p.recv().await;
        let e = json!({"id": cmd["id"], "error": {"class": "PpcrFutureClass", "desc": "new"}});
        p.send(&e.to_string()).await;
        let cmd = p.recv().await;
        p.reply(&cmd, json!({})).await;
    })
    .await;
    let mut c = c.unwrap();
    match c.cont().await.unwrap_err() {
        QmpError::Command {
            command,
            class,
            desc,
        } => {
            assert_eq!(
                (command, class.as_str(), desc.as_str()),
                ("cont", "GenericError", "not now")
            );
        }
        e => panic!("{e:?}"),
    }
    match c.stop().await.unwrap_err() {
        QmpError::Command { class, .. } => assert_eq!(class, "PpcrFutureClass"),
        e => panic!("{e:?}"),
    }
    c.stop().await.unwrap();
    server.await.unwrap();
}

#[tokio::test]
async fn reply_with_a_wrong_id_is_refused() {
    let (c, _s, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        p.recv().await;
        p.send(r#"{"return": {}, "id": 9999}"#).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    })
    .await;
    match c.unwrap().stop().await.unwrap_err() {
        QmpError::UnexpectedId {
            command,
            expected,
            found,
        } => {
            assert_eq!(command, "stop");
            assert_eq!(expected, 2);
            assert_eq!(found, "9999");
        }
        e => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn reply_without_an_id_is_refused() {
    let (c, _s, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        p.recv().await;
        p.send(r#"{"return": {}}"#).await;
        tokio::time::sleep(Duration::from_millis(500)).await;
    })
    .await;
    let e = c.unwrap().stop().await.unwrap_err();
    assert!(
        matches!(
            e,
            QmpError::MissingId {
                command: "stop",
                ..
            }
        ),
        "{e:?}"
    );
}

#[tokio::test]
async fn unknown_enum_value_fails_only_that_command() {
    let (c, server, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        let cmd = p.recv().await;
        p.reply(
            &cmd,
            json!({"status": "ppcr-future-state", "running": false}),
        )
        .await;
        let cmd = p.recv().await;
        p.reply(
            &cmd,
            json!({"status": "running", "running": true, "extra": 1}),
        )
        .await;
    })
    .await;
    let mut c = c.unwrap();
    let e = c.query_status().await.unwrap_err();
    assert!(
        matches!(
            e,
            QmpError::Decode {
                command: "query-status",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(c.query_status().await.unwrap().running);
    server.await.unwrap();
}

#[tokio::test]
async fn hmp_error_text_is_an_error() {
    let (c, server, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        let cmd = p.recv().await;
        assert_eq!(cmd["execute"], "human-monitor-command");
        assert_eq!(cmd["arguments"]["command-line"], "info nosuch");
        p.reply(&cmd, json!("unknown command: 'info nosuch'\r\n"))
            .await;
        let cmd = p.recv().await;
        assert_eq!(cmd["arguments"]["cpu-index"], 1);
        p.reply(&cmd, json!("NIP 00000100\r\n")).await;
    })
    .await;
    let mut c = c.unwrap();
    match c.human_monitor_command("info nosuch").await.unwrap_err() {
        QmpError::Hmp { kind, .. } => assert_eq!(kind, HmpFailure::UnknownCommand),
        e => panic!("{e:?}"),
    }
    let out = c.hmp_on_cpu(Some(1), "info registers").await.unwrap();
    assert_eq!(out, "NIP 00000100\n");
    server.await.unwrap();
}

#[tokio::test]
async fn quit_tolerates_the_connection_closing_without_a_reply() {
    let (c, server, _d) = fake(opts(), |mut p| async move {
        p.negotiate().await;
        let cmd = p.recv().await;
        assert_eq!(cmd["execute"], "quit");
        p.send(r#"{"timestamp": {"seconds": 1, "microseconds": 2}, "event": "SHUTDOWN", "data": {"guest": false, "reason": "host-qmp-quit"}}"#).await;
    })
    .await;
    let mut c = c.unwrap();
    c.quit().await.unwrap();
    assert!(c.stop().await.unwrap_err().is_closed());
    server.await.unwrap();
}

#[tokio::test]
async fn event_queue_is_bounded_and_wait_event_finds_by_name() {
    let o = QmpOptions {
        max_queued_events: 10,
        ..opts()
    };
    let (c, server, _d) = fake(o, |mut p| async move {
        p.negotiate().await;
        let cmd = p.recv().await;
        for i in 0..50 {
            p.send(&format!(r#"{{"event": "TICK", "data": {{"i": {i}}}}}"#))
                .await;
        }
        p.reply(&cmd, json!({})).await;
        p.send(r#"{"event": "OTHER"}"#).await;
        p.send(r#"{"event": "RESUME"}"#).await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    })
    .await;
    let mut c = c.unwrap();
    c.cont().await.unwrap();
    assert_eq!(c.queued_events().count(), 10);
    assert_eq!(c.events_dropped(), 40);
    assert_eq!(c.queued_events().next().unwrap().data["i"], 40);
    let ev = c
        .wait_event("RESUME", Duration::from_millis(300))
        .await
        .unwrap();
    assert_eq!(ev.name, "RESUME");
    // OTHER arrived meanwhile and was queued behind the ticks (the oldest
    // tick made room).
    assert_eq!(c.queued_events().last().unwrap().name, "OTHER");
    let e = c
        .wait_event("NEVER", Duration::from_millis(100))
        .await
        .unwrap_err();
    assert!(e.is_timeout(), "{e:?}");
    server.await.unwrap();
}

#[tokio::test]
async fn transcript_records_the_exchange_and_stays_bounded() {
    let o = QmpOptions {
        transcript_lines: 4,
        ..opts()
    };
    let (c, server, _d) = fake(o, |mut p| async move {
        p.negotiate().await;
        for _ in 0..3 {
            let cmd = p.recv().await;
            p.reply(&cmd, json!({})).await;
        }
    })
    .await;
    let mut c = c.unwrap();
    for _ in 0..3 {
        c.stop().await.unwrap();
    }
    let t = c.transcript();
    assert_eq!(t.entries().count(), 4);
    assert_eq!(t.dropped(), 5);
    let s = t.to_string();
    assert!(
        s.contains(r#"-> {"execute":"stop","arguments":{},"id":4}"#),
        "{s}"
    );
    assert!(s.contains(r#"<- {"id":4,"return":{}}"#), "{s}");
    server.await.unwrap();
}
