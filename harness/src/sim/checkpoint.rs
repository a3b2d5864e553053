//! Checkpoint: boot the source with a workload as its user part, hand it
//! the source's hwcaps, run it to `ppcr_ckpt`, read the state it declares
//! through the gdb stub and build an [`Image`].

use ppcr_core::cpu::{CapabilitySet, Family};
use ppcr_core::format::{
    BookeDebugRecord, CpuState, DabrRecord, DawrRecord, DawrSlot, ElfAbi, Flavour, FormatVersion,
    FprRecord, Header, Image, MainRegs, RecordKind, Segment, SegmentFlags, SourceCpu, SpeRecord,
    VmxRecord, VsxRecord,
};
use ppcr_gdb::{BreakpointKind, Client};
use std::time::{Duration, Instant};
use tokio::net::UnixStream;

use super::reference::{self, ReferenceKey};
use super::regs::Regs;
use super::trace::GuestTrace;
use super::workload::{Workload, CKPT_SYMBOL, DATA_BASE, DATA_LEN};
use super::SimError;
use crate::guest::mailbox::{offset, MAILBOX, USER_BASE};
use crate::guest::payload::{CRASHED_SYMBOL, EXIT_SYMBOL};
use crate::guest::{boot_with, BootOptions, GuestSpec, ReadyGuest, State, UserOutcome};

/// Software breakpoint length.
pub(crate) const BP_LEN: u64 = 4;

/// Options of [`checkpoint_with`].
#[derive(Debug, Clone)]
pub struct CheckpointOptions {
    /// The word handed to the workload in `MB_HWCAP`; default: the source's
    /// catalogue AT_HWCAP (low word) and AT_HWCAP2 (high word). The image's
    /// header records the words handed over (what the process observed).
    pub hwcap: Option<u64>,
    /// Deadline for each run segment (to the checkpoint, to the exit).
    pub timeout: Duration,
    /// Another machine than the catalogue's (Book3S-32: mac99/g3beige).
    pub machine: Option<String>,
}

impl Default for CheckpointOptions {
    fn default() -> Self {
        CheckpointOptions {
            hwcap: None,
            timeout: Duration::from_secs(10),
            machine: None,
        }
    }
}

/// A checkpoint and what was learnt on the way.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    /// The image.
    pub image: Image,
    /// The checksum the source run ended with after being continued from
    /// the checkpoint (the reference; also put in the reference cache).
    pub reference: u64,
    /// Boot to the ready point.
    pub boot: Duration,
    /// Ready point to `ppcr_ckpt`, state read and image built.
    pub capture: Duration,
    /// Checkpoint to the exit (the rest of the reference run).
    pub finish: Duration,
}

/// The hwcap word a workload on `caps` is handed: AT_HWCAP | AT_HWCAP2 << 32.
pub fn hwcap_word(caps: &CapabilitySet) -> u64 {
    u64::from(caps.hwcap.bits()) | u64::from(caps.hwcap2.bits()) << 32
}

/// [`checkpoint_with`] with default options.
pub async fn checkpoint(
    model: &str,
    flavour: Flavour,
    workload: &str,
) -> Result<Checkpoint, SimError> {
    checkpoint_with(model, flavour, workload, &CheckpointOptions::default()).await
}

/// Checkpoints `workload` running as a `flavour` process on `model`.
pub async fn checkpoint_with(
    model: &str,
    flavour: Flavour,
    workload: &str,
    opts: &CheckpointOptions,
) -> Result<Checkpoint, SimError> {
    checkpoint_inner(model, flavour, workload, opts, None).await
}

/// [`checkpoint_with`], plus the source guest's [`GuestTrace`] taken at the
/// end of its run (the reference continuation's exit), for `ppcr repro`.
/// The trace is `None` when the guest never reached its ready point (the
/// error then carries QEMU's diagnostics).
pub async fn checkpoint_traced(
    model: &str,
    flavour: Flavour,
    workload: &str,
    opts: &CheckpointOptions,
) -> (Result<Checkpoint, SimError>, Option<GuestTrace>) {
    let mut trace = None;
    let r = checkpoint_inner(model, flavour, workload, opts, Some(&mut trace)).await;
    (r, trace)
}

