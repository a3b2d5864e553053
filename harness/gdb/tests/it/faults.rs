//! Fault injection: a misbehaving stub gives a typed error within the
//! deadline, never a hang or a panic; recoverable faults are recovered.

use std::time::{Duration, Instant};

use ppcr_gdb::packet::frame;
use ppcr_gdb::{Config, GdbError};

use crate::fake::{pair, pair_with, run, SHORT};

/// The deadline fired: not before it, and well before a second (generous
/// for a loaded 2-core CI machine; a hang would never return).
fn assert_on_time(start: Instant) {
    let took = start.elapsed();
    assert!(took >= SHORT, "returned before the deadline: {took:?}");
    assert!(
        took < Duration::from_millis(900),
        "deadline overran: {took:?}"
    );
}

#[tokio::test]
async fn garbage_before_the_reply_is_skipped() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("g").await;
        s.raw(b"\x00\xffnoise\r\n").await;
        s.raw(b"+++").await; // stray acks
        s.reply(b"abcd").await;
    };
    run(script, async {
        assert_eq!(c.read_registers().await.unwrap(), [0xab, 0xcd]);
    })
    .await;
    assert!(c.transcript().to_string().contains("[junk, skipped]"));
}

#[tokio::test]
async fn endless_garbage_is_an_error_and_poisons() {
    let (mut c, mut s) = pair_with(Config {
        timeout: SHORT,
        max_junk: 100,
        ..Config::default()
    });
    let script = async move {
        s.expect("g").await;
        s.raw(&[b'x'; 300]).await;
    };
    run(script, async {
        let e = c.read_registers().await.unwrap_err();
        assert!(
            matches!(e, GdbError::Garbage { count, .. } if count > 100),
            "{e}"
        );
        assert!(e.to_string().contains("xxxx"), "{e}");
        let again = c.read_registers().await.unwrap_err();
        assert!(matches!(again, GdbError::Desynchronized { .. }), "{again}");
    })
    .await;
}

#[tokio::test]
async fn a_packet_cut_short_by_a_new_one_is_dropped() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("g").await;
        s.raw(b"$00").await;
        s.reply(b"11").await;
    };
    run(script, async {
        assert_eq!(c.read_registers().await.unwrap(), [0x11]);
    })
    .await;
}

