//! Real QEMU guests. These fail (never skip) when QEMU is missing.

use std::time::Duration;

use ppcr_qemu::qmp_types::{self, CpuInfoFast, MigrationStatus, RunState};
use ppcr_qemu::{GdbStub, Guest, HmpFailure, QemuError, QmpError, RunDir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::util::{is_alive, ppce500_e500v2, pseries_power9};

#[tokio::test]
async fn pseries_power9_launch_status_hmp_cpus_quit() {
    let dir = RunDir::new().unwrap();
    let mut g = Guest::launch_in(pseries_power9(&dir), dir).await.unwrap();
    let t = g.timings();
    eprintln!("pseries/power9 timings: {t:?}");
    assert!(t.ready < Duration::from_secs(5), "{t:?}");
    assert_eq!(g.greeting().version.major, 10);

    let st = g.query_status().await.unwrap();
    assert!(!st.running);
    assert!(matches!(st.status, RunState::prelaunch), "{:?}", st.status);

    let regs = g.hmp("info registers").await.unwrap();
    assert!(regs.contains("NIP 0000000000000100"), "{regs}");
    assert!(regs.contains("MSR 0000000000003000"), "{regs}");
    assert!(regs.contains("GPR00"), "{regs}");
    assert!(!regs.contains('\r'));

    let cpus = g.query_cpus_fast().await.unwrap();
    assert_eq!(cpus.len(), 1);
    assert!(
        matches!(cpus[0], CpuInfoFast::ppc64(ref b) if b.cpu_index == 0),
        "{cpus:?}"
    );

    g.stop().await.unwrap();
    g.system_reset().await.unwrap();
    let pid = g.pid();
    let status = g.shutdown().await.unwrap();
    assert!(status.success(), "{status:?}");
    assert!(!is_alive(pid));
}

#[tokio::test]
async fn ppce500_e500v2_launch_status_hmp_quit() {
    let mut g = Guest::launch(ppce500_e500v2(true)).await.unwrap();
    eprintln!("ppce500/e500v2 timings: {:?}", g.timings());
    let st = g.query_status().await.unwrap();
    assert!(matches!(st.status, RunState::prelaunch));
    let regs = g.hmp("info registers").await.unwrap();
    // 32-bit layout (8 hex digits); without -kernel the e500 enters u-boot at 0xf00000.
    assert!(regs.contains("NIP 00f00000"), "{regs}");
    assert!(regs.contains("GPR00"), "{regs}");
    let cpus = g.query_cpus_fast().await.unwrap();
    assert!(matches!(cpus[0], CpuInfoFast::ppc(_)), "{cpus:?}");
    // A command that fails on this machine: a typed QMP error, session intact.
    let e = g
        .execute(qmp_types::query_hotpluggable_cpus {})
        .await
        .unwrap_err();
    assert!(
        matches!(e, QemuError::Qmp(QmpError::Command { ref class, .. }) if class == "GenericError"),
        "{e:?}"
    );
    g.query_status().await.unwrap();
    assert!(g.shutdown().await.unwrap().success());
}

#[tokio::test]
async fn hmp_errors_from_real_qemu_are_errors() {
    let mut g = Guest::launch(ppce500_e500v2(true)).await.unwrap();
    for (cmd, want) in [
        ("info nosuch", HmpFailure::UnknownCommand),
        ("nosuch", HmpFailure::UnknownCommand),
        ("x", HmpFailure::BadArguments),
        ("stop now", HmpFailure::BadArguments),
        ("cpu 7", HmpFailure::Failed),
    ] {
        match g.hmp(cmd).await.unwrap_err() {
            QemuError::Qmp(QmpError::Hmp { kind, .. }) => assert_eq!(kind, want, "{cmd}"),
            e => panic!("{cmd}: {e:?}"),
        }
    }
    g.hmp("info cpus").await.unwrap();
    g.shutdown().await.unwrap();
}

#[tokio::test]
async fn early_exit_reports_status_and_stderr() {
    // pseries refuses an empty firmware image after sending the QMP greeting.
    let dir = RunDir::new().unwrap();
    let cfg = pseries_power9(&dir);
    let args: Vec<_> = cfg.caller_args().to_vec();
    let fw_pos = args.iter().position(|a| a == "-bios").unwrap() + 1;
    let mut cfg = ppcr_qemu::LaunchConfig::new(cfg.binary().clone()).label("bad-bios");
    for (i, a) in args.into_iter().enumerate() {
        cfg = cfg.arg(if i == fw_pos { "/dev/null".into() } else { a });
    }
    let e = Guest::launch_in(cfg, dir).await.unwrap_err();
    eprintln!("{e}");
    match &e {
        QemuError::Exited { status, stderr, .. } => {
            assert_eq!(status.code(), Some(1), "{e}");
            assert!(stderr.contains("Could not load LPAR firmware"), "{e}");
        }
        e => panic!("{e:?}"),
    }

    // A bad -cpu dies before connecting anything.
    let cfg = ppce500_e500v2(true).args(["-cpu", "ppcr-no-such-cpu"]);
    let e = Guest::launch(cfg).await.unwrap_err();
    match &e {
        QemuError::Exited { stderr, .. } => assert!(stderr.contains("ppcr-no-such-cpu"), "{e}"),
        e => panic!("{e:?}"),
    }
}

#[tokio::test]
async fn guest_stays_in_our_process_group() {
    // A QEMU in its own group leaked when a test runner killed the group
    // (FACTS Part C); ours must share the caller's.
    let g = Guest::launch(ppce500_e500v2(true)).await.unwrap();
    let stat = std::fs::read_to_string(format!("/proc/{}/stat", g.pid())).unwrap();
    let after = &stat[stat.rfind(')').unwrap() + 1..];
    let pgrp: i32 = after.split_whitespace().nth(2).unwrap().parse().unwrap();
    // SAFETY: getpgrp has no preconditions.
    assert_eq!(pgrp, unsafe { libc::getpgrp() });
    g.shutdown().await.unwrap();
}

#[tokio::test]
async fn reserved_arguments_are_refused_before_spawning() {
    let e = Guest::launch(ppce500_e500v2(true).args(["-serial", "stdio"]))
        .await
        .unwrap_err();
    assert!(matches!(e, QemuError::ReservedArgument { .. }), "{e:?}");
}

#[tokio::test]
async fn serial_output_is_captured() {
    // Running (no -S), ppce500 boots the bundled u-boot, which prints a banner.
    let mut g = Guest::launch(ppce500_e500v2(false)).await.unwrap();
    let at = g
        .wait_for_serial("U-Boot", Duration::from_secs(20))
        .await
        .unwrap();
    assert!(g.serial_total() >= at);
    // The banner appears once, so it cannot be found again after itself.
    let e = g
        .wait_for_serial_since(at, "U-Boot 20", Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(e, QemuError::SerialTimeout { .. }), "{e:?}");
    assert!(g.serial_text().contains("U-Boot"));
    let e = g
        .wait_for_serial("ppcr: text that never comes", Duration::from_millis(200))
        .await
        .unwrap_err();
    match &e {
        QemuError::SerialTimeout { serial, .. } => assert!(serial.contains("U-Boot")),
        e => panic!("{e:?}"),
    }
    g.write_serial(b"\n").await.unwrap();
    g.shutdown().await.unwrap();
}

#[tokio::test]
async fn gdb_stub_connects_back_over_a_unix_socket() {
    let dir = RunDir::new().unwrap();
    let mut g = Guest::launch_in(pseries_power9(&dir).gdb(true), dir)
        .await
        .unwrap();
    let mut s = g.take_gdb_stream().unwrap();
    assert!(g.take_gdb_stream().is_none());
    s.write_all(b"$?#3f").await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 256];
    tokio::time::timeout(Duration::from_secs(5), async {
        while !buf.windows(3).any(|w| w == b"T05") || !buf.contains(&b'#') {
            let n = s.read(&mut chunk).await.unwrap();
            assert!(n > 0, "gdb stub closed");
            buf.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert!(text.starts_with("+$T05"), "{text}");
    // QMP still works alongside.
    g.query_status().await.unwrap();
    g.shutdown().await.unwrap();
}

/// Sends `?` and reads until a complete stop reply.
async fn gdb_halt_reason(s: &mut tokio::net::UnixStream) -> String {
    s.write_all(b"$?#3f").await.unwrap();
    let mut buf = Vec::new();
    let mut chunk = [0u8; 256];
    tokio::time::timeout(Duration::from_secs(5), async {
        while !buf.windows(3).any(|w| w == b"T05") || !buf.contains(&b'#') {
            let n = s.read(&mut chunk).await.unwrap();
            assert!(n > 0, "gdb stub closed");
            buf.extend_from_slice(&chunk[..n]);
        }
    })
    .await
    .expect("no stop reply from the gdb stub");
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test]
async fn gdb_stub_listening_accepts_reconnects() {
    let dir = RunDir::new().unwrap();
    let mut g = Guest::launch_in(pseries_power9(&dir).gdb_stub(GdbStub::Listen), dir)
        .await
        .unwrap();
    assert!(g.take_gdb_stream().is_none());
    let path = g.gdb_socket_path().unwrap().to_owned();
    for _ in 0..2 {
        // No retry needed: the socket exists once launch has returned.
        let mut s = tokio::net::UnixStream::connect(&path).await.unwrap();
        assert!(gdb_halt_reason(&mut s).await.contains("$T05"));
        drop(s);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    g.query_status().await.unwrap();
    g.shutdown().await.unwrap();
}

#[tokio::test]
async fn migrate_to_a_file_completes() {
    let dir = RunDir::new().unwrap();
    let mut g = Guest::launch_in(pseries_power9(&dir), dir).await.unwrap();
    let file = g.run_dir().join("state.mig");
    g.migrate(&format!("file:{}", file.display()))
        .await
        .unwrap();
    let info = g.wait_for_migration(Duration::from_secs(20)).await.unwrap();
    assert!(matches!(info.status, Some(MigrationStatus::completed)));
    let len = std::fs::metadata(&file).unwrap().len();
    assert!(len > 1024, "migration stream only {len} bytes");
    let magic = std::fs::read(&file).unwrap();
    assert_eq!(&magic[..4], b"QEVM");
    g.shutdown().await.unwrap();
}

#[tokio::test]
async fn two_guests_at_once_do_not_clobber_each_other() {
    let (a, b) = tokio::join!(
        Guest::launch(ppce500_e500v2(true).label("a")),
        Guest::launch(ppce500_e500v2(true).label("b"))
    );
    let (mut a, mut b) = (a.unwrap(), b.unwrap());
    assert_ne!(a.run_dir(), b.run_dir());
    a.stop().await.unwrap();
    b.query_status().await.unwrap();
    a.shutdown().await.unwrap();
    b.query_status().await.unwrap();
    b.shutdown().await.unwrap();
}

#[tokio::test]
async fn qemu_killed_under_us_is_reported_as_exited() {
    let mut g = Guest::launch(ppce500_e500v2(true)).await.unwrap();
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(g.pid() as i32, libc::SIGKILL) };
    let e = g.query_status().await.unwrap_err();
    match &e {
        QemuError::Exited { status, .. } => {
            use std::os::unix::process::ExitStatusExt;
            assert_eq!(status.signal(), Some(libc::SIGKILL), "{e}");
        }
        e => panic!("{e:?}"),
    }
    assert!(g.diagnostics().contains("--- QMP transcript ---"));
}
