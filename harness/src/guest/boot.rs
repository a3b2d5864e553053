//! Booting a guest to its ready point and running the probe, through
//! `ppcr-qemu` (process, QMP, cleanup) and `ppcr-gdb` (breakpoints,
//! registers, memory).

use ppcr_core::cpu::QemuSystem;
use ppcr_core::format::Flavour;
use ppcr_gdb::{BreakpointKind, Client, StopReply};
use ppcr_qemu::{Guest, LaunchConfig, QemuBinary, QemuKind, RunDir};
use std::time::{Duration, Instant};
use tokio::net::UnixStream;

use super::launch::{GuestSpec, LaunchPlan};
use super::mailbox::{ByteOrder, Mailbox, State, MAILBOX, MAILBOX_LEN};
use super::payload::{Payload, CRASHED_SYMBOL, EXIT_SYMBOL, READY_SYMBOL};
use super::probe::ProbeResults;
use super::GuestError;

/// gdb register number of the PC (QEMU ppc core feature).
const PC_REGNUM: u32 = 64;
/// Software breakpoint length on PowerPC.
const BP_LEN: u64 = 4;

/// Options for [`boot_with`].
#[derive(Debug, Clone)]
pub struct BootOptions {
    /// User part loaded at 0x500000 (probe or workload).
    pub user: Option<&'static Payload>,
    /// Deadline from `continue` to the ready point.
    pub timeout: Duration,
    /// Another machine than the catalogue's (`-M`), for models more than
    /// one machine boots: e300c3 and 74xx on mac99 or g3beige, 750 on mac99.
    pub machine: Option<String>,
}

impl Default for BootOptions {
    fn default() -> Self {
        BootOptions {
            user: None,
            timeout: Duration::from_secs(30),
            machine: None,
        }
    }
}

/// Where the time went (measured from the call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BootTimings {
    /// QEMU started and QMP answered.
    pub launched: Duration,
    /// The gdb stub answered and the breakpoint is in.
    pub attached: Duration,
    /// Stopped at `ppcr_ready` with the mailbox read.
    pub ready: Duration,
}

/// A guest stopped at its boot part's `ppcr_ready`, with mailbox state 1.
/// Dropping it kills QEMU (`ppcr_qemu::Guest`).
pub struct ReadyGuest {
    /// The QEMU process.
    pub qemu: Guest,
    /// The gdb connection (the vCPU is stopped).
    pub gdb: Client<UnixStream>,
    /// How it was launched.
    pub plan: LaunchPlan,
    /// The mailbox as read at the ready point.
    pub mailbox: Mailbox,
    /// Timings.
    pub timings: BootTimings,
    /// The command line (program + machine args), for reports.
    pub command_line: String,
}

impl std::fmt::Debug for ReadyGuest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadyGuest")
            .field("model", &self.plan.spec.name)
            .field("flavour", &self.plan.spec.flavour)
            .field("mailbox", &self.mailbox)
            .field("timings", &self.timings)
            .finish_non_exhaustive()
    }
}

/// Boots `model` (catalogue name, QEMU name or alias) for `flavour` to the
/// ready point, with no user part.
pub async fn boot(model: &str, flavour: Flavour) -> Result<ReadyGuest, GuestError> {
    boot_with(GuestSpec::resolve(model, flavour)?, BootOptions::default()).await
}

/// Boots `spec` to the ready point: launches QEMU paused, attaches gdb,
/// puts a breakpoint on `ppcr_ready`, continues, and checks the PC and the
/// mailbox there.
pub async fn boot_with(spec: GuestSpec, opts: BootOptions) -> Result<ReadyGuest, GuestError> {
    let t0 = Instant::now();
    let mut plan = LaunchPlan::new(spec, opts.user)?;
    if let Some(m) = opts.machine {
        plan = plan.with_machine(m)?;
    }
    let run_dir = RunDir::new()?;
    plan.write_files(run_dir.path())?;
    let command_line = plan.display(run_dir.path());
    let kind = match spec.system() {
        QemuSystem::Ppc => QemuKind::Ppc,
        QemuSystem::Ppc64 => QemuKind::Ppc64,
    };
    let config = LaunchConfig::new(QemuBinary::find(kind)?)
        .args(plan.args(run_dir.path()))
        .gdb(true)
        .label(format!(
            "{}-{}",
            spec.name,
            super::payload::flavour_name(spec.flavour)
        ));
    let mut qemu = Guest::launch_in(config, run_dir).await?;
    let launched = t0.elapsed();

    let Some(stream) = qemu.take_gdb_stream() else {
        let _ = qemu.kill().await;
        return Err(GuestError::Unexpected("QEMU gave no gdb stream".into()));
    };
    let mut guest = ReadyGuest {
        qemu,
        gdb: Client::new(stream),
        plan,
        mailbox: placeholder_mailbox(),
        timings: BootTimings {
            launched,
            attached: Duration::ZERO,
            ready: Duration::ZERO,
        },
        command_line,
    };
    match guest.reach_ready(t0, opts.timeout).await {
        Ok(()) => Ok(guest),
        Err(e) => {
            // kill and reap now rather than leave it to Drop (SIGKILL only)
            let _ = guest.qemu.kill().await;
            Err(e)
        }
    }
}

