//! Guest traces for bug reports (`ppcr repro`, docs/REPRO.md): what a
//! maintainer needs from one guest run, collected just before QEMU is
//! killed. Only [`checkpoint_traced`](super::checkpoint_traced) and
//! [`restore_traced`](super::restore_traced) collect one; the ordinary
//! entry points pay nothing.

use serde::Serialize;

use crate::guest::launch::LaunchPlan;
use crate::guest::regs::{read_all, RegisterReading};
use crate::guest::ReadyGuest;

/// One guest's run, as a bug report needs it.
#[derive(Debug, Clone, Serialize)]
pub struct GuestTrace {
    /// How it was launched (payload files and machine arguments);
    /// `LaunchPlan::display(dir)` renders the command line with the
    /// payloads in `dir`, `LaunchPlan::write_files(dir)` writes them.
    #[serde(skip)]
    pub plan: LaunchPlan,
    /// The QEMU command line as run (machine part; the payloads were in
    /// a private run directory that is gone now).
    pub command_line: String,
    /// PC/MSR from QEMU, the mailbox, and `ppcr_qemu::Guest::diagnostics()`:
    /// QEMU's stderr, serial output and the QMP transcript.
    pub qemu: String,
    /// The gdb remote-protocol exchange (`ppcr_gdb::Client::transcript()`,
    /// the last 256 packets), taken before the register dump below.
    pub gdb_transcript: String,
    /// QEMU's own `info registers` at the last stop (HMP).
    pub info_registers: String,
    /// Every register the gdb stub offers at the last stop (the exit, a
    /// crash, or where a hang was interrupted).
    pub registers: Vec<RegisterReading>,
    /// What could not be collected, if anything.
    pub errors: Vec<String>,
}

/// Collects the trace of `guest` (stopped): transcripts first, so the
/// register dump does not push the run's packets out of the gdb transcript.
pub(crate) async fn collect(guest: &mut ReadyGuest) -> GuestTrace {
    let gdb_transcript = guest.gdb.transcript().to_string();
    let mut errors = Vec::new();
    let info_registers = match guest.qemu.hmp("info registers").await {
        Ok(t) => t,
        Err(e) => {
            errors.push(format!("info registers: {e}"));
            String::new()
        }
    };
    let qemu = guest.diagnostics().await;
    let registers = match read_all(guest).await {
        Ok(r) => r,
        Err(e) => {
            errors.push(format!("register dump: {e}"));
            Vec::new()
        }
    };
    GuestTrace {
        plan: guest.plan.clone(),
        command_line: guest.command_line.clone(),
        qemu,
        gdb_transcript,
        info_registers,
        registers,
        errors,
    }
}
