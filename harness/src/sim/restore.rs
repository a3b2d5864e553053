//! Restore: boot the target to its user entry ([`boot_target`]), write the
//! image's memory and registers, build the MSR from the image's flavour and
//! facilities, continue at the image's NIP and decide the outcome
//! ([`apply_and_run`]). [`restore`] does both with one QEMU and applies the
//! policy (or not, when forced).

use ppcr_core::class::Outcome;
use ppcr_core::cpu::Family;
use ppcr_core::format::{Flavour, Image};
use ppcr_core::policy::{self, Policy, Verdict};
use serde::Serialize;
use std::time::{Duration, Instant};

use super::checkpoint::run_to;
use super::pool::{Pool, PoolKey};
use super::reference::reference;
use super::regs::{Refused, Regs};
use super::trace::GuestTrace;
use super::workload::{Workload, SVC_DONE, SVC_SET_DAWR};
use super::SimError;
use crate::guest::mailbox::USER_BASE;
use crate::guest::{
    boot_with, BootOptions, GuestError, GuestSpec, Payload, ReadyGuest, State, UserOutcome,
};

/// Policy or forced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Apply the policy; a refused image is not run.
    Policy(Policy),
    /// Ignore every policy, to learn the truth.
    Forced,
}

/// Options of [`restore`].
#[derive(Debug, Clone)]
pub struct RestoreOptions {
    /// Policy or forced.
    pub mode: Mode,
    /// Deadline from continuing at the NIP to the exit (`hang` after it).
    pub timeout: Duration,
    /// Another machine than the catalogue's (Book3S-32: mac99/g3beige).
    pub machine: Option<String>,
}

impl Default for RestoreOptions {
    fn default() -> Self {
        RestoreOptions {
            mode: Mode::Policy(Policy::RECOMMENDED),
            timeout: Duration::from_secs(5),
            machine: None,
        }
    }
}

/// Where an unexpected exception happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CrashSite {
    /// Vector offset (Book E: 0x1000 + IVOR).
    pub vector: u64,
    /// SRR0.
    pub address: u64,
    /// SRR1.
    pub srr1: u64,
    /// DSISR / ESR.
    pub dsisr: u64,
}

/// What [`apply_and_run`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunResult {
    /// The outcome.
    pub outcome: Outcome,
    /// Why, in words.
    pub detail: String,
    /// The checksum the process ended with, if it exited.
    pub checksum: Option<u64>,
    /// The exception, for `crash`.
    pub crash: Option<CrashSite>,
}

/// The result of [`restore`].
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    /// Target model (catalogue name).
    pub target: String,
    /// Source model (QEMU name from the image).
    pub source: String,
    /// Workload.
    pub workload: String,
    /// Flavour.
    pub flavour: Flavour,
    /// Policy or forced.
    pub mode: Mode,
    /// The verdict of the policy (policy mode).
    pub verdict: Option<Verdict>,
    /// Conversions applied (DABR <-> DAWR).
    pub conversions: Vec<String>,
    /// `None` when the policy refused (nothing was run).
    pub outcome: Option<Outcome>,
    /// Why.
    pub detail: String,
    /// The process's checksum at the exit.
    pub checksum: Option<u64>,
    /// The reference checksum (the workload run uninterrupted on the source).
    pub reference: Option<u64>,
    /// The exception, for `crash`.
    pub crash: Option<CrashSite>,
    /// Target boot to its user entry, in ms.
    pub boot_ms: u64,
    /// Writing the image and running to the end, in ms.
    pub run_ms: u64,
}

/// A target guest stopped at the user entry (0x500000) with the user MSR,
/// ready for [`apply_and_run`].
pub struct TargetGuest {
    /// The guest.
    pub guest: ReadyGuest,
    /// The user part it was booted with (its code is overwritten by the
    /// image's code segment).
    pub carrier: &'static Payload,
    regs: Regs,
    /// Spawn to user entry.
    pub boot: Duration,
}