async fn checkpoint_inner(
    model: &str,
    flavour: Flavour,
    workload: &str,
    opts: &CheckpointOptions,
    trace: Option<&mut Option<GuestTrace>>,
) -> Result<Checkpoint, SimError> {
    let wl = Workload::get(workload)?;
    let payload = wl.payload(flavour)?;
    let spec = GuestSpec::resolve(model, flavour)?;
    let t0 = Instant::now();
    let mut guest = boot_with(
        spec,
        BootOptions {
            user: Some(payload),
            machine: opts.machine.clone(),
            ..BootOptions::default()
        },
    )
    .await?;
    let boot = t0.elapsed();
    let result = capture(&mut guest, wl, opts).await;
    let out = match result {
        Ok((image, reference, capture, finish)) => {
            reference::store(
                ReferenceKey::new(
                    spec.name,
                    flavour,
                    wl.name,
                    opts.hwcap.filter(|&w| w != hwcap_word(&spec.model.caps)),
                ),
                reference,
            );
            Ok(Checkpoint {
                image,
                reference,
                boot,
                capture,
                finish,
            })
        }
        Err(e) => Err(e),
    };
    if let Some(t) = trace {
        *t = Some(super::trace::collect(&mut guest).await);
    }
    guest.kill().await?;
    out
}

async fn capture(
    guest: &mut ReadyGuest,
    wl: &'static Workload,
    opts: &CheckpointOptions,
) -> Result<(Image, u64, Duration, Duration), SimError> {
    let t0 = Instant::now();
    let spec = guest.plan.spec;
    let flavour = spec.flavour;
    let payload = guest.plan.user.expect("booted with the workload");
    let hwcap = opts.hwcap.unwrap_or_else(|| hwcap_word(&spec.model.caps));
    let order = guest.order();
    guest
        .gdb
        .write_memory(MAILBOX + offset::HWCAP as u64, &order.u64_bytes(hwcap))
        .await?;
    let ckpt = payload.require_symbol(CKPT_SYMBOL)?;
    let pc = run_to(guest, ckpt, opts.timeout).await?;
    if pc != ckpt {
        let mb = guest.read_mailbox().await?;
        return Err(SimError::Source(format!(
            "{} on {} ({}) did not reach {CKPT_SYMBOL}: stopped at {pc:#x}, mailbox state {:?}, last {}",
            wl.name,
            spec.name,
            flavour.name(),
            mb.state,
            mb.exception
        )));
    }
    let regs = Regs::new(&mut guest.gdb, flavour).await?;
    let gdb = &mut guest.gdb;
    let cpu = read_state(gdb, &regs, wl, spec.model.family, &spec.model.caps, flavour).await?;
    let code_len = payload.raw()?.len();
    let code = gdb.read_memory(USER_BASE, code_len).await?;
    let data = gdb.read_memory(DATA_BASE, DATA_LEN).await?;
    let facilities = facilities_of(cpu.main.msr, spec.model.family, &spec.model.caps);
    let image = Image {
        header: Header {
            version: FormatVersion::CURRENT,
            flavour,
            // The workloads use no function descriptors; the header says
            // what a process of the flavour usually is.
            abi: ElfAbi::usual_for(flavour),
            source: SourceCpu {
                model: spec.qemu_cpu.to_string(),
                pvr: guest.mailbox.pvr,
                // What the process observed: the catalogue's words, or
                // the override it was handed.
                caps: {
                    let mut w = spec.model.caps.to_words();
                    w.hwcap = hwcap as u32;
                    w.hwcap2 = (hwcap >> 32) as u32;
                    w
                },
            },
            facilities,
            workload: wl.name.to_string(),
            extension: Vec::new(),
        },
        cpu,
        segments: vec![
            Segment {
                addr: USER_BASE,
                flags: SegmentFlags {
                    read: true,
                    write: false,
                    exec: true,
                },
                data: code,
            },
            Segment {
                addr: DATA_BASE,
                flags: SegmentFlags {
                    read: true,
                    write: true,
                    exec: false,
                },
                data,
            },
        ],
    };
    image.validate()?;
    let capture = t0.elapsed();
    // The rest of the run is the reference (a gdb stop changes nothing).
    let t1 = Instant::now();
    let reference = match guest.run_user_part(opts.timeout).await? {
        UserOutcome::Exited(mb) if mb.state == State::Done => mb.checksum,
        UserOutcome::Exited(mb) => {
            return Err(SimError::Source(format!(
                "{} on {} exited with mailbox state {:?}",
                wl.name, spec.name, mb.state
            )))
        }
        UserOutcome::Crashed(mb) => {
            return Err(SimError::Source(format!(
                "{} crashed on its source {} after the checkpoint: {}",
                wl.name, spec.name, mb.exception
            )))
        }
    };
    Ok((image, reference, capture, t1.elapsed()))
}

