//! Book E (ppce500) and 440 (bamboo) guests under real QEMU, slot by slot:
//! every model and flavour boots to its ready point, the Book E probe
//! (harness/guest/booke/probe_booke.s) agrees with the DESIGN §5 table and
//! traps the way QEMU 10.0 decodes (docs/GUEST.md "Book E"), and an unarmed
//! exception in the user part is a crash with the Book E vector numbering.
//! Missing QEMU fails (with the install hint): these tests never skip.

use ppcr::guest::mailbox::{FLAG_64BIT, USER_BASE};
use ppcr::guest::{
    boot, boot_with, run_probe, BootOptions, GuestSpec, Payload, ProbeIndex, ProbeReport,
    ProbeStatus, State, UserOutcome,
};
use ppcr_core::cpu::Family;
use ppcr_core::format::Flavour;
use rstest::rstest;
use std::time::Duration;

/// Book E vector numbering: 0x1000 + IVOR number.
const PROGRAM: u32 = 0x1006;
/// ESR[PIL]: illegal instruction.
const ESR_PIL: u64 = 0x0800_0000;

/// DESIGN §5: what each model offers, as the probe sees it.
#[derive(Debug, Clone, Copy)]
struct Expect {
    fp: bool,
    vmx: bool,
    spe: bool,
    efp_double: bool,
    mode64: bool,
    /// `popcntw`: e5500/e6500 are ISA 2.06 cores (QEMU PPC_POPCNTWD).
    isa206: bool,
    iac: u8,
    dac: u8,
    dvc: u8,
}

fn expect(model: &str) -> Expect {
    let e = |fp, vmx, spe, efp_double, mode64, isa206, iac, dvc| Expect {
        fp,
        vmx,
        spe,
        efp_double,
        mode64,
        isa206,
        iac,
        dac: 2,
        dvc,
    };
    match model {
        "e500v1" => e(false, false, true, false, false, false, 2, 0),
        "e500v2" => e(false, false, true, true, false, false, 2, 0),
        "e500mc" => e(true, false, false, false, false, false, 2, 0),
        "e5500" => e(true, false, false, false, true, true, 2, 0),
        "e6500" => e(true, true, false, false, true, true, 2, 0),
        "440epb" => e(true, false, false, false, false, false, 4, 2),
        other => panic!("no expectation for {other}"),
    }
}

fn illegal(s: ProbeStatus) -> bool {
    matches!(
        s,
        ProbeStatus::Trapped {
            vector: PROGRAM,
            srr1: ESR_PIL
        }
    )
}