#[tokio::test]
async fn closed_mid_reply() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("g").await;
        s.raw(b"$0011").await;
        drop(s);
    };
    run(script, async {
        let e = c.read_registers().await.unwrap_err();
        assert!(
            matches!(
                e,
                GdbError::Closed {
                    partial_bytes: 5,
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("middle of a packet"), "{e}");
        assert!(matches!(
            c.read_registers().await,
            Err(GdbError::Desynchronized { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn closed_before_the_ack() {
    let (mut c, mut s) = pair();
    let script = async move {
        let _ = s.packet_noack().await;
        drop(s);
    };
    run(script, async {
        let e = c.read_registers().await.unwrap_err();
        assert!(
            matches!(
                e,
                GdbError::Closed {
                    partial_bytes: 0,
                    ..
                }
            ),
            "{e}"
        );
    })
    .await;
}

#[tokio::test]
async fn stalled_reply_times_out_and_poisons() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("g").await;
        s.raw(b"$00").await; // half a reply, then nothing
        tokio::time::sleep(SHORT * 2).await;
        s.raw(b"11#92").await; // the late rest must not be taken for the next reply
    };
    run(script, async {
        let start = Instant::now();
        let e = c.read_registers().await.unwrap_err();
        assert_on_time(start);
        assert!(matches!(e, GdbError::Timeout { .. }), "{e}");
        assert!(matches!(
            c.read_registers().await,
            Err(GdbError::Desynchronized { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn no_ack_times_out() {
    let (mut c, mut s) = pair();
    let script = async move {
        let _ = s.packet_noack().await;
        tokio::time::sleep(SHORT * 2).await;
    };
    run(script, async {
        let start = Instant::now();
        let e = c.read_register(1).await.unwrap_err();
        assert_on_time(start);
        assert!(matches!(e, GdbError::Timeout { .. }), "{e}");
    })
    .await;
}

#[tokio::test]
async fn a_trickling_peer_does_not_extend_the_deadline() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("g").await;
        // 20 bytes over 750 ms: a deadline restarted per byte would only
        // fire after the last one.
        for _ in 0..20 {
            s.raw(b"x").await;
            tokio::time::sleep(SHORT / 4).await;
        }
    };
    run(script, async {
        let start = Instant::now();
        let e = c.read_registers().await.unwrap_err();
        let took = start.elapsed();
        assert!(
            took < SHORT * 4,
            "deadline was extended by trickling bytes: {took:?}"
        );
        assert_on_time(start);
        assert!(matches!(e, GdbError::Timeout { .. }), "{e}");
    })
    .await;
}

#[tokio::test]
async fn bad_checksum_is_naked_and_the_retransmission_accepted() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("p40").await;
        s.raw(b"$0000000000000100#00").await; // wrong checksum
        assert_eq!(s.byte().await, b'-', "client must NAK a bad checksum");
        s.raw(b"$0000000000000100#zz").await; // unparsable checksum
        assert_eq!(s.byte().await, b'-');
        s.reply(b"0000000000000100").await;
    };
    run(script, async {
        let v = c.read_register(0x40).await.unwrap();
        assert_eq!(v.as_bytes(), &[0, 0, 0, 0, 0, 0, 1, 0]);
    })
    .await;
    let t = c.transcript().to_string();
    assert_eq!(t.matches("[bad checksum]").count(), 4, "{t}");
}

#[tokio::test]
async fn repeated_bad_checksums_give_up() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("g").await;
        for _ in 0..3 {
            s.raw(b"$00#ff").await;
            assert_eq!(s.byte().await, b'-');
        }
        s.raw(b"$00#ff").await; // the fourth bad one: the client gives up
    };
    run(script, async {
        let e = c.read_registers().await.unwrap_err();
        match &e {
            GdbError::BadChecksum {
                retries,
                found,
                computed,
                ..
            } => assert_eq!((*retries, *found, *computed), (3, 0xff, 0x60)),
            other => panic!("{other}"),
        }
        assert!(c.poisoned().is_some());
    })
    .await;
}

#[tokio::test]
async fn nak_from_the_stub_makes_the_client_resend() {
    let (mut c, mut s) = pair();
    let script = async move {
        let first = s.packet_noack().await;
        s.raw(b"-").await;
        let second = s.packet_noack().await;
        assert_eq!(first, second);
        assert_eq!(second, b"Hgp1.1");
        s.raw(b"+").await;
        s.reply(b"OK").await;
    };
    run(script, async {
        let t = ppcr_gdb::ThreadId::parse("p1.1").unwrap();
        c.set_general_thread(t).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn endless_naks_give_up() {
    let (mut c, mut s) = pair();
    let script = async move {
        for _ in 0..4 {
            let _ = s.packet_noack().await;
            s.raw(b"-").await;
        }
    };
    run(script, async {
        let e = c.read_registers().await.unwrap_err();
        assert!(matches!(e, GdbError::Rejected { naks: 4, .. }), "{e}");
    })
    .await;
}

#[tokio::test]
async fn oversized_packet_is_refused_without_buffering_it() {
    let (mut c, mut s) = pair_with(Config {
        timeout: SHORT,
        max_packet: 1024,
        ..Config::default()
    });
    let script = async move {
        s.expect("g").await;
        let mut big = vec![b'$'];
        big.extend_from_slice(&[b'0'; 3000]);
        s.raw(&big).await;
    };
    run(script, async {
        let e = c.read_registers().await.unwrap_err();
        assert!(
            matches!(e, GdbError::PacketTooLarge { limit: 1024, .. }),
            "{e}"
        );
    })
    .await;
}

#[tokio::test]
async fn rle_bomb_is_refused() {
    let (mut c, mut s) = pair_with(Config {
        timeout: SHORT,
        max_packet: 64,
        ..Config::default()
    });
    let script = async move {
        s.expect("g").await;
        s.reply(b"0*~0*~").await; // 2 * 98 bytes decoded > 64
    };
    run(script, async {
        let e = c.read_registers().await.unwrap_err();
        assert!(matches!(e, GdbError::Malformed { .. }), "{e}");
        assert!(e.to_string().contains("exceeds 64"), "{e}");
    })
    .await;
}

#[tokio::test]
async fn malformed_replies_show_the_bytes() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.answer("g", b"0g\x01").await;
        s.answer("?", b"Q05").await;
        s.answer("qfThreadInfo", b"zz").await;
        s.answer("Hg-1", b"KO").await;
    };
    run(script, async {
        let e = c.read_registers().await.unwrap_err();
        assert!(matches!(e, GdbError::Malformed { .. }), "{e}");
        assert!(e.to_string().contains("0g\\x01"), "{e}");
        assert!(matches!(
            c.halt_reason().await,
            Err(GdbError::Malformed { .. })
        ));
        assert!(matches!(
            c.thread_ids().await,
            Err(GdbError::Malformed { .. })
        ));
        assert!(matches!(
            c.set_general_thread(ppcr_gdb::ThreadId::ALL).await,
            Err(GdbError::Malformed { .. })
        ));
        assert!(
            c.poisoned().is_none(),
            "a complete but odd reply leaves the stream in sync"
        );
    })
    .await;
}

#[tokio::test]
async fn waiting_for_a_stop_can_time_out_and_be_retried() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("c").await;
        tokio::time::sleep(SHORT + SHORT / 2).await;
        // Half the stop reply arrives during the first wait ...
        s.raw(b"$T05thr").await;
        tokio::time::sleep(SHORT).await;
        s.raw(b"ead:p1.1;").await;
        let f = frame(b"T05thread:p1.1;");
        s.raw(&f[f.len() - 3..]).await;
        assert_eq!(s.byte().await, b'+');
    };
    run(script, async {
        c.resume().await.unwrap();
        let start = Instant::now();
        let e = c.wait_for_stop().await.unwrap_err();
        assert_on_time(start);
        assert!(matches!(e, GdbError::Timeout { .. }), "{e}");
        assert!(c.poisoned().is_none() && c.is_running());
        // ... and the rest completes it: nothing was lost to the timeout.
        let stop = c
            .with_timeout(Duration::from_secs(1))
            .wait_for_stop()
            .await
            .unwrap();
        assert!(matches!(stop, ppcr_gdb::StopReply::Stopped(_)));
    })
    .await;
}

#[tokio::test]
async fn interrupt_without_answer_times_out() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.expect("c").await;
        assert_eq!(s.byte().await, 0x03);
        tokio::time::sleep(SHORT * 2).await;
    };
    run(script, async {
        c.resume().await.unwrap();
        let start = Instant::now();
        assert!(matches!(c.interrupt().await, Err(GdbError::Timeout { .. })));
        assert_on_time(start);
    })
    .await;
}

#[tokio::test]
async fn xfer_without_progress_is_an_error() {
    let (mut c, mut s) = pair();
    let script = async move {
        s.answer(
            "qSupported:multiprocess+;swbreak+;hwbreak+;vContSupported+",
            b"PacketSize=1000;qXfer:features:read+",
        )
        .await;
        s.answer("qXfer:features:read:target.xml:0,7fc", b"m").await;
    };
    run(script, async {
        let e = c.read_feature_file("target.xml").await.unwrap_err();
        assert!(e.to_string().contains("no progress"), "{e}");
    })
    .await;
}