impl std::fmt::Debug for TargetGuest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TargetGuest")
            .field("guest", &self.guest)
            .field("carrier", &self.carrier.name)
            .finish_non_exhaustive()
    }
}

/// Boots `model` for `flavour` with `carrier` (a workload payload) as its
/// user part and stops at the user entry, so the boot part has set the user
/// MSR (and on pseries LE, interrupt endianness) as for any process.
pub async fn boot_target(
    model: &str,
    flavour: Flavour,
    carrier: &'static Payload,
    machine: Option<String>,
) -> Result<TargetGuest, SimError> {
    let t0 = Instant::now();
    let spec = GuestSpec::resolve(model, flavour)?;
    let mut guest = boot_with(
        spec,
        BootOptions {
            user: Some(carrier),
            machine,
            ..BootOptions::default()
        },
    )
    .await?;
    let entered = async {
        let pc = run_to(&mut guest, USER_BASE, Duration::from_secs(10)).await?;
        if pc != USER_BASE {
            return Err(SimError::Source(format!(
                "target {} stopped at {pc:#x}, not at the user entry {USER_BASE:#x}",
                spec.name
            )));
        }
        Regs::new(&mut guest.gdb, flavour).await
    }
    .await;
    match entered {
        Ok(regs) => Ok(TargetGuest {
            guest,
            carrier,
            regs,
            boot: t0.elapsed(),
        }),
        Err(e) => {
            let _ = guest.kill().await;
            Err(e)
        }
    }
}

fn unrestorable(detail: String) -> RunResult {
    RunResult {
        outcome: Outcome::Unrestorable,
        detail,
        checksum: None,
        crash: None,
    }
}

fn refused(r: Refused) -> RunResult {
    unrestorable(format!("cannot write {}: {}", r.register, r.why))
}

macro_rules! put {
    ($t:expr, $name:expr, $v:expr) => {
        if let Err(r) = $t
            .regs
            .write(&mut $t.guest.gdb, &$name, u128::from($v))
            .await?
        {
            return Ok(refused(r));
        }
    };
}

/// The target MSR: the user MSR the boot part entered the user part with
/// (family and flavour bits: SF/CM, LE, ME, RI, IP) plus the facility bits
/// the image states, placed where the target family has them. A facility
/// the target lacks is not set (bit 25 means SPE on e500v1/v2): the process
/// traps on its first use, as it would under Linux. The pure rule lives in
/// the core.
pub use ppcr_core::cpu::msr::with_facilities as target_msr;

