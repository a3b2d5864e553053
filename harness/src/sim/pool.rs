//! A warm pool of target guests: a QEMU that reached its user entry once
//! serves many restores. Between two restores the guest is brought back to
//! the state a fresh QEMU has at the user entry, without relaunching it:
//!
//! 1. QMP `system_reset` with the vCPU stopped (QEMU leaves it stopped, in
//!    `prelaunch`): CPU and devices reset, and the ROM blobs (`-bios`,
//!    `-kernel`, the `-device loader` user part) are copied in again. The
//!    pseries FDT is rebuilt.
//! 2. RAM that is no ROM keeps what the last run wrote, so the mailbox page,
//!    the user part's range, the data and the stack (0x400000–0x800000,
//!    docs/GUEST.md) are written through the gdb stub with what a fresh QEMU
//!    has there: zeros, and the carrier's code at the user entry. The carrier
//!    is written rather than reloaded, so one guest serves every workload of
//!    its (target, flavour, machine).
//! 3. The boot part runs again from the reset vector to `ppcr_ready` and the
//!    user entry, exactly as in [`boot_target`]; gdb breakpoints are removed
//!    after every stop, as before.
//!
//! What a reset does not clear is never reused: a guest that ran an image
//! with a DAWR record (armed by `H_SET_MODE` as a QEMU watchpoint) is killed
//! after its restore, as is a guest whose run timed out or failed, or whose
//! reset failed. The pool holds
//! at most `capacity` idle guests (the oldest is killed first) and kills
//! every QEMU on [`Pool::shutdown`] or drop.

use ppcr_core::format::{Flavour, Image};
use ppcr_gdb::BreakpointKind;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::checkpoint::run_to;
use super::restore::{boot_target, TargetGuest};
use super::SimError;
use crate::guest::mailbox::{DATA_BASE, MAILBOX, STACK_TOP, USER_BASE};
use crate::guest::{GuestError, Payload, State};

/// The top page of the stack (the boot part sets r1 to [`STACK_TOP`]; the
/// workloads keep nothing on the stack, docs/WORKLOADS.md).
const STACK_PAGE: u64 = STACK_TOP & !0xfff;
/// Software breakpoint length on PowerPC.
const BP_LEN: u64 = 4;
/// Deadline of the boot part after a reset.
const REBOOT_TIMEOUT: Duration = Duration::from_secs(10);

/// What makes two target guests interchangeable.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PoolKey {
    /// The model as asked for (catalogue name, QEMU name or alias).
    pub model: String,
    /// Flavour.
    pub flavour: Flavour,
    /// `-M` override.
    pub machine: Option<String>,
}

impl PoolKey {
    /// The key of a guest of `model` for `flavour` on `machine`.
    pub fn new(model: &str, flavour: Flavour, machine: Option<String>) -> PoolKey {
        PoolKey {
            model: model.to_string(),
            flavour,
            machine,
        }
    }
}

/// Counters, for `ppcr bench` and the matrix summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Guests launched.
    pub launched: u64,
    /// Restores served by a reset guest.
    pub reused: u64,
    /// Guests killed after a run (debug records, timeout, error) or a failed reset.
    pub retired: u64,
    /// Idle guests killed to keep the pool bounded.
    pub evicted: u64,
}

/// An idle guest: its key, and the end of the code the last image wrote
/// at the user entry.
type Idle = (PoolKey, TargetGuest, u64);

/// The warm pool (share it behind an `Arc`).
#[derive(Debug)]
pub struct Pool {
    capacity: usize,
    idle: Mutex<VecDeque<Idle>>,
    launched: AtomicU64,
    reused: AtomicU64,
    retired: AtomicU64,
    evicted: AtomicU64,
}

impl Pool {
    /// A pool keeping at most `capacity` idle guests.
    pub fn new(capacity: usize) -> Pool {
        Pool {
            capacity: capacity.max(1),
            idle: Mutex::new(VecDeque::new()),
            launched: AtomicU64::new(0),
            reused: AtomicU64::new(0),
            retired: AtomicU64::new(0),
            evicted: AtomicU64::new(0),
        }
    }

    /// The counters so far.
    pub fn stats(&self) -> PoolStats {
        PoolStats {
            launched: self.launched.load(Ordering::Relaxed),
            reused: self.reused.load(Ordering::Relaxed),
            retired: self.retired.load(Ordering::Relaxed),
            evicted: self.evicted.load(Ordering::Relaxed),
        }
    }

