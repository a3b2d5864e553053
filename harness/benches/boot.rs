//! Launch to the ready point, per family, against QEMU's own start+quit of
//! the same machine, CPU and payload files measured in the same run.
//!
//! `cargo bench -p ppcr --bench boot [-- ROUNDS]`
//!
//! Baseline: `qemu-system-* <same machine args> -S -qmp stdio` with
//! `qmp_capabilities` + `quit` on stdin, spawn to exit: QEMU's cold start
//! and tear-down, nothing of ppcr. Measured: `guest::boot` (QEMU launch over
//! Unix sockets, gdb attach, breakpoint, run the boot part to `ppcr_ready`,
//! read the mailbox) plus `kill`. Reported: medians and the ratio.

use ppcr::guest::{boot, GuestSpec, LaunchPlan};
use ppcr_core::cpu::{Flavour, QemuSystem};
use ppcr_qemu::{QemuBinary, QemuKind};
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn baseline(spec: GuestSpec) -> Duration {
    let plan = LaunchPlan::new(spec, None).expect("plan");
    let dir = tempfile::tempdir().expect("tempdir");
    plan.write_files(dir.path()).expect("payload files");
    let kind = match spec.system() {
        QemuSystem::Ppc => QemuKind::Ppc,
        QemuSystem::Ppc64 => QemuKind::Ppc64,
    };
    let bin = QemuBinary::find(kind).expect("QEMU (run 'sudo bash ci/setup')");
    ppcr_qemu::baseline::start_quit(&bin, &plan.args(dir.path())).expect("baseline QEMU")
}

fn main() {
    if std::env::args().any(|a| a == "--test" || a == "--list") {
        return;
    }
    let rounds: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(15);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cases = [
        ("book3s64 (pseries)", "power9", Flavour::Ppc64),
        ("book3s64 LE (pseries)", "power10", Flavour::Ppc64le),
        ("book3s32 (mac99)", "7400", Flavour::Ppc32),
        ("booke (ppce500)", "e500v2", Flavour::Ppc32),
        ("booke64 (ppce500)", "e6500", Flavour::Ppc64),
        ("ppc440 (bamboo)", "440epb", Flavour::Ppc32),
    ];
    println!(
        "{:<24} {:<8} {:>14} {:>14} {:>7}",
        "family", "model", "QEMU start+quit", "ppcr to ready", "ratio"
    );
    for (family, model, flavour) in cases {
        let spec = GuestSpec::resolve(model, flavour).expect("model");
        let (mut base, mut ours) = (Vec::new(), Vec::new());
        for _ in 0..rounds {
            // Interleave so both see the same machine load.
            base.push(baseline(spec));
            let start = Instant::now();
            runtime.block_on(async {
                let guest = boot(model, flavour).await.expect("boot");
                guest.kill().await.expect("kill");
            });
            ours.push(start.elapsed());
        }
        let (b, o) = (median(base), median(ours));
        println!(
            "{:<24} {:<8} {:>11.1} ms {:>11.1} ms {:>6.2}x",
            family,
            model,
            b.as_secs_f64() * 1e3,
            o.as_secs_f64() * 1e3,
            o.as_secs_f64() / b.as_secs_f64()
        );
    }
}