/// Writes `image` into `t` (stopped at its user entry) and runs it to the
/// exit, a crash or `timeout`; decides the outcome against `reference`.
/// QEMU stays alive (the caller kills or reuses it).
pub async fn apply_and_run(
    t: &mut TargetGuest,
    image: &Image,
    reference: u64,
    timeout: Duration,
) -> Result<RunResult, SimError> {
    let spec = t.guest.plan.spec;
    let family = spec.model.family;
    let cpu = &image.cpu;
    let o = if image.header.flavour.is_64bit() {
        u64::MAX
    } else {
        0xffff_ffff
    };

    // 1. Guest-side restore: DAWR must be armed by H_SET_MODE (a gdb SPR
    // write stores the value but arms nothing).
    if let Some(d) = &cpu.dawr {
        for (i, s) in d.used().iter().enumerate() {
            let name = format!("dawr{i}");
            if family != Family::Book3s64 || !t.regs.has(&name) {
                return Ok(unrestorable(format!(
                    "DAWR slot {i} ({name}) does not exist on {}",
                    spec.name
                )));
            }
            put!(t, "r5", if i == 0 { 2u64 } else { 5 });
            put!(t, "r6", s.dawr & o);
            put!(t, "r7", s.dawrx);
            put!(t, "pc", t.carrier.require_symbol(SVC_SET_DAWR)?);
            let done = t.carrier.require_symbol(SVC_DONE)?;
            let pc = run_to(&mut t.guest, done, Duration::from_secs(5)).await?;
            let rc = t.regs.read_or0(&mut t.guest.gdb, "r3").await?;
            if pc != done || rc != 0 {
                return Ok(unrestorable(format!(
                    "H_SET_MODE(DAWR{i}) failed: stopped at {pc:#x}, r3 {rc:#x}"
                )));
            }
        }
    }

    // 2. Memory.
    for s in &image.segments {
        if let Err(e) = t.guest.gdb.write_memory(s.addr, &s.data).await {
            return Ok(unrestorable(format!(
                "cannot write segment {:#x}+{:#x}: {e}",
                s.addr,
                s.data.len()
            )));
        }
    }

    // 3. Registers: records first, then main, MSR and NIP last.
    if let Some(f) = &cpu.fpr {
        for (i, v) in f.fpr.iter().enumerate() {
            put!(t, format!("f{i}"), *v);
        }
        // The stub's FPSCR is 32 bits (FACTS B§6): the upper word is lost.
        put!(t, "fpscr", f.fpscr & 0xffff_ffff);
    }
    if let Some(v) = &cpu.vmx {
        for (i, x) in v.vr.iter().enumerate() {
            if let Err(r) = t
                .regs
                .write(&mut t.guest.gdb, &format!("vr{i}"), *x)
                .await?
            {
                return Ok(refused(r));
            }
        }
        put!(t, "vscr", v.vscr);
        put!(t, "vrsave", v.vrsave);
    }
    if let Some(v) = &cpu.vsx {
        for (i, x) in v.vsr_low.iter().enumerate() {
            put!(t, format!("vs{i}h"), *x);
        }
    }
    if let Some(s) = &cpu.spe {
        for (i, x) in s.evr.iter().enumerate() {
            put!(t, format!("ev{i}h"), *x);
        }
        put!(t, "acc", s.acc);
        put!(t, "spefscr", s.spefscr);
    }
    if let Some(d) = &cpu.dabr {
        put!(t, "dabr", d.dabr & o);
        if t.regs.has("dabrx") {
            put!(t, "dabrx", d.dabrx);
        }
    }
    if let Some(d) = &cpu.booke_debug {
        for (name, v, used) in booke_regs(d) {
            if used || t.regs.has(&name) {
                put!(t, name, v & o);
            }
        }
    }
    let m = &cpu.main;
    for (i, v) in m.gpr.iter().enumerate() {
        put!(t, format!("r{i}"), *v & o);
    }
    put!(t, "cr", m.ccr & 0xffff_ffff);
    put!(t, "lr", m.lr & o);
    put!(t, "ctr", m.ctr & o);
    put!(t, "xer", m.xer & 0xffff_ffff);
    let user_msr = t.regs.read_or0(&mut t.guest.gdb, "msr").await?;
    let msr = target_msr(user_msr, family, &spec.model.caps, &image.header.facilities);
    put!(t, "msr", msr);
    put!(t, "pc", m.nip & o);

    // 4. Run.
    let outcome = match t.guest.run_user_part(timeout).await {
        Ok(o) => o,
        Err(GuestError::Timeout { .. }) => {
            return Ok(RunResult {
                outcome: Outcome::Hang,
                detail: format!("no exit within {timeout:?}"),
                checksum: None,
                crash: None,
            })
        }
        Err(e) => return Err(e.into()),
    };
    let mb = match outcome {
        UserOutcome::Crashed(mb) => {
            let e = mb.exception;
            return Ok(RunResult {
                outcome: Outcome::Crash,
                detail: format!("unexpected exception: {e}"),
                checksum: None,
                crash: Some(CrashSite {
                    vector: e.vector,
                    address: e.srr0,
                    srr1: e.srr1,
                    dsisr: e.dsisr,
                }),
            });
        }
        UserOutcome::Exited(mb) => mb,
    };
    if mb.state != State::Done {
        return Ok(RunResult {
            outcome: Outcome::Wrong,
            detail: format!("exited with mailbox state {:?}", mb.state),
            checksum: None,
            crash: None,
        });
    }
    let sum = mb.checksum;
    if sum != reference {
        return Ok(RunResult {
            outcome: Outcome::Wrong,
            detail: format!("checksum {sum:#x}, reference {reference:#x}"),
            checksum: Some(sum),
            crash: None,
        });
    }
    // 5. Debug registers that never fire under TCG: read back.
    let mut expect: Vec<(String, u64)> = Vec::new();
    if let Some(d) = &cpu.dabr {
        expect.push(("dabr".into(), d.dabr & o));
        if t.regs.has("dabrx") {
            expect.push(("dabrx".into(), d.dabrx));
        }
    }
    if let Some(d) = &cpu.dawr {
        for (i, s) in d.used().iter().enumerate() {
            expect.push((format!("dawr{i}"), s.dawr & o));
            expect.push((format!("dawrx{i}"), s.dawrx));
        }
    }
    if let Some(d) = &cpu.booke_debug {
        for (name, v, used) in booke_regs(d) {
            if used {
                expect.push((name, v & o));
            }
        }
    }
    for (name, want) in expect {
        let got = t
            .regs
            .read(&mut t.guest.gdb, &name)
            .await?
            .map(|v| v as u64);
        if got != Some(want) {
            return Ok(RunResult {
                outcome: Outcome::Wrong,
                detail: format!("{name} reads {got:#x?} at the exit, the image has {want:#x}"),
                checksum: Some(sum),
                crash: None,
            });
        }
    }
    Ok(RunResult {
        outcome: Outcome::Ok,
        detail: format!("checksum {sum:#x} = reference"),
        checksum: Some(sum),
        crash: None,
    })
}

