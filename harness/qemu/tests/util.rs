//! Shared helpers for the integration tests.

use std::time::{Duration, Instant};

use ppcr_qemu::{LaunchConfig, QemuBinary, QemuKind, RunDir, Timeouts};

/// The QEMU binary, or a test failure carrying the install command.
pub fn qemu(kind: QemuKind) -> QemuBinary {
    QemuBinary::find(kind).unwrap_or_else(|e| panic!("{e}"))
}

/// True while `pid` exists and is not a zombie (a killed QEMU whose
/// parent has not reaped it yet is dead for our purposes).
pub fn is_alive(pid: u32) -> bool {
    let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
        return false;
    };
    // Field 3, after the parenthesised command name (which may contain spaces).
    let state = stat
        .rfind(')')
        .and_then(|i| stat[i + 1..].split_whitespace().next())
        .unwrap_or("?");
    !matches!(state, "Z" | "X" | "x")
}

/// Polls until `pid` is gone; true if it went within `within`.
pub async fn gone_within(pid: u32, within: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < within {
        if !is_alive(pid) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    !is_alive(pid)
}

/// Short deadlines so a hung test fails fast.
pub fn quick_timeouts() -> Timeouts {
    Timeouts {
        connect: Duration::from_secs(10),
        command: Duration::from_secs(5),
        shutdown: Duration::from_secs(5),
    }
}

/// pseries/POWER9 halted at reset (`-S`), with a 4 KiB zero firmware blob
/// written into `dir` (`-bios /dev/null` is refused: "Could not load LPAR
/// firmware").
pub fn pseries_power9(dir: &RunDir) -> LaunchConfig {
    let fw = dir.path().join("zero.bin");
    std::fs::write(&fw, [0u8; 4096]).unwrap();
    LaunchConfig::new(qemu(QemuKind::Ppc64))
        .args([
            "-M", "pseries", "-cpu", "power9", "-m", "256", "-S", "-bios",
        ])
        .arg(fw)
        .timeouts(quick_timeouts())
        .label("pseries-power9")
}

/// ppce500/e500v2 on qemu-system-ppc. Without `-S` and `-kernel` it runs
/// the bundled u-boot, which prints a banner on serial.
pub fn ppce500_e500v2(halted: bool) -> LaunchConfig {
    let c = LaunchConfig::new(qemu(QemuKind::Ppc))
        .args(["-M", "ppce500", "-cpu", "e500v2", "-m", "256"])
        .timeouts(quick_timeouts())
        .label("ppce500-e500v2");
    if halted {
        c.arg("-S")
    } else {
        c
    }
}

/// Live processes whose argv contains `needle` (e.g. a run directory).
pub fn pids_with_arg_containing(needle: &str) -> Vec<u32> {
    let Ok(rd) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    rd.filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| {
            std::fs::read(format!("/proc/{pid}/cmdline"))
                .map(|c| String::from_utf8_lossy(&c).contains(needle))
                .unwrap_or(false)
        })
        .filter(|&pid| is_alive(pid))
        .collect()
}