fn placeholder_mailbox() -> Mailbox {
    Mailbox {
        order: ByteOrder::Big,
        state: State::Booting,
        family_id: 0,
        flags: 0,
        exception: Default::default(),
        checksum: 0,
        hwcap: 0,
        resume: 0,
        exceptions: 0,
        pvr: 0,
        fdt: 0,
        boot_rc: 0,
        user_msr: 0,
    }
}

impl ReadyGuest {
    /// Attach, break at `ppcr_ready`, continue, check PC and mailbox.
    async fn reach_ready(&mut self, t0: Instant, timeout: Duration) -> Result<(), GuestError> {
        self.gdb.halt_reason().await?;
        let ready_addr = self.plan.boot.require_symbol(READY_SYMBOL)?;
        self.gdb
            .insert_breakpoint(BreakpointKind::Software, ready_addr, BP_LEN)
            .await?;
        self.timings.attached = t0.elapsed();
        self.gdb.resume().await?;
        let stop = self
            .wait_stop(timeout, &format!("{READY_SYMBOL} ({ready_addr:#x})"))
            .await?;
        self.gdb
            .remove_breakpoint(BreakpointKind::Software, ready_addr, BP_LEN)
            .await?;
        let pc = self.pc().await?;
        if pc != ready_addr {
            let diag = self.diagnostics().await;
            return Err(GuestError::Unexpected(format!(
                "stopped at {pc:#x} ({stop:?}), not at {READY_SYMBOL} {ready_addr:#x}; {diag}"
            )));
        }
        self.mailbox = self.read_mailbox().await?;
        if self.mailbox.state != State::Ready {
            return Err(GuestError::Unexpected(format!(
                "at {READY_SYMBOL} but mailbox state is {:?}",
                self.mailbox.state
            )));
        }
        self.timings.ready = t0.elapsed();
        Ok(())
    }

    /// The byte order the guest writes its mailbox in.
    pub fn order(&self) -> ByteOrder {
        ByteOrder::of(self.plan.spec.flavour)
    }

    /// Reads [`MAILBOX_LEN`] bytes of the mailbox (the vCPU must be stopped).
    pub async fn mailbox_bytes(&mut self) -> Result<Vec<u8>, GuestError> {
        Ok(self.gdb.read_memory(MAILBOX, MAILBOX_LEN).await?)
    }

    /// Reads and decodes the mailbox header.
    pub async fn read_mailbox(&mut self) -> Result<Mailbox, GuestError> {
        let bytes = self.mailbox_bytes().await?;
        Mailbox::decode(&bytes, self.order())
    }

    /// The current PC. gdb sends registers in the vCPU's current byte
    /// order: the boot part and the user part run in the flavour's order
    /// (FACTS B§6).
    pub async fn pc(&mut self) -> Result<u64, GuestError> {
        let v = self.gdb.read_register(PC_REGNUM).await?;
        Ok(v.to_uint(self.order().into())? as u64)
    }

    /// The address of a boot-part symbol.
    pub fn boot_symbol(&self, symbol: &str) -> Result<u64, GuestError> {
        self.plan.boot.require_symbol(symbol)
    }

    /// Waits for a stop within `timeout`; on timeout interrupts the guest
    /// and reports where it was.
    async fn wait_stop(&mut self, timeout: Duration, what: &str) -> Result<StopReply, GuestError> {
        let waited = self.gdb.with_timeout(timeout).wait_for_stop().await;
        match waited {
            Ok(stop) => Ok(stop),
            Err(ppcr_gdb::GdbError::Timeout { .. }) => {
                let _ = self.gdb.interrupt().await;
                let diagnostics = self.diagnostics().await;
                Err(GuestError::Timeout {
                    what: what.to_string(),
                    after: timeout,
                    diagnostics,
                })
            }
            Err(e) => Err(e.into()),
        }
    }