/// Book E debug registers: (name, value, in use by the process).
fn booke_regs(d: &ppcr_core::format::BookeDebugRecord) -> Vec<(String, u64, bool)> {
    let mut v = vec![
        ("dbcr0".to_string(), d.dbcr0, d.dbcr0 != 0),
        ("dbcr1".to_string(), d.dbcr1, d.dbcr1 != 0),
        ("dbcr2".to_string(), d.dbcr2, d.dbcr2 != 0),
    ];
    for i in 0..4 {
        v.push((format!("iac{}", i + 1), d.iac[i], d.iac_used & 1 << i != 0));
    }
    for i in 0..2 {
        v.push((format!("dac{}", i + 1), d.dac[i], d.dac_used & 1 << i != 0));
        v.push((format!("dvc{}", i + 1), d.dvc[i], d.dvc_used & 1 << i != 0));
    }
    v
}

/// Restores `image` on `target`: policy (unless forced), lossless
/// conversion, reference checksum, one QEMU boot, write, run, outcome.
pub async fn restore(
    image: &Image,
    target: &str,
    opts: &RestoreOptions,
) -> Result<RestoreReport, SimError> {
    restore_inner(image, target, opts, None, None).await
}

/// [`restore`] with a target guest from `pool` (reset instead of launched),
/// given back afterwards when it is safe to reuse ([`Pool::release`]).
pub async fn restore_pooled(
    image: &Image,
    target: &str,
    opts: &RestoreOptions,
    pool: &Pool,
) -> Result<RestoreReport, SimError> {
    restore_inner(image, target, opts, None, Some(pool)).await
}

/// [`restore`], plus the target guest's [`GuestTrace`] taken where the
/// restored process stopped (exit, crash, or hang interrupted), for
/// `ppcr repro`. The trace is `None` when no target guest ran (a policy
/// refusal, a flavour the target does not run, a boot failure).
pub async fn restore_traced(
    image: &Image,
    target: &str,
    opts: &RestoreOptions,
) -> (Result<RestoreReport, SimError>, Option<GuestTrace>) {
    let mut trace = None;
    let r = restore_inner(image, target, opts, Some(&mut trace), None).await;
    (r, trace)
}