    fn take(&self, key: &PoolKey) -> Option<(TargetGuest, u64)> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let i = idle.iter().position(|(k, _, _)| k == key)?;
        idle.remove(i).map(|(_, t, end)| (t, end))
    }

    /// A target guest stopped at its user entry with `carrier` as its user
    /// part, as [`boot_target`] gives: a reset idle guest of the same key,
    /// or a new one.
    pub async fn acquire(
        &self,
        model: &str,
        flavour: Flavour,
        carrier: &'static Payload,
        machine: Option<String>,
    ) -> Result<TargetGuest, SimError> {
        let key = PoolKey::new(model, flavour, machine.clone());
        while let Some((mut t, user_end)) = self.take(&key) {
            match recycle(&mut t, carrier, user_end).await {
                Ok(()) => {
                    self.reused.fetch_add(1, Ordering::Relaxed);
                    return Ok(t);
                }
                Err(e) => {
                    tracing::debug!("pool: reset of {model} failed, killing it: {e}");
                    self.retired.fetch_add(1, Ordering::Relaxed);
                    let _ = t.guest.kill().await;
                }
            }
        }
        self.launched.fetch_add(1, Ordering::Relaxed);
        boot_target(model, flavour, carrier, machine).await
    }

    /// Gives `t` back after a restore of `image` that ended `clean` (an
    /// outcome, no timeout, no error); kills it when it may keep state a
    /// reset does not clear.
    pub async fn release(&self, key: PoolKey, mut t: TargetGuest, image: &Image, clean: bool) {
        let cpu = &image.cpu;
        // DAWR is armed as a QEMU watchpoint by H_SET_MODE. QEMU 10.0.2's
        // reset frees that watchpoint but keeps env->dawr_watchpoint[] pointing
        // at it, so re-arming a DAWR on the reset guest is a use-after-free and
        // QEMU dies with SIGSEGV (tests/qemu_dawr_reset_bug.rs). Such a guest
        // is never reused. DABR and the Book E debug registers are plain SPRs,
        // back at their reset values after the reset (the equality check of
        // the full matrix covers the dabr and booke-debug rows).
        let debug = cpu.dawr.is_some();
        // The image's memory must lie where a reset guest is cleaned.
        let user_end = image
            .segments
            .iter()
            .map(|s| (s.addr, s.addr + s.data.len() as u64))
            .filter(|&(a, _)| a != DATA_BASE)
            .map(|(a, e)| (a == USER_BASE && e <= DATA_BASE).then_some(e))
            .try_fold(USER_BASE, |m, e| e.map(|e| m.max(e)));
        let data_ok = image
            .segments
            .iter()
            .filter(|s| s.addr == DATA_BASE)
            .all(|s| s.data.len() <= 0x1000);
        let reusable = clean && !debug && data_ok && user_end.is_some();
        if !reusable || t.guest.qemu.try_exit_status().is_some() {
            self.retired.fetch_add(1, Ordering::Relaxed);
            let _ = t.guest.kill().await;
            return;
        }
        let evicted = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.push_back((key, t, user_end.unwrap_or(USER_BASE)));
            let mut out = Vec::new();
            while idle.len() > self.capacity {
                out.extend(idle.pop_front().map(|(_, t, _)| t));
            }
            out
        };
        for t in evicted {
            self.evicted.fetch_add(1, Ordering::Relaxed);
            let _ = t.guest.kill().await;
        }
    }

    /// Kills (and reaps) every idle guest.
    pub async fn shutdown(&self) {
        let all: Vec<_> = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            idle.drain(..).collect()
        };
        for (_, t, _) in all {
            let _ = t.guest.kill().await;
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        // Dropping a guest SIGKILLs its QEMU (ppcr_qemu::Guest).
        let idle = self.idle.get_mut().unwrap_or_else(|p| p.into_inner());
        idle.clear();
    }
}