fn check(report: &ProbeReport, model: &str) {
    let r = &report.results;
    let table = format!("{model} {:?}:\n{r}", report.spec.flavour);
    assert!(r.not_run().is_empty(), "slots not run: {table}");
    let want = expect(model);
    let f = r.findings();
    assert_eq!(f.fp, want.fp, "fp: {table}");
    assert_eq!(f.vmx, want.vmx, "vmx: {table}");
    assert!(!f.vsx, "vsx: {table}");
    assert_eq!(f.spe, want.spe, "spe: {table}");
    assert_eq!(f.efp_double, want.efp_double, "efp double: {table}");
    assert_eq!(f.mode64, want.mode64, "64-bit: {table}");
    assert!(!f.little_endian, "LE: {table}");
    assert_eq!(f.isa206, want.isa206, "ISA 2.06: {table}");
    assert!(!f.isa207 && !f.isa300 && !f.isa310, "ISA 2.07+: {table}");
    assert_eq!(
        (f.iac, f.dac, f.dvc),
        (want.iac, want.dac, want.dvc),
        "IAC/DAC/DVC: {table}"
    );
    assert_eq!((f.dabr, f.dawr), (0, 0), "DABR/DAWR: {table}");

    // A missing facility is an illegal instruction (program, ESR[PIL]), not
    // an unavailable interrupt: e500v1/v2 keep MSR[FP] without an FPU, and
    // the SPE/EFP words are not VMX instructions an e6500 has.
    for (i, present) in [
        (ProbeIndex::Fp, want.fp),
        (ProbeIndex::Vmx, want.vmx),
        (ProbeIndex::Vsx, false),
        (ProbeIndex::Spe, want.spe),
        (ProbeIndex::EfpDouble, want.efp_double),
        (ProbeIndex::Isa206, want.isa206),
        (ProbeIndex::Isa207, false),
        (ProbeIndex::Isa300, false),
        (ProbeIndex::Isa310, false),
        // no Book E msr_mask has MSR[LE]: the LE snippet's first word traps
        (ProbeIndex::LittleEndian, false),
    ] {
        let s = r.get(i);
        if present {
            assert!(s.executed(), "{i}: {table}");
        } else {
            assert!(illegal(s), "{i} is not an illegal instruction: {table}");
        }
    }
    // Unregistered debug SPRs are no-ops in supervisor state (read back the
    // sentinel); SPR 1013 is BUCSR on e500, so DABR is not probed there.
    let absent_sprs: &[ProbeIndex] = match (want.iac, want.dvc) {
        (4, 2) => &[ProbeIndex::Dabr, ProbeIndex::Dawr0, ProbeIndex::Dawr1],
        _ => &[
            ProbeIndex::Dawr0,
            ProbeIndex::Dawr1,
            ProbeIndex::Iac3,
            ProbeIndex::Dvc1,
        ],
    };
    for &i in absent_sprs {
        assert!(
            matches!(r.get(i), ProbeStatus::NoEffect { .. }),
            "{i}: {table}"
        );
    }
    if report.spec.family() == Family::BookE {
        assert_eq!(
            r.get(ProbeIndex::Dabr),
            ProbeStatus::NotApplicable,
            "{table}"
        );
    }
    for i in [ProbeIndex::Iac1, ProbeIndex::Dac1] {
        assert_eq!(
            r.get(i),
            ProbeStatus::Executed { detail: 0x60_0000 },
            "{i}: {table}"
        );
    }
    match r.get(ProbeIndex::Mode64) {
        ProbeStatus::Executed { detail } => assert!(want.mode64 && detail == 1, "{table}"),
        ProbeStatus::NoEffect { .. } => assert!(!want.mode64, "{table}"),
        other => panic!("64-bit: {other}: {table}"),
    }
    for i in [
        ProbeIndex::HSetDabr,
        ProbeIndex::HSetXdabr,
        ProbeIndex::HDawr0,
        ProbeIndex::HDawr1,
    ] {
        assert_eq!(r.get(i), ProbeStatus::NotApplicable, "{i}: {table}");
    }

    // The mailbox: what the boot part set up, and the probe's exit (sc).
    let m = &report.mailbox;
    assert_eq!(m.state, State::ProbeDone, "{table}");
    assert_eq!(m.family_id, if model == "440epb" { 4 } else { 3 });
    let mode64 = report.spec.flavour == Flavour::Ppc64;
    assert_eq!(m.flags, if mode64 { FLAG_64BIT } else { 0 });
    assert_eq!(
        m.user_msr,
        if mode64 { 0x8000_1000 } else { 0x1000 },
        "MSR[CM|ME]"
    );
    assert_eq!(m.pvr, report.spec.model.pvr(), "PVR: {table}");
    assert_eq!(m.fdt, 0x180_0000, "device tree from r3");
    assert_eq!(m.exception.vector, 0x1008, "last exception is the exit sc");
    assert_eq!(m.resume, 0, "no resume left armed");
    let mismatches = f.compare(report.spec.family(), &report.spec.model.caps);
    assert!(mismatches.is_empty(), "{mismatches:?}: {table}");
    eprintln!(
        "{model} {:?}: launch {:?}, ready {:?}, probe {:?}",
        report.spec.flavour, report.boot.launched, report.boot.ready, report.probe_time
    );
}

#[rstest]
#[case("e500v1", Flavour::Ppc32)]
#[case("e500v2", Flavour::Ppc32)]
#[case("e500mc", Flavour::Ppc32)]
#[case("e5500", Flavour::Ppc32)]
#[case("e5500", Flavour::Ppc64)]
#[case("e6500", Flavour::Ppc32)]
#[case("e6500", Flavour::Ppc64)]
#[case("440epb", Flavour::Ppc32)]
#[tokio::test]
async fn booke_probe_matches_design_table(#[case] model: &str, #[case] flavour: Flavour) {
    let report = run_probe(model, flavour)
        .await
        .unwrap_or_else(|e| panic!("{model} {flavour:?}: {e}"));
    check(&report, model);
}

