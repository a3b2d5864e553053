//! Proofs that no QEMU outlives its owner. Each check is by pid (the
//! other tests run QEMUs concurrently, so never "no qemu at all").

use std::os::unix::process::ExitStatusExt;
use std::process::Stdio;
use std::time::Duration;

use ppcr_qemu::{live_guest_pids, Guest, RunDir, Timeouts};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::util::{gone_within, is_alive, pids_with_arg_containing, ppce500_e500v2};

/// How long the kernel gets to finish off a QEMU.
const GONE: Duration = Duration::from_secs(5);

#[tokio::test]
async fn dropped_guest_is_killed() {
    let g = Guest::launch(ppce500_e500v2(true)).await.unwrap();
    let pid = g.pid();
    assert!(is_alive(pid));
    assert!(live_guest_pids().contains(&pid));
    drop(g);
    assert!(gone_within(pid, GONE).await, "QEMU {pid} survived drop");
    assert!(!live_guest_pids().contains(&pid));
}

#[tokio::test]
async fn panic_in_the_owning_task_kills_the_guest() {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let g = Guest::launch(ppce500_e500v2(true)).await.unwrap();
        tx.send(g.pid()).unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
        panic!("deliberate panic while owning a guest");
    });
    let pid = rx.await.unwrap();
    assert!(task.await.unwrap_err().is_panic());
    assert!(gone_within(pid, GONE).await, "QEMU {pid} survived a panic");
}

#[tokio::test]
async fn timeout_dropping_the_future_kills_the_guest() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let r = tokio::time::timeout(Duration::from_secs(3), async move {
        let g = Guest::launch(ppce500_e500v2(true)).await.unwrap();
        tx.send(g.pid()).unwrap();
        std::future::pending::<()>().await;
    })
    .await;
    assert!(r.is_err());
    let pid = rx.recv().await.unwrap();
    assert!(
        gone_within(pid, GONE).await,
        "QEMU {pid} survived a timeout"
    );
}