/// Brings `t` back to the state of a fresh QEMU booted with `carrier`,
/// stopped at the user entry.
async fn recycle(
    t: &mut TargetGuest,
    carrier: &'static Payload,
    user_end: u64,
) -> Result<(), SimError> {
    let t0 = Instant::now();
    let g = &mut t.guest;
    g.qemu.system_reset().await.map_err(GuestError::from)?;
    // RAM a run may have written and no ROM restores: the mailbox, the
    // user part's range up to the end of the longest code written there
    // (the launch carrier, which the reset put back, or an image's), the
    // data page and the top of the stack. The carrier goes in at the user
    // entry: the guest's own loader may have put another workload's there.
    let code = carrier.raw()?;
    let launched = g
        .plan
        .user
        .and_then(|p| p.raw().ok())
        .map_or(0, <[u8]>::len);
    let end = (code.len() as u64)
        .max(launched as u64)
        .max(user_end - USER_BASE);
    let mut user = vec![0u8; end as usize];
    user[..code.len()].copy_from_slice(code);
    let page = vec![0u8; 0x1000];
    g.gdb.write_memory(MAILBOX, &page).await?;
    g.gdb.write_memory(USER_BASE, &user).await?;
    g.gdb.write_memory(DATA_BASE, &page).await?;
    g.gdb.write_memory(STACK_PAGE, &page).await?;
    // The boot part, from the reset vector to its ready point.
    let ready = g.boot_symbol(crate::guest::payload::READY_SYMBOL)?;
    g.gdb
        .insert_breakpoint(BreakpointKind::Software, ready, BP_LEN)
        .await?;
    g.gdb.resume().await?;
    let waited = g.gdb.with_timeout(REBOOT_TIMEOUT).wait_for_stop().await;
    if let Err(ppcr_gdb::GdbError::Timeout { .. }) = waited {
        let _ = g.gdb.interrupt().await;
        return Err(SimError::Source(format!(
            "after a reset, {} did not reach its ready point",
            g.plan.spec.name
        )));
    }
    waited?;
    g.gdb
        .remove_breakpoint(BreakpointKind::Software, ready, BP_LEN)
        .await?;
    let pc = g.pc().await?;
    if pc != ready {
        return Err(SimError::Source(format!(
            "after a reset, stopped at {pc:#x}, not at the ready point {ready:#x}"
        )));
    }
    g.mailbox = g.read_mailbox().await?;
    if g.mailbox.state != State::Ready {
        return Err(SimError::Source(format!(
            "after a reset, mailbox state {:?} at the ready point",
            g.mailbox.state
        )));
    }
    let pc = run_to(g, USER_BASE, REBOOT_TIMEOUT).await?;
    if pc != USER_BASE {
        return Err(SimError::Source(format!(
            "after a reset, stopped at {pc:#x}, not at the user entry"
        )));
    }
    t.carrier = carrier;
    t.boot = t0.elapsed();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{checkpoint, restore, restore_pooled, Mode, RestoreOptions};

    /// A reset guest gives what a fresh QEMU gives, across workloads (the
    /// carrier is swapped) and on every platform family; the pool kills
    /// what it holds. Real QEMU.
    #[test]
    fn a_reset_guest_restores_as_a_fresh_one() {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let opts = RestoreOptions {
                mode: Mode::Forced,
                ..RestoreOptions::default()
            };
            let pool = Pool::new(4);
            // (source, flavour, workloads, targets): pseries, mac99, g3beige,
            // ppce500, bamboo.
            let cases: &[(&str, Flavour, &[&str], &[&str])] = &[
                (
                    "power9",
                    Flavour::Ppc64le,
                    &["int", "vsx"],
                    &["power9", "power7"],
                ),
                (
                    "7400",
                    Flavour::Ppc32,
                    &["vmx", "fp"],
                    &["7450", "750", "e500v2"],
                ),
                (
                    "e500v2",
                    Flavour::Ppc32,
                    &["spe", "booke-debug"],
                    &["e500v2", "440epb"],
                ),
            ];
            for &(source, flavour, workloads, targets) in cases {
                let mut images = Vec::new();
                for w in workloads {
                    images.push(checkpoint(source, flavour, w).await.unwrap().image);
                }
                for target in targets {
                    // Twice round, so every image runs on a guest the other
                    // workload left behind.
                    for image in images.iter().chain(images.iter()) {
                        let fresh = restore(image, target, &opts).await.unwrap();
                        let warm = restore_pooled(image, target, &opts, &pool).await.unwrap();
                        assert_eq!(
                            (fresh.outcome, &fresh.detail, fresh.checksum),
                            (warm.outcome, &warm.detail, warm.checksum),
                            "{} on {target}",
                            image.header.workload
                        );
                    }
                }
            }
            let s = pool.stats();
            assert!(s.reused > 0, "{s:?}");
            pool.shutdown().await;
            assert!(pool.idle.lock().unwrap().is_empty());
        });
    }
}
