//! No QEMU outlives the `ppcr` binary: SIGINT/SIGTERM during a run that
//! has guests up, and SIGKILL (the parent-death signal covers that one).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// PIDs of live processes whose parent is `parent` and whose name starts with qemu-system.
fn qemu_children(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            continue;
        };
        // pid (comm) state ppid ...
        let Some(close) = stat.rfind(')') else {
            continue;
        };
        let comm = &stat[stat.find('(').unwrap() + 1..close];
        let fields: Vec<&str> = stat[close + 2..].split_whitespace().collect();
        if comm.starts_with("qemu-system")
            && fields.get(1) == Some(&parent.to_string().as_str())
            && fields[0] != "Z"
        {
            out.push(pid);
        }
    }
    out
}

/// `/tmp/ppcr-*` run directories recorded as owned by `pid`.
fn run_dirs_of(pid: u32) -> Vec<std::path::PathBuf> {
    std::fs::read_dir("/tmp")
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("ppcr-"))
        })
        .filter(|p| {
            std::fs::read_to_string(p.join("owner.pid")).is_ok_and(|o| o.trim() == pid.to_string())
        })
        .collect()
}

fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rfind(')')
            .is_some_and(|i| !stat[i + 2..].starts_with('Z')),
        Err(_) => false,
    }
}

fn run_and_signal(signal: i32) -> (Option<i32>, Vec<u32>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(["cpus", "--probe"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = child.id();
    // Wait until it has guests up.
    let start = Instant::now();
    let mut seen = Vec::new();
    while start.elapsed() < Duration::from_secs(20) {
        seen = qemu_children(pid);
        if !seen.is_empty() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(!seen.is_empty(), "ppcr started no QEMU");
    let left = run_dirs_of(pid);
    assert!(
        !left.is_empty(),
        "ppcr records itself as the owner of its run directories"
    );
    unsafe { libc::kill(pid as i32, signal) };
    let status = child.wait().unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while seen.iter().any(|&p| alive(p)) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let survivors: Vec<u32> = seen.into_iter().filter(|&p| alive(p)).collect();
    for &p in &survivors {
        unsafe { libc::kill(p as i32, libc::SIGKILL) };
    }
    // A killed ppcr cannot remove its run directories; the next launch does
    // (any ppcr launch: the tests run at once, another may sweep first).
    let next = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(["regs", "--cpu", "e500v2"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(next.success());
    let still: Vec<_> = left.into_iter().filter(|d| d.exists()).collect();
    assert!(
        still.is_empty(),
        "run directories of the killed ppcr remain: {still:?}"
    );
    (status.code(), survivors)
}

#[test]
fn sigterm_kills_every_guest_and_exits_143() {
    let (code, survivors) = run_and_signal(libc::SIGTERM);
    assert!(survivors.is_empty(), "QEMU outlived ppcr: {survivors:?}");
    assert_eq!(code, Some(143));
}

#[test]
fn sigint_kills_every_guest_and_exits_130() {
    let (code, survivors) = run_and_signal(libc::SIGINT);
    assert!(survivors.is_empty(), "QEMU outlived ppcr: {survivors:?}");
    assert_eq!(code, Some(130));
}

#[test]
fn sigkill_of_ppcr_still_kills_its_guests() {
    let (code, survivors) = run_and_signal(libc::SIGKILL);
    assert!(survivors.is_empty(), "QEMU outlived ppcr: {survivors:?}");
    assert_eq!(code, None);
}
