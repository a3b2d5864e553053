//! The process-wide table of live QEMU pids and the SIGINT/SIGTERM cleanup.
//!
//! The table is a fixed array of atomics so the signal handler can walk it
//! without locks or allocation (both forbidden in a signal handler). A pid
//! is entered by the spawner thread right after `fork` and removed when the
//! [`Guest`](crate::Guest) is dropped, after it has been killed; so a
//! registered pid is either our running QEMU or our unreaped zombie, never
//! a recycled pid. (One narrow exception: between tokio reaping a QEMU that
//! exited on its own and the guest being dropped, a signal could hit a
//! recycled pid; the window is the rest of the guest's lifetime after its
//! `wait`, which [`Guest::shutdown`](crate::Guest::shutdown) keeps short by
//! consuming the guest.)

use std::io;
use std::sync::atomic::{AtomicI32, Ordering};

/// How many guests one process may run at once.
pub const MAX_GUESTS: usize = 1024;

static PIDS: [AtomicI32; MAX_GUESTS] = [const { AtomicI32::new(0) }; MAX_GUESTS];

/// A slot in the table; frees it on drop.
#[derive(Debug)]
pub(crate) struct Registration {
    slot: usize,
}

/// Records `pid`; `None` if the table is full.
pub(crate) fn register(pid: u32) -> Option<Registration> {
    let pid = i32::try_from(pid).ok()?;
    for (slot, cell) in PIDS.iter().enumerate() {
        if cell
            .compare_exchange(0, pid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return Some(Registration { slot });
        }
    }
    None
}

impl Drop for Registration {
    fn drop(&mut self) {
        PIDS[self.slot].store(0, Ordering::SeqCst);
    }
}

/// Pids of the QEMU processes this process has running (or not yet reaped).
pub fn live_guest_pids() -> Vec<u32> {
    PIDS.iter()
        .map(|c| c.load(Ordering::SeqCst))
        .filter(|&p| p > 0)
        .map(|p| p as u32)
        .collect()
}

/// Sends SIGKILL to every registered QEMU; returns how many were signalled.
/// Async-signal-safe.
pub fn kill_all_guests() -> usize {
    let mut n = 0;
    for cell in PIDS.iter() {
        let pid = cell.load(Ordering::SeqCst);
        if pid > 0 {
            // SAFETY: kill(2) has no memory-safety preconditions.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            n += 1;
        }
    }
    n
}

extern "C" fn on_terminating_signal(sig: libc::c_int) {
    kill_all_guests();
    // SAFETY: _exit is async-signal-safe and never returns.
    unsafe { libc::_exit(128 + sig) }
}

/// Installs SIGINT, SIGTERM and SIGHUP handlers that SIGKILL every live
/// QEMU of this process and then `_exit(128 + signal)` (130 for SIGINT,
/// 143 for SIGTERM, 129 for SIGHUP). Meant for the `ppcr` binary, called
/// once at start; it replaces any earlier handler for those signals
/// (including `tokio::signal`'s).
///
/// Without it, the parent-death signal still kills every QEMU when the
/// process dies of a signal, so this adds the conventional exit code and
/// does the killing before exit rather than relying on the kernel.
pub fn install_signal_cleanup() -> io::Result<()> {
    for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: a zeroed sigaction is a valid starting value; the handler
        // only calls async-signal-safe functions (atomic loads, kill, _exit).
        unsafe {
            let mut sa: libc::sigaction = std::mem::zeroed();
            sa.sa_sigaction = on_terminating_signal as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut sa.sa_mask);
            sa.sa_flags = libc::SA_RESTART;
            if libc::sigaction(sig, &sa, std::ptr::null_mut()) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_and_release() {
        // Use a pid that cannot exist (above pid_max's hard ceiling 2^22)
        // so a concurrent kill_all_guests in another test is harmless.
        let fake = 4_194_304 + 17;
        let r = register(fake).unwrap();
        assert!(live_guest_pids().contains(&fake));
        drop(r);
        assert!(!live_guest_pids().contains(&fake));
    }
}