/// Continues until `addr`, the boot part's exit or its crash point; returns
/// the PC there. A deadline interrupts the guest and is an error.
pub(crate) async fn run_to(
    guest: &mut ReadyGuest,
    addr: u64,
    timeout: Duration,
) -> Result<u64, SimError> {
    let exit = guest.boot_symbol(EXIT_SYMBOL)?;
    let crashed = guest.boot_symbol(CRASHED_SYMBOL)?;
    let bps = [addr, exit, crashed];
    for a in bps {
        guest
            .gdb
            .insert_breakpoint(BreakpointKind::Software, a, BP_LEN)
            .await?;
    }
    guest.gdb.resume().await?;
    let waited = guest.gdb.with_timeout(timeout).wait_for_stop().await;
    if let Err(ppcr_gdb::GdbError::Timeout { .. }) = waited {
        let _ = guest.gdb.interrupt().await;
        let diag = guest.diagnostics().await;
        return Err(SimError::Source(format!(
            "{addr:#x} not reached within {timeout:?}; {diag}"
        )));
    }
    waited?;
    for a in bps {
        guest
            .gdb
            .remove_breakpoint(BreakpointKind::Software, a, BP_LEN)
            .await?;
    }
    Ok(guest.pc().await?)
}

/// The process-visible meaning of a raw MSR (the pure rule lives in the core).
pub use ppcr_core::cpu::msr::facilities_of;

fn names(prefix: &str, n: usize, suffix: &str) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}{suffix}")).collect()
}

