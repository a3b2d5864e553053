//! A QEMU bug the warm pool ran into, kept as a sentinel.
//!
//! QEMU 10.0.2, TCG, pseries POWER8+: arm DAWR0 through H_SET_MODE, then
//! `system_reset`, then arm DAWR0 again: QEMU dies with SIGSEGV.
//! `ppc_cpu_reset_hold` (target/ppc/cpu_init.c) calls
//! `cpu_watchpoint_remove_all(cs, BP_CPU)`, which frees the DAWR watchpoint,
//! but leaves `env->dawr_watchpoint[0]` pointing at it; the next
//! `ppc_update_daw` (target/ppc/watchpoint.c) calls
//! `cpu_watchpoint_remove_by_ref` on the freed watchpoint.
//!
//! This is why `sim::Pool` never reuses a guest that armed a DAWR. When
//! this test starts failing, QEMU is fixed: let the pool keep those guests.

use ppcr::sim::{self, Pool, PoolKey, Workload};
use ppcr_core::format::Flavour;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rearming_dawr_after_system_reset_crashes_qemu() {
    let c = sim::checkpoint("power8", Flavour::Ppc64, "dawr")
        .await
        .unwrap();
    let carrier = Workload::get("dawr")
        .unwrap()
        .payload(Flavour::Ppc64)
        .unwrap();
    let pool = Pool::new(2);

    // First restore arms DAWR0 (H_SET_MODE) and runs to the end.
    let mut t = pool
        .acquire("power9", Flavour::Ppc64, carrier, None)
        .await
        .unwrap();
    let first = sim::apply_and_run(&mut t, &c.image, c.reference, Duration::from_secs(5)).await;
    assert!(
        first.is_ok(),
        "first restore: {:?}",
        first.err().map(|e| e.to_string())
    );

    // Hand the guest back as if its image had no DAWR, so the pool keeps it
    // and resets it (system_reset) instead of retiring it.
    let mut without_dawr = c.image.clone();
    without_dawr.cpu.dawr = None;
    pool.release(
        PoolKey::new("power9", Flavour::Ppc64, None),
        t,
        &without_dawr,
        true,
    )
    .await;
    let mut t = pool
        .acquire("power9", Flavour::Ppc64, carrier, None)
        .await
        .unwrap();
    assert_eq!(pool.stats().reused, 1, "the reset guest was reused");

    // Arming DAWR0 again on the reset guest kills QEMU.
    let second = sim::apply_and_run(&mut t, &c.image, c.reference, Duration::from_secs(5)).await;
    let mut status = None;
    for _ in 0..50 {
        status = t.guest.qemu.try_exit_status();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.and_then(|s| s.signal()),
        Some(libc::SIGSEGV),
        "QEMU no longer crashes here (second restore: {:?}): the DAWR reset bug is fixed",
        second.map(|r| format!("{r:?}")).map_err(|e| e.to_string())
    );
    pool.shutdown().await;
}