/// The ready point alone: PC at ppcr_ready, state 1, nothing taken, the
/// boot part's interrupt setup visible in the mailbox.
#[rstest]
#[case("e500v1", Flavour::Ppc32)]
#[case("e500mc", Flavour::Ppc32)]
#[case("e5500", Flavour::Ppc64)]
#[case("e6500", Flavour::Ppc32)]
#[case("440epb", Flavour::Ppc32)]
#[tokio::test]
async fn booke_boots_to_ready_point(#[case] model: &str, #[case] flavour: Flavour) {
    let mut guest = boot(model, flavour)
        .await
        .unwrap_or_else(|e| panic!("{model} {flavour:?}: {e}"));
    let ready = guest.boot_symbol("ppcr_ready").unwrap();
    assert_eq!(guest.pc().await.unwrap(), ready);
    assert_eq!(guest.mailbox.state, State::Ready);
    assert_eq!(guest.mailbox.exceptions, 0, "{:?}", guest.mailbox);
    assert_eq!(guest.mailbox.user_64bit(), flavour == Flavour::Ppc64);
    let spec = GuestSpec::resolve(model, flavour).unwrap();
    assert_eq!(guest.plan.spec, spec);
    assert!(
        guest.command_line.contains(" -kernel "),
        "{}",
        guest.command_line
    );
    guest.kill().await.unwrap();
}

/// An exception nobody armed a resume for is a crash: recorded as
/// 0x1000 + IVOR with ESR in the DSISR slot, state 4, ppcr_crashed.
#[rstest]
#[case("e500v2", Flavour::Ppc32)]
#[case("e6500", Flavour::Ppc64)]
#[case("440epb", Flavour::Ppc32)]
#[tokio::test]
async fn booke_unexpected_exception_in_user_part_is_a_crash(
    #[case] model: &str,
    #[case] flavour: Flavour,
) {
    let spec = GuestSpec::resolve(model, flavour).unwrap();
    let user = Payload::probe(spec.family(), flavour).unwrap();
    let mut guest = boot_with(
        spec,
        BootOptions {
            user: Some(user),
            ..BootOptions::default()
        },
    )
    .await
    .unwrap();
    // a nop (the boot part enters the user part only if word 0 is not 0),
    // then the zero word: primary opcode 0, illegal
    guest
        .gdb
        .write_memory(USER_BASE, &[0x60, 0, 0, 0, 0, 0, 0, 0])
        .await
        .unwrap();
    match guest.run_user_part(Duration::from_secs(10)).await.unwrap() {
        UserOutcome::Crashed(m) => {
            assert_eq!(m.state, State::Crashed);
            assert_eq!(m.exception.vector, u64::from(PROGRAM), "{}", m.exception);
            assert_eq!(m.exception.srr0, USER_BASE + 4, "{}", m.exception);
            assert_eq!(m.exception.dsisr, ESR_PIL, "ESR: {}", m.exception);
            assert_eq!(m.exceptions, 1);
        }
        other => panic!("{model}: {other:?}"),
    }
    guest.kill().await.unwrap();
}

/// The unavailable interrupts reach the IVORs the boot part set per core
/// (IVOR7 FP, IVOR32 SPE on e500v1/v2 and AltiVec on e6500): the user part
/// runs with MSR = MB_USER_MSR, i.e. FP/SPE/VEC off, so the facility's first
/// instruction traps there (unarmed, hence a crash that names the vector).
#[rstest]
#[case("e500v2", Flavour::Ppc32, 0x10a5_2a16, 0x1020, 0x80)] // evxor: SPE unavailable, ESR[SPV]
#[case("e500mc", Flavour::Ppc32, 0xfc00_0090, 0x1007, 0)] // fmr: FP unavailable
#[case("e6500", Flavour::Ppc64, 0x1000_0484, 0x1020, 0x80)] // vor: AltiVec unavailable
#[case("440epb", Flavour::Ppc32, 0xfc00_0090, 0x1007, 0)] // fmr: FP unavailable
#[tokio::test]
async fn booke_unavailable_interrupts_reach_their_ivor(
    #[case] model: &str,
    #[case] flavour: Flavour,
    #[case] insn: u32,
    #[case] vector: u64,
    #[case] esr: u64,
) {
    let spec = GuestSpec::resolve(model, flavour).unwrap();
    let user = Payload::probe(spec.family(), flavour).unwrap();
    let mut guest = boot_with(
        spec,
        BootOptions {
            user: Some(user),
            ..BootOptions::default()
        },
    )
    .await
    .unwrap();
    guest
        .gdb
        .write_memory(USER_BASE, &insn.to_be_bytes())
        .await
        .unwrap();
    match guest.run_user_part(Duration::from_secs(10)).await.unwrap() {
        UserOutcome::Crashed(m) => {
            assert_eq!(m.exception.vector, vector, "{model}: {}", m.exception);
            assert_eq!(m.exception.srr0, USER_BASE, "{}", m.exception);
            assert_eq!(m.exception.dsisr, esr, "ESR: {}", m.exception);
        }
        other => panic!("{model}: {other:?}"),
    }
    guest.kill().await.unwrap();
}