async fn read_state(
    gdb: &mut Client<UnixStream>,
    regs: &Regs,
    wl: &Workload,
    family: Family,
    caps: &CapabilitySet,
    flavour: Flavour,
) -> Result<CpuState, SimError> {
    // A ppc32 process's slots are 32 bits (a 64-bit CPU's upper halves are
    // not part of a 32-bit process, as in Linux's compat regset).
    let word = |v: u128| -> u64 {
        if flavour.is_64bit() {
            v as u64
        } else {
            v as u64 & 0xffff_ffff
        }
    };
    let mut main = MainRegs::default();
    for (i, n) in names("r", 32, "").iter().enumerate() {
        main.gpr[i] = word(regs.read_req(gdb, n).await?);
    }
    main.nip = word(regs.read_req(gdb, "pc").await?);
    main.msr = word(regs.read_req(gdb, "msr").await?);
    main.ccr = word(regs.read_req(gdb, "cr").await?);
    main.lr = word(regs.read_req(gdb, "lr").await?);
    main.ctr = word(regs.read_req(gdb, "ctr").await?);
    main.xer = word(regs.read_req(gdb, "xer").await?);
    main.orig_gpr3 = main.gpr[3];
    main.softe = u64::from(flavour.is_64bit());
    let mut cpu = CpuState {
        main,
        ..CpuState::default()
    };
    for &r in wl.records {
        match r {
            RecordKind::Main => {}
            RecordKind::Fpr => {
                let mut f = FprRecord::default();
                for (i, n) in names("f", 32, "").iter().enumerate() {
                    f.fpr[i] = regs.read_req(gdb, n).await? as u64;
                }
                // QEMU's stub sends FPSCR as 32 bits: the upper word (DRN) is lost.
                f.fpscr = regs.read_req(gdb, "fpscr").await? as u64;
                cpu.fpr = Some(f);
            }
            RecordKind::Vmx => {
                let mut v = VmxRecord::default();
                for (i, n) in names("vr", 32, "").iter().enumerate() {
                    v.vr[i] = regs.read_req(gdb, n).await?;
                }
                v.vscr = regs.read_req(gdb, "vscr").await? as u32;
                v.vrsave = regs.read_req(gdb, "vrsave").await? as u32;
                cpu.vmx = Some(v);
            }
            RecordKind::Vsx => {
                let mut v = VsxRecord::default();
                for (i, n) in names("vs", 32, "h").iter().enumerate() {
                    v.vsr_low[i] = regs.read_req(gdb, n).await? as u64;
                }
                cpu.vsx = Some(v);
            }
            RecordKind::Spe => {
                let mut s = SpeRecord::default();
                for (i, n) in names("ev", 32, "h").iter().enumerate() {
                    s.evr[i] = regs.read_req(gdb, n).await? as u32;
                }
                s.acc = regs.read_req(gdb, "acc").await? as u64;
                s.spefscr = regs.read_req(gdb, "spefscr").await? as u32;
                cpu.spe = Some(s);
            }
            RecordKind::Dabr => {
                let dabr = regs.read_req(gdb, "dabr").await? as u64;
                // Classic 32-bit CPUs have no DABRX: their DABR matches in
                // every privilege state (user | kernel).
                let dabrx = regs.read(gdb, "dabrx").await?.map_or(3, |v| v as u64);
                cpu.dabr = Some(DabrRecord { dabr, dabrx });
            }
            RecordKind::Dawr => {
                // The workload arms DAWR0, and DAWR1 where the CPU has it.
                let mut slots = Vec::new();
                for i in 0..caps.debug.dawr.clamp(1, 2) {
                    slots.push(DawrSlot {
                        dawr: regs.read_req(gdb, &format!("dawr{i}")).await? as u64,
                        dawrx: regs.read_req(gdb, &format!("dawrx{i}")).await? as u64,
                    });
                }
                cpu.dawr = Some(DawrRecord::from_slots(&slots));
            }
            RecordKind::BookeDebug => {
                if !matches!(family, Family::BookE | Family::Ppc440) || caps.debug.iac == 0 {
                    return Err(SimError::Source(
                        "booke-debug needs a Book E CPU with IAC/DAC registers".into(),
                    ));
                }
                let mut d = BookeDebugRecord {
                    dbcr0: regs.read_or0(gdb, "dbcr0").await?,
                    dbcr1: regs.read_or0(gdb, "dbcr1").await?,
                    dbcr2: regs.read_or0(gdb, "dbcr2").await?,
                    ..BookeDebugRecord::default()
                };
                for i in 0..4 {
                    d.iac[i] = regs.read_or0(gdb, &format!("iac{}", i + 1)).await?;
                }
                for i in 0..2 {
                    d.dac[i] = regs.read_or0(gdb, &format!("dac{}", i + 1)).await?;
                    d.dvc[i] = regs.read_or0(gdb, &format!("dvc{}", i + 1)).await?;
                }
                // What the workload uses: IAC1, DAC1, and IAC3 where the
                // CPU has four IACs (440; on e500 its mtspr is a no-op).
                d.iac_used = if caps.debug.iac >= 4 { 0b101 } else { 0b001 };
                d.dac_used = 1;
                d.dvc_used = 0;
                cpu.booke_debug = Some(d);
            }
        }
    }
    Ok(cpu)
}