async fn restore_inner(
    image: &Image,
    target: &str,
    opts: &RestoreOptions,
    trace: Option<&mut Option<GuestTrace>>,
    pool: Option<&Pool>,
) -> Result<RestoreReport, SimError> {
    let h = &image.header;
    let flavour = h.flavour;
    let resolved = ppcr_core::cpu::resolve(target)
        .map_err(|e| SimError::Guest(GuestError::Model(e.to_string())))?;
    let model = resolved.model;
    let mut report = RestoreReport {
        target: model.name.to_string(),
        source: h.source.model.clone(),
        workload: h.workload.clone(),
        flavour,
        mode: opts.mode,
        verdict: None,
        conversions: Vec::new(),
        outcome: None,
        detail: String::new(),
        checksum: None,
        reference: None,
        crash: None,
        boot_ms: 0,
        run_ms: 0,
    };
    if let Mode::Policy(p) = opts.mode {
        let v = policy::evaluate(p, image, model.name, &model.caps);
        let accepted = v.accepted();
        report.detail = if accepted {
            String::new()
        } else {
            v.reasons
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join("; ")
        };
        report.verdict = Some(v);
        if !accepted {
            return Ok(report);
        }
    }
    let image = match policy::convert(image, model.name, &model.caps) {
        Ok((converted, convs)) => {
            report.conversions = convs.iter().map(|c| c.to_string()).collect();
            converted
        }
        Err(e) if opts.mode == Mode::Forced => {
            report.conversions.push(format!("none: {e}"));
            image.clone()
        }
        Err(e) => {
            report.outcome = Some(Outcome::Unrestorable);
            report.detail = e.to_string();
            return Ok(report);
        }
    };
    if !model.runs(flavour) {
        report.outcome = Some(Outcome::Unrestorable);
        report.detail = format!("{} does not run {} processes", model.name, flavour.name());
        return Ok(report);
    }
    let wl = Workload::get(&h.workload)?;
    // The reference run gets the hwcap words the source process observed
    // (the header's); `None` when they are the source model's own.
    let observed = u64::from(h.source.caps.hwcap) | u64::from(h.source.caps.hwcap2) << 32;
    let own = ppcr_core::cpu::resolve(&h.source.model)
        .map(|r| super::checkpoint::hwcap_word(&r.model.caps))
        .ok();
    let hwcap = (own != Some(observed)).then_some(observed);
    let reference = reference(&h.source.model, flavour, wl.name, hwcap).await?;
    report.reference = Some(reference);
    let carrier = wl.payload(flavour)?;
    let mut t = match pool {
        Some(p) => {
            p.acquire(target, flavour, carrier, opts.machine.clone())
                .await?
        }
        None => boot_target(target, flavour, carrier, opts.machine.clone()).await?,
    };
    report.boot_ms = t.boot.as_millis() as u64;
    let t1 = Instant::now();
    let res = apply_and_run(&mut t, &image, reference, opts.timeout).await;
    report.run_ms = t1.elapsed().as_millis() as u64;
    if let Some(tr) = trace {
        *tr = Some(super::trace::collect(&mut t.guest).await);
    }
    match pool {
        Some(p) => {
            let clean = matches!(&res, Ok(r) if r.outcome != Outcome::Hang);
            let key = PoolKey::new(target, flavour, opts.machine.clone());
            p.release(key, t, &image, clean).await;
        }
        None => {
            let _ = t.guest.kill().await;
        }
    }
    let res = res?;
    report.outcome = Some(res.outcome);
    report.detail = res.detail;
    report.checksum = res.checksum;
    report.crash = res.crash;
    Ok(report)
}