#[tokio::test]
async fn timeout_during_launch_leaves_no_qemu() {
    // Cancel at several points of the launch (before the fork, between
    // fork and connect, during the handshake); whatever was spawned must
    // die. The QEMU is found by its unique run directory in its argv.
    let mut survivors = 0;
    for ms in [1, 3, 10, 20, 30, 60] {
        let dir = RunDir::new().unwrap();
        let tag = dir.path().to_string_lossy().into_owned();
        let launch = Guest::launch_in(ppce500_e500v2(true), dir);
        let r = tokio::time::timeout(Duration::from_millis(ms), launch).await;
        if let Ok(g) = r {
            drop(g.unwrap());
        }
        // A fork request already queued on the spawner thread still runs;
        // give it time, then nothing with this tag may be alive.
        tokio::time::sleep(Duration::from_millis(200)).await;
        for pid in pids_with_arg_containing(&tag) {
            survivors += 1;
            assert!(
                gone_within(pid, GONE).await,
                "QEMU {pid} survived a launch cancelled after {ms} ms"
            );
        }
    }
    assert_eq!(survivors, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guest_outlives_the_thread_that_launched_it() {
    // PDEATHSIG fires when the forking *thread* exits; the crate forks on
    // its own long-lived thread, so this guest must survive its launcher.
    let handle = tokio::runtime::Handle::current();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let t = std::thread::spawn(move || {
        let g = handle.block_on(Guest::launch(ppce500_e500v2(true)));
        let _ = tx.send(g);
    });
    let mut g = rx.await.unwrap().unwrap();
    t.join().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        is_alive(g.pid()),
        "QEMU died with the thread that launched it"
    );
    g.query_status().await.unwrap();
    g.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_of_a_wedged_qemu_kills_it() {
    let t = Timeouts {
        shutdown: Duration::from_millis(300),
        ..crate::util::quick_timeouts()
    };
    let g = Guest::launch(ppce500_e500v2(true).timeouts(t))
        .await
        .unwrap();
    let pid = g.pid();
    // SIGSTOP: the process exists but answers nothing.
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(pid as i32, libc::SIGSTOP) };
    let start = std::time::Instant::now();
    let e = g.shutdown().await.unwrap_err();
    assert!(
        matches!(e, ppcr_qemu::QemuError::ShutdownTimeout { .. }),
        "{e:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(3));
    assert!(gone_within(pid, GONE).await);
}

// ---- death of the launching process --------------------------------------

const HELPER_ENV: &str = "PPCR_QEMU_CLEANUP_HELPER";
const PID_PREFIX: &str = "PPCR_QEMU_PID=";

/// Not a test: the body of the helper process that the tests below start
/// by re-running this test binary. It launches a guest, prints its pid and
/// waits to be killed.
#[tokio::test]
#[ignore = "helper process for the signal tests; they run it"]
async fn helper_launch_and_wait() {
    let Ok(mode) = std::env::var(HELPER_ENV) else {
        return;
    };
    if mode == "with-handler" {
        ppcr_qemu::install_signal_cleanup().unwrap();
    }
    let g = Guest::launch(ppce500_e500v2(true)).await.unwrap();
    // The run directory outlives a process killed by a signal; the parent
    // test removes it.
    println!("{PID_PREFIX}{} {}", g.pid(), g.run_dir().display());
    tokio::time::sleep(Duration::from_secs(60)).await;
    drop(g);
}

/// Starts the helper, kills it with `signal`, and returns its exit status
/// after checking that its QEMU died.
async fn kill_helper(mode: &str, signal: i32) -> std::process::ExitStatus {
    let exe = std::env::current_exe().unwrap();
    let mut child = tokio::process::Command::new(exe)
        .args([
            "--exact",
            "cleanup::helper_launch_and_wait",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(HELPER_ENV, mode)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let helper = child.id().unwrap() as i32;
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let (qemu_pid, run_dir): (u32, String) = tokio::time::timeout(Duration::from_secs(30), async {
        while let Some(line) = lines.next_line().await.unwrap() {
            // The test harness prints "test ... " on the same line first.
            if let Some(i) = line.find(PID_PREFIX) {
                let mut words = line[i + PID_PREFIX.len()..].split_whitespace();
                let pid = words.next().unwrap().parse().unwrap();
                return (pid, words.next().unwrap().to_owned());
            }
        }
        panic!("helper ended without printing a QEMU pid");
    })
    .await
    .expect("helper did not start a QEMU within 30 s");
    assert!(is_alive(qemu_pid));
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(helper, signal) };
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("helper did not die")
        .unwrap();
    assert!(
        gone_within(qemu_pid, GONE).await,
        "QEMU {qemu_pid} outlived its launcher ({mode}, signal {signal})"
    );
    assert!(run_dir.starts_with("/tmp/ppcr-"), "{run_dir}");
    let _ = std::fs::remove_dir_all(&run_dir);
    status
}

#[tokio::test]
async fn sigterm_with_the_handler_kills_qemu_and_exits_143() {
    let st = kill_helper("with-handler", libc::SIGTERM).await;
    assert_eq!(st.code(), Some(143), "{st:?}");
}

#[tokio::test]
async fn sigint_with_the_handler_kills_qemu_and_exits_130() {
    let st = kill_helper("with-handler", libc::SIGINT).await;
    assert_eq!(st.code(), Some(130), "{st:?}");
}

#[tokio::test]
async fn sigterm_without_the_handler_still_kills_qemu() {
    let st = kill_helper("no-handler", libc::SIGTERM).await;
    assert_eq!(st.signal(), Some(libc::SIGTERM), "{st:?}");
}

#[tokio::test]
async fn sigkill_of_the_launcher_kills_qemu() {
    let st = kill_helper("no-handler", libc::SIGKILL).await;
    assert_eq!(st.signal(), Some(libc::SIGKILL), "{st:?}");
}