    /// PC, mailbox and QEMU's view, for error messages.
    pub async fn diagnostics(&mut self) -> String {
        // HMP prints NIP/MSR as numbers, whatever byte order the vCPU is in
        // (gdb's follow MSR[LE], which a broken guest may not have as planned).
        let pc = match self.qemu.hmp("info registers").await {
            Ok(text) => text
                .lines()
                .filter_map(|l| {
                    let l = l.trim_start();
                    (l.starts_with("NIP") || l.starts_with("MSR"))
                        .then(|| l.split_whitespace().take(2).collect::<Vec<_>>().join(" "))
                })
                .collect::<Vec<_>>()
                .join(", "),
            Err(e) => format!("registers unreadable ({e})"),
        };
        let mb = match self.mailbox_bytes().await {
            Ok(b) => match Mailbox::decode(&b, self.order()) {
                Ok(m) => format!("mailbox state {:?}, last {}", m.state, m.exception),
                Err(e) => e.to_string(),
            },
            Err(e) => format!("mailbox unreadable ({e})"),
        };
        format!(
            "{pc}; {mb}; command line: {}; {}",
            self.command_line,
            self.qemu.diagnostics()
        )
    }

    /// Continues into the user part and waits until the boot part's exit
    /// (`ppcr_exit`, after the user part's `sc`) or crash
    /// (`ppcr_crashed`). Returns which one and the mailbox there.
    pub async fn run_user_part(&mut self, timeout: Duration) -> Result<UserOutcome, GuestError> {
        if self.plan.user.is_none() {
            return Err(GuestError::Unexpected("no user part loaded".into()));
        }
        let exit = self.boot_symbol(EXIT_SYMBOL)?;
        let crashed = self.boot_symbol(CRASHED_SYMBOL)?;
        for a in [exit, crashed] {
            self.gdb
                .insert_breakpoint(BreakpointKind::Software, a, BP_LEN)
                .await?;
        }
        self.gdb.resume().await?;
        self.wait_stop(timeout, "user part exit").await?;
        for a in [exit, crashed] {
            self.gdb
                .remove_breakpoint(BreakpointKind::Software, a, BP_LEN)
                .await?;
        }
        let pc = self.pc().await?;
        let mailbox = self.read_mailbox().await?;
        if pc == exit {
            Ok(UserOutcome::Exited(mailbox))
        } else if pc == crashed {
            Ok(UserOutcome::Crashed(mailbox))
        } else {
            let diag = self.diagnostics().await;
            Err(GuestError::Unexpected(format!(
                "user part stopped at {pc:#x}, neither {EXIT_SYMBOL} nor {CRASHED_SYMBOL}; {diag}"
            )))
        }
    }

    /// Kills QEMU (dropping does the same).
    pub async fn kill(self) -> Result<(), GuestError> {
        self.qemu.kill().await?;
        Ok(())
    }
}

/// How a user part ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserOutcome {
    /// It reached `sc` (the exit protocol).
    Exited(Mailbox),
    /// An unexpected exception.
    Crashed(Mailbox),
}

/// A probe run: results, where they came from, and timings.
#[derive(Debug, Clone)]
pub struct ProbeReport {
    /// Model and flavour.
    pub spec: GuestSpec,
    /// The mailbox after the probe (state 5).
    pub mailbox: Mailbox,
    /// The table.
    pub results: ProbeResults,
    /// Boot timings.
    pub boot: BootTimings,
    /// From `continue` at the ready point to the exit.
    pub probe_time: Duration,
    /// The QEMU command line.
    pub command_line: String,
}

/// Boots `model`/`flavour` with its family's probe as the user part, runs
/// it and returns the table. QEMU is killed before returning.
pub async fn run_probe(model: &str, flavour: Flavour) -> Result<ProbeReport, GuestError> {
    let spec = GuestSpec::resolve(model, flavour)?;
    let probe = Payload::probe(spec.family(), flavour)?;
    let mut guest = boot_with(
        spec,
        BootOptions {
            user: Some(probe),
            ..BootOptions::default()
        },
    )
    .await?;
    let run = probe_in(&mut guest).await;
    // kill (and reap) whatever happened
    let killed = guest.qemu.kill().await;
    let (mailbox, results, probe_time) = run?;
    killed?;
    Ok(ProbeReport {
        spec,
        mailbox,
        results,
        boot: guest.timings,
        probe_time,
        command_line: guest.command_line,
    })
}

/// Runs the loaded probe from the ready point to its exit and reads the table.
async fn probe_in(guest: &mut ReadyGuest) -> Result<(Mailbox, ProbeResults, Duration), GuestError> {
    let t = Instant::now();
    let outcome = guest.run_user_part(Duration::from_secs(30)).await?;
    let probe_time = t.elapsed();
    let mailbox = match outcome {
        UserOutcome::Exited(m) if m.state == State::ProbeDone => m,
        UserOutcome::Exited(m) => {
            return Err(GuestError::Unexpected(format!(
                "probe exited with mailbox state {:?}",
                m.state
            )))
        }
        UserOutcome::Crashed(m) => {
            return Err(GuestError::Unexpected(format!(
                "probe crashed: {}",
                m.exception
            )))
        }
    };
    let bytes = guest.mailbox_bytes().await?;
    let results = ProbeResults::decode(&bytes, guest.order())?;
    Ok((mailbox, results, probe_time))
}
