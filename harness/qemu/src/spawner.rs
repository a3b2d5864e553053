//! The one thread that forks every QEMU.
//!
//! Every QEMU gets `prctl(PR_SET_PDEATHSIG, SIGKILL)` so that it dies with
//! ppcr even when ppcr is SIGKILLed or its signal handlers never run. Linux
//! delivers that signal when the *thread* that forked the child exits, not
//! the process. Forking from whatever thread calls `launch` would therefore
//! kill a guest as soon as, say, a `spawn_blocking` worker idles out or a
//! `#[tokio::test]` runtime thread finishes while the guest is still meant
//! to live. So all forks happen on a dedicated thread that is started on
//! first use and never exits (it blocks on a channel whose sender lives in
//! a static); it dies only when the whole process does, which is exactly
//! when the guests should die.
//!
//! The caller's tokio runtime handle travels with each request and is
//! entered around `spawn`, so the child is registered with the caller's
//! runtime (its SIGCHLD/pidfd reaping and `wait`), not with this thread.
//! A panic while spawning is caught: if this thread ever died, every QEMU
//! it had forked would be killed by the kernel.

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::sync::OnceLock;

use tokio::process::{Child, Command};
use tokio::runtime::Handle;
use tokio::sync::oneshot;

use crate::registry::{self, Registration};

/// Why a spawn failed.
#[derive(Debug)]
pub(crate) enum SpawnError {
    /// fork/exec (or the channel to the spawner thread) failed.
    Io(io::Error),
    /// The process-wide pid table is full; the child was killed.
    TableFull,
}

type Reply = Result<(Child, Registration), SpawnError>;

struct Request {
    cmd: Command,
    handle: Handle,
    reply: oneshot::Sender<Reply>,
}

fn sender() -> &'static mpsc::Sender<Request> {
    static SENDER: OnceLock<mpsc::Sender<Request>> = OnceLock::new();
    SENDER.get_or_init(|| {
        let (tx, rx) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("ppcr-qemu-spawner".into())
            .spawn(move || serve(rx))
            .expect("cannot start the ppcr-qemu spawner thread");
        tx
    })
}

fn serve(rx: mpsc::Receiver<Request>) {
    // The sender is in a static, so this loop never ends while the process lives.
    while let Ok(req) = rx.recv() {
        let Request {
            mut cmd,
            handle,
            reply,
        } = req;
        let result = catch_unwind(AssertUnwindSafe(|| {
            let _entered = handle.enter();
            let child = cmd.spawn().map_err(SpawnError::Io)?;
            let pid = child.id().unwrap_or(0);
            match registry::register(pid) {
                Some(reg) => Ok((child, reg)),
                // Dropping `child` kills it (kill_on_drop).
                None => Err(SpawnError::TableFull),
            }
        }))
        .unwrap_or_else(|_| {
            Err(SpawnError::Io(io::Error::other(
                "panic while spawning QEMU",
            )))
        });
        // If the caller gave up (its future was dropped), the reply comes
        // back here and is dropped inside the runtime context: the child is
        // killed and its registration released.
        let _entered = handle.enter();
        drop(reply.send(result));
    }
}

/// Sets the parent-death signal in the child. The check against the
/// original parent pid closes the race where the parent dies between
/// `fork` and `prctl` (the signal would then never come).
pub(crate) fn set_parent_death_signal(cmd: &mut Command) {
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs between fork and exec and only calls
    // async-signal-safe functions (prctl, getppid).
    unsafe {
        cmd.pre_exec(move || {
            if libc::prctl(
                libc::PR_SET_PDEATHSIG,
                libc::SIGKILL as libc::c_ulong,
                0,
                0,
                0,
            ) != 0
            {
                return Err(io::Error::last_os_error());
            }
            if libc::getppid() != parent {
                return Err(io::Error::other("ppcr exited while QEMU was starting"));
            }
            Ok(())
        });
    }
}

/// Spawns `cmd` on the spawner thread; must be called inside a tokio runtime.
pub(crate) async fn spawn(cmd: Command) -> Reply {
    let (tx, rx) = oneshot::channel();
    sender()
        .send(Request {
            cmd,
            handle: Handle::current(),
            reply: tx,
        })
        .map_err(|_| SpawnError::Io(io::Error::other("the ppcr-qemu spawner thread is gone")))?;
    rx.await.map_err(|_| {
        SpawnError::Io(io::Error::other(
            "the ppcr-qemu spawner thread dropped a request",
        ))
    })?
}
