//! Every command against the fake stub, checking the exact bytes sent.

use std::time::Duration;

use ppcr_gdb::packet::escape_binary;
use ppcr_gdb::{
    BreakpointKind, ByteOrder, GdbError, IdPart, ResumeAction, StopReason, StopReply, ThreadId,
    VContAction,
};

use crate::fake::{pair, run};

const QSUP: &str = "qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+";

#[tokio::test]
async fn supported_halt_reason_threads() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.answer(
            QSUP,
            b"PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+",
        )
        .await;
        s.answer("?", b"T05thread:p01.01;").await;
        s.answer("qfThreadInfo", b"mp01.01,p01.02").await;
        s.answer("qsThreadInfo", b"mp01.03").await;
        s.answer("qsThreadInfo", b"l").await;
        s.answer("Hgp1.2", b"OK").await;
    };
    run(script, async {
        let sup = c.query_supported().await.unwrap();
        assert_eq!(sup.packet_size(), Some(0x1000));
        let StopReply::Stopped(stop) = c.halt_reason().await.unwrap() else {
            panic!("not stopped")
        };
        assert_eq!(stop.signal, 5);
        let threads = c.thread_ids().await.unwrap();
        let tids: Vec<IdPart> = threads.iter().map(|t| t.tid).collect();
        assert_eq!(tids, [IdPart::Id(1), IdPart::Id(2), IdPart::Id(3)]);
        c.set_general_thread(threads[1]).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn registers_g_p_and_rle() {
    let (mut c, mut s) = pair();
    let script = async move {
        // RLE: "0* " = four '0's; "1*!" = five '1's.
        s.answer("g", b"0* 1*!0").await;
        s.answer("G00000000", b"OK").await;
        s.answer("p40", b"0000000000000100").await;
        s.answer("P3=1122334455667788", b"OK").await;
        s.answer("p20", b"E14").await;
        s.answer("p41", b"").await;
    };
    run(script, async {
        assert_eq!(
            c.read_registers().await.unwrap(),
            [0x00, 0x00, 0x11, 0x11, 0x10]
        );
        c.write_registers(&[0; 4]).await.unwrap();
        let pc = c.read_register(64).await.unwrap();
        assert_eq!(pc.to_u64(ByteOrder::Big).unwrap(), 0x100);
        c.write_register(3, &0x1122334455667788u64.to_be_bytes())
            .await
            .unwrap();
        let e = c.read_register(0x20).await.unwrap_err();
        assert!(
            matches!(
                e,
                GdbError::ErrorReply {
                    code: Some(0x14),
                    ..
                }
            ),
            "{e}"
        );
        let e = c.read_register(0x41).await.unwrap_err();
        assert!(matches!(e, GdbError::Unsupported { .. }), "{e}");
        assert!(c.poisoned().is_none(), "error replies do not poison");
    })
    .await;
}

#[tokio::test]
async fn memory_is_chunked_by_packet_size() {
    let (mut c, mut s) = pair();
    let data: Vec<u8> = (0..70u8).collect();
    let expect = data.clone();
    let script = async move {
        // PacketSize 0x40 = 64: m chunks of (64 - 8) / 2 = 28 bytes.
        s.answer(QSUP, b"PacketSize=40").await;
        s.answer("m1000,1c", hex(&data[..28]).as_bytes()).await;
        // A short read is fine: the client asks for the rest.
        s.answer("m101c,1c", hex(&data[28..40]).as_bytes()).await;
        s.answer("m1028,1c", hex(&data[40..68]).as_bytes()).await;
        s.answer("m1044,2", hex(&data[68..]).as_bytes()).await;
        s.answer("mffff,1", b"E01").await;
    };
    run(script, async {
        assert_eq!(c.read_memory(0x1000, 70).await.unwrap(), expect);
        assert!(matches!(
            c.read_memory(0xffff, 1).await,
            Err(GdbError::ErrorReply { code: Some(1), .. })
        ));
        assert!(matches!(
            c.read_memory(u64::MAX, 2).await,
            Err(GdbError::InvalidArgument { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn memory_write_uses_x_then_falls_back_to_m() {
    let (mut c, mut s) = pair();
    let data = b"#$}*abcdefghijklmnop".to_vec(); // 20 bytes
    let d2 = data.clone();
    let script = async move {
        // PacketSize 0x40: write chunks of (64 - 40) / 2 = 12 bytes.
        s.answer(QSUP, b"PacketSize=40").await;
        let mut x = b"X2000,c:".to_vec();
        x.extend_from_slice(&escape_binary(&d2[..12]));
        let got = s.packet_noack().await;
        assert_eq!(got, x);
        s.raw(b"+").await;
        s.reply(b"").await; // no X: the client falls back to M
        s.answer(&format!("M2000,c:{}", hex(&d2[..12])), b"OK")
            .await;
        s.answer(&format!("M200c,8:{}", hex(&d2[12..])), b"OK")
            .await;
    };
    run(script, async {
        c.write_memory(0x2000, &data).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn memory_write_with_x_when_offered() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.answer(QSUP, b"PacketSize=1000").await;
        let got = s.packet_noack().await;
        assert_eq!(got, b"X10,4:}\x03}\x04}]}\x0a");
        s.raw(b"+").await;
        s.reply(b"OK").await;
    };
    run(script, async {
        c.write_memory(0x10, b"#$}*").await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn breakpoints_and_watchpoints() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.answer("Z0,100,4", b"OK").await;
        s.answer("z0,100,4", b"OK").await;
        s.answer("Z2,2000,8", b"OK").await;
        s.answer("Z1,100,4", b"").await;
    };
    run(script, async {
        c.insert_breakpoint(BreakpointKind::Software, 0x100, 4)
            .await
            .unwrap();
        c.remove_breakpoint(BreakpointKind::Software, 0x100, 4)
            .await
            .unwrap();
        c.insert_breakpoint(BreakpointKind::WriteWatch, 0x2000, 8)
            .await
            .unwrap();
        assert!(matches!(
            c.insert_breakpoint(BreakpointKind::Hardware, 0x100, 4)
                .await,
            Err(GdbError::Unsupported { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn resume_console_output_and_watch_stop() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("c").await;
        s.reply(b"O68690a").await; // "hi\n"
        s.raw(b"%Stop:T05#00").await; // a notification: ignored
        s.reply(b"T05watch:2000;thread:p1.1;").await;
    };
    run(script, async {
        c.resume().await.unwrap();
        assert!(c.is_running());
        let e = c.read_registers().await.unwrap_err();
        assert!(matches!(e, GdbError::Running { .. }), "{e}");
        let StopReply::Stopped(stop) = c.wait_for_stop().await.unwrap() else {
            panic!()
        };
        assert_eq!(stop.reason, Some(StopReason::Watch(0x2000)));
        assert!(!c.is_running());
        assert_eq!(c.console_output(), b"hi\n");
        assert!(matches!(
            c.wait_for_stop().await,
            Err(GdbError::NotRunning { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn step_interrupt_and_vcont() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("s").await;
        s.reply(b"T05thread:p01.01;").await;
        s.expect("c").await;
        assert_eq!(s.byte().await, 0x03);
        s.reply(b"T02thread:p01.01;").await;
        s.answer("vCont?", b"vCont;c;s").await;
        s.expect("vCont;s:p1.1;c").await;
        s.reply(b"W00").await;
    };
    run(script, async {
        assert!(matches!(c.step().await.unwrap(), StopReply::Stopped(_)));
        c.resume().await.unwrap();
        let StopReply::Stopped(stop) = c.interrupt().await.unwrap() else {
            panic!()
        };
        assert_eq!(stop.signal, 2);
        let t = ThreadId::parse("p1.1").unwrap();
        c.vcont(&[
            VContAction {
                action: ResumeAction::Step,
                thread: Some(t),
            },
            VContAction {
                action: ResumeAction::Continue,
                thread: None,
            },
        ])
        .await
        .unwrap();
        assert_eq!(
            c.wait_for_stop().await.unwrap(),
            StopReply::Exited {
                status: 0,
                pid: None
            }
        );
        // vCont? is cached; an action the stub lacks is refused locally.
        let e = c
            .vcont(&[VContAction {
                action: ResumeAction::ContinueWithSignal(9),
                thread: None,
            }])
            .await;
        assert!(matches!(e, Err(GdbError::Unsupported { .. })), "{e:?}");
    })
    .await;
}

#[tokio::test]
async fn interrupt_requires_running() {
    let (mut c, _s) = pair();
    assert!(matches!(
        c.interrupt().await,
        Err(GdbError::NotRunning { .. })
    ));
}

const ROOT: &str = r#"<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target><architecture>powerpc:common64</architecture><xi:include href="core.xml"/><xi:include href="spr.xml"/></target>"#;
const CORE: &str = r#"<feature name="org.gnu.gdb.power.core"><reg name="r0" bitsize="64"/><reg name="pc" bitsize="64" regnum="64"/><reg name="msr" bitsize="64"/></feature>"#;
const SPR: &str = r#"<feature name="org.qemu.power.spr"><reg name="x#y$z}w*" bitsize="64" regnum="170" group="spr"/></feature>"#;

#[tokio::test]
async fn target_description_follows_includes_in_chunks() {
    let (mut c, mut s) = pair();
    let script = async move {
        // PacketSize 0x60 = 96: qXfer asks for (96 - 8) / 2 = 44 bytes.
        s.answer(QSUP, b"PacketSize=60;qXfer:features:read+").await;
        for (name, body) in [("target.xml", ROOT), ("core.xml", CORE), ("spr.xml", SPR)] {
            let bytes = body.as_bytes();
            let mut off = 0;
            loop {
                s.expect(&format!("qXfer:features:read:{name}:{off:x},2c"))
                    .await;
                let end = (off + 44).min(bytes.len());
                let mut reply = vec![if end == bytes.len() { b'l' } else { b'm' }];
                reply.extend_from_slice(&escape_binary(&bytes[off..end]));
                s.reply(&reply).await;
                off = end;
                if end == bytes.len() {
                    break;
                }
            }
        }
    };
    run(script, async {
        let t = c.target_description().await.unwrap();
        assert_eq!(t.architecture.as_deref(), Some("powerpc:common64"));
        let regs: Vec<(&str, u32)> = t
            .registers
            .iter()
            .map(|r| (r.name.as_str(), r.regnum))
            .collect();
        assert_eq!(
            regs,
            [("r0", 0), ("pc", 64), ("msr", 65), ("x#y$z}w*", 170)]
        );
    })
    .await;
}

#[tokio::test]
async fn xfer_refused_when_not_offered() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.answer(QSUP, b"PacketSize=1000;qXfer:features:read-")
            .await;
    };
    run(script, async {
        let e = c.target_description().await.unwrap_err();
        assert!(matches!(e, GdbError::Unsupported { .. }), "{e}");
    })
    .await;
}

#[tokio::test]
async fn with_timeout_overrides_and_restores() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("g").await;
        tokio::time::sleep(Duration::from_millis(250)).await; // > SHORT
        s.reply(b"00").await;
    };
    run(script, async {
        let before = c.timeout();
        let g = c
            .with_timeout(Duration::from_secs(1))
            .read_registers()
            .await
            .unwrap();
        assert_eq!(g, [0]);
        assert_eq!(c.timeout(), before);
    })
    .await;
}

#[tokio::test]
async fn transcript_records_the_exchange() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.answer("g", b"0011").await;
    };
    run(script, async {
        c.read_registers().await.unwrap();
    })
    .await;
    let text = c.transcript().to_string();
    assert_eq!(text, "-> $g#67\n<- +\n<- $0011#c2\n-> +\n", "{text}");
}

#[test]
fn client_futures_are_send() {
    fn assert_send<T: Send>(_: &T) {}
    let (mut c, _s) = crate::fake::pair();
    assert_send(&c.read_registers());
    assert_send(&c.target_description());
    assert_send(&c.write_memory(0, &[]));
    assert_send(&c.with_timeout(Duration::from_secs(1)).wait_for_stop());
}

fn hex(b: &[u8]) -> String {
    ppcr_gdb::packet::hex_encode(b)
}

#[tokio::test]
async fn connect_unix_reaches_a_listener_and_names_a_missing_socket() {
    let dir = tempfile::Builder::new()
        .prefix("ppcr-gdb")
        .tempdir_in("/tmp")
        .unwrap();
    let path = dir.path().join("gdb.sock");
    let e = ppcr_gdb::Client::connect_unix(&path).await.unwrap_err();
    assert!(matches!(e, GdbError::Connect { .. }), "{e}");
    assert!(e.to_string().contains("gdb.sock"), "{e}");

    let listener = tokio::net::UnixListener::bind(&path).unwrap();
    let stub = tokio::spawn(async move {
        let (io, _) = listener.accept().await.unwrap();
        let mut s = crate::fake::Stub::new(io);
        s.answer("g", b"2a").await;
    });
    let mut c = ppcr_gdb::Client::connect_unix(&path).await.unwrap();
    assert_eq!(c.read_registers().await.unwrap(), [0x2a]);
    stub.await.unwrap();
    assert!(format!("{c:?}").contains("running: false"));
}
