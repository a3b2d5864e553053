//! Boots every Book3S model and flavour the guest layer supports to its
//! ready point under real QEMU, runs the capability probe and checks it
//! against the DESIGN §5 table. Missing QEMU fails (with the install hint):
//! these tests never skip.

use ppcr::guest::mailbox::USER_BASE;
use ppcr::guest::{
    boot, boot_with, run_probe, BootOptions, Findings, GuestSpec, Payload, ProbeIndex, ProbeReport,
    ProbeStatus, State, UserOutcome,
};
use ppcr_core::format::Flavour;
use rstest::rstest;
use std::time::Duration;

/// What DESIGN §5 (QEMU 10.0 facts) says a model offers, as the probe sees
/// it: FPU/VMX/VSX columns, 64-bit, debug column (DABR / DAWR slots), plus
/// the ISA level of each POWER generation (FACTS B§2) and whether QEMU lets
/// the model run little-endian code (MSR[LE] in its msr_mask).
#[derive(Debug, Clone, Copy)]
struct Expect {
    fp: bool,
    vmx: bool,
    vsx: bool,
    mode64: bool,
    le: bool,
    isa: u16, // 0, 206, 207, 300, 310
    dabr: u8,
    dawr: u8,
}

fn expect(model: &str) -> Expect {
    let e = |fp, vmx, vsx, mode64, le, isa, dabr, dawr| Expect {
        fp,
        vmx,
        vsx,
        mode64,
        le,
        isa,
        dabr,
        dawr,
    };
    match model {
        // 970 and POWER5+: QEMU's msr_mask has no LE bit, so MSR[LE] does not stick.
        "970" | "970mp" => e(true, true, false, true, false, 0, 1, 0),
        "power5+" => e(true, false, false, true, false, 0, 1, 0),
        "power7" => e(true, true, true, true, true, 206, 1, 0),
        "power8" => e(true, true, true, true, true, 207, 0, 1),
        "power9" => e(true, true, true, true, true, 300, 0, 1),
        "power10" | "power11" => e(true, true, true, true, true, 310, 0, 2),
        "750" | "e300c3" => e(true, false, false, false, true, 0, 1, 0),
        "7400" | "7450" => e(true, true, false, false, true, 0, 1, 0),
        other => panic!("no expectation for {other}"),
    }
}

fn check(report: &ProbeReport, model: &str) {
    let r = &report.results;
    let table = format!("{model} {:?}:\n{r}", report.spec.flavour);
    assert!(r.not_run().is_empty(), "slots not run: {table}");
    let want = expect(model);
    let f: Findings = r.findings();
    assert_eq!(f.fp, want.fp, "fp: {table}");
    assert_eq!(f.vmx, want.vmx, "vmx: {table}");
    assert_eq!(f.vsx, want.vsx, "vsx: {table}");
    assert_eq!(f.mode64, want.mode64, "64-bit: {table}");
    assert_eq!(f.little_endian, want.le, "LE: {table}");
    assert_eq!(f.isa206, want.isa >= 206, "ISA 2.06: {table}");
    assert_eq!(f.isa207, want.isa >= 207, "ISA 2.07: {table}");
    assert_eq!(f.isa300, want.isa >= 300, "ISA 3.0: {table}");
    assert_eq!(f.isa310, want.isa >= 310, "ISA 3.1: {table}");
    assert_eq!(f.dabr, want.dabr, "DABR: {table}");
    assert_eq!(f.dawr, want.dawr, "DAWR: {table}");
    // No Book3S CPU has SPE: evaddw/efdadd share opcode 4 with VMX, so a VMX
    // CPU raises VMX unavailable (probe runs them with MSR[VEC]=0), the
    // others an illegal-instruction program check.
    for i in [ProbeIndex::Spe, ProbeIndex::EfpDouble] {
        match r.get(i) {
            ProbeStatus::Trapped { vector, srr1 } => {
                if want.vmx {
                    assert_eq!(vector, 0xf20, "{i}: {table}");
                } else {
                    assert_eq!(vector, 0x700, "{i}: {table}");
                    assert_ne!(srr1 & 0x8_0000, 0, "{i} not illegal: {table}");
                }
            }
            other => panic!("{i}: {other}: {table}"),
        }
    }
    // Missing facilities are illegal instructions (program check, SRR1 bit 44).
    for (i, present) in [
        (ProbeIndex::Vmx, want.vmx),
        (ProbeIndex::Vsx, want.vsx),
        (ProbeIndex::Isa310, want.isa >= 310),
    ] {
        if !present {
            assert!(
                matches!(r.get(i), ProbeStatus::Trapped { vector: 0x700, srr1 } if srr1 & 0x8_0000 != 0),
                "{i}: {table}"
            );
        }
    }
    // BookE debug SPR numbers are not probed on Book3S.
    for i in [
        ProbeIndex::Iac1,
        ProbeIndex::Iac3,
        ProbeIndex::Dac1,
        ProbeIndex::Dvc1,
    ] {
        assert_eq!(r.get(i), ProbeStatus::NotApplicable, "{i}: {table}");
    }
    // The mailbox says what the boot part set up.
    let m = &report.mailbox;
    assert_eq!(m.state, State::ProbeDone);
    assert_eq!(m.user_64bit(), report.spec.flavour != Flavour::Ppc32);
    assert_eq!(m.user_le(), report.spec.flavour == Flavour::Ppc64le);
    if model != "970mp" {
        assert_eq!(m.pvr, report.spec.model.pvr(), "PVR: {table}");
    }
    // And the catalogue agrees, except where it is known not to.
    let mismatches: Vec<String> = f
        .compare(report.spec.family(), &report.spec.model.caps)
        .iter()
        .map(ToString::to_string)
        .filter(|m| !(model == "e300c3" && m.starts_with("dabr:")))
        .collect();
    assert!(mismatches.is_empty(), "{mismatches:?}: {table}");
    eprintln!(
        "{model} {:?}: launch {:?}, ready {:?}, probe {:?}",
        report.spec.flavour, report.boot.launched, report.boot.ready, report.probe_time
    );
}

#[rstest]
#[case("970", Flavour::Ppc64)]
#[case("970", Flavour::Ppc32)]
#[case("970mp", Flavour::Ppc64)]
#[case("970mp", Flavour::Ppc32)]
#[case("power5+", Flavour::Ppc64)]
#[case("power5+", Flavour::Ppc32)]
#[case("power7", Flavour::Ppc64)]
#[case("power7", Flavour::Ppc32)]
#[case("power7", Flavour::Ppc64le)]
#[case("power8", Flavour::Ppc64)]
#[case("power8", Flavour::Ppc32)]
#[case("power8", Flavour::Ppc64le)]
#[case("power9", Flavour::Ppc64)]
#[case("power9", Flavour::Ppc32)]
#[case("power9", Flavour::Ppc64le)]
#[case("power10", Flavour::Ppc64)]
#[case("power10", Flavour::Ppc32)]
#[case("power10", Flavour::Ppc64le)]
#[case("power11", Flavour::Ppc64)]
#[case("power11", Flavour::Ppc32)]
#[case("power11", Flavour::Ppc64le)]
#[case("750", Flavour::Ppc32)]
#[case("7400", Flavour::Ppc32)]
#[case("7450", Flavour::Ppc32)]
#[case("e300c3", Flavour::Ppc32)]
#[tokio::test]
async fn probe_matches_design_table(#[case] model: &str, #[case] flavour: Flavour) {
    let report = run_probe(model, flavour)
        .await
        .unwrap_or_else(|e| panic!("{model} {flavour:?}: {e}"));
    check(&report, model);
}

/// The ready point alone (no user part): PC at ppcr_ready, mailbox state 1,
/// the boot part's idle loop not entered.
#[rstest]
#[case("power9", Flavour::Ppc64le)]
#[case("7450", Flavour::Ppc32)]
#[tokio::test]
async fn boots_to_ready_point(#[case] model: &str, #[case] flavour: Flavour) {
    let mut guest = boot(model, flavour)
        .await
        .unwrap_or_else(|e| panic!("{model} {flavour:?}: {e}"));
    let ready = guest.boot_symbol("ppcr_ready").unwrap();
    assert_eq!(guest.pc().await.unwrap(), ready);
    assert_eq!(guest.mailbox.state, State::Ready);
    assert_eq!(guest.mailbox.exceptions, 0, "{:?}", guest.mailbox);
    let spec = GuestSpec::resolve(model, flavour).unwrap();
    assert_eq!(guest.plan.spec, spec);
    if spec.family() == ppcr_core::cpu::Family::Book3s64 {
        // the pseries boot part says so on the console (H_PUT_TERM_CHAR)
        guest
            .qemu
            .wait_for_serial("PPCR ready", Duration::from_secs(5))
            .await
            .unwrap();
    }
    guest.kill().await.unwrap();
}

/// An exception nobody armed a resume for is a crash: the boot part records
/// it, sets state 4 and spins at ppcr_crashed.
#[rstest]
#[case("power9", Flavour::Ppc64le)]
#[case("power8", Flavour::Ppc32)]
#[case("750", Flavour::Ppc32)]
#[tokio::test]
async fn unexpected_exception_in_user_part_is_a_crash(
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
    // Word 0 is an illegal instruction in either byte order. The boot part
    // enters the user part only if its first word is non-zero, so: a nop,
    // then the zero word.
    let nop: [u8; 4] = match flavour {
        Flavour::Ppc64le => [0x00, 0x00, 0x00, 0x60],
        _ => [0x60, 0x00, 0x00, 0x00],
    };
    guest.gdb.write_memory(USER_BASE, &nop).await.unwrap();
    guest
        .gdb
        .write_memory(USER_BASE + 4, &[0; 4])
        .await
        .unwrap();
    match guest.run_user_part(Duration::from_secs(10)).await.unwrap() {
        UserOutcome::Crashed(m) => {
            assert_eq!(m.state, State::Crashed);
            assert_eq!(m.exception.vector, 0x700, "{}", m.exception);
            assert_eq!(m.exception.srr0, USER_BASE + 4, "{}", m.exception);
            assert_ne!(m.exception.srr1 & 0x8_0000, 0, "{}", m.exception);
            assert_eq!(m.exceptions, 1);
        }
        other => panic!("{model}: {other:?}"),
    }
    guest.kill().await.unwrap();
}

/// Book3S-32 models on the other Mac machine than the catalogue's: same
/// probe results.
#[rstest]
#[case("e300c3", "mac99")]
#[case("7450", "g3beige")]
#[case("7400", "g3beige")]
#[case("750", "mac99")]
#[tokio::test]
async fn book3s32_models_boot_on_either_mac_machine(#[case] model: &str, #[case] machine: &str) {
    let spec = GuestSpec::resolve(model, Flavour::Ppc32).unwrap();
    let mut guest = boot_with(
        spec,
        BootOptions {
            user: Some(Payload::probe(spec.family(), Flavour::Ppc32).unwrap()),
            machine: Some(machine.to_string()),
            ..BootOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{model} on {machine}: {e}"));
    assert!(guest.command_line.contains(&format!("-M {machine} ")));
    let out = guest.run_user_part(Duration::from_secs(10)).await.unwrap();
    assert!(
        matches!(out, UserOutcome::Exited(m) if m.state == State::ProbeDone),
        "{out:?}"
    );
    let bytes = guest.mailbox_bytes().await.unwrap();
    let results = ppcr::guest::ProbeResults::decode(&bytes, guest.order()).unwrap();
    let report = ProbeReport {
        spec,
        mailbox: guest.read_mailbox().await.unwrap(),
        results,
        boot: guest.timings,
        probe_time: Duration::ZERO,
        command_line: guest.command_line.clone(),
    };
    check(&report, model);
    guest.kill().await.unwrap();
}

/// The same launch path (`-kernel` ELF) boots the Book E and 440 payloads
/// (harness/guest/booke, another engineer's); their probe must agree with
/// the catalogue too (details are checked in docs/GUEST.md's Book E table).
#[rstest]
#[case("e500v1", Flavour::Ppc32)]
#[case("e500v2", Flavour::Ppc32)]
#[case("e500mc", Flavour::Ppc32)]
#[case("e5500", Flavour::Ppc64)]
#[case("e6500", Flavour::Ppc64)]
#[case("e6500", Flavour::Ppc32)]
#[case("440epb", Flavour::Ppc32)]
#[tokio::test]
async fn booke_and_440_boot_through_the_same_path(#[case] model: &str, #[case] flavour: Flavour) {
    let report = run_probe(model, flavour)
        .await
        .unwrap_or_else(|e| panic!("{model} {flavour:?}: {e}"));
    let r = &report.results;
    assert!(r.not_run().is_empty(), "{model}: {r}");
    let mismatches = r
        .findings()
        .compare(report.spec.family(), &report.spec.model.caps);
    assert!(mismatches.is_empty(), "{model}: {mismatches:?}\n{r}");
    assert_eq!(report.mailbox.pvr, report.spec.model.pvr(), "{model}");
}

/// A guest that never reaches its ready point gives a timeout error that
/// says where it was, and QEMU is gone afterwards. (The 970 cannot set
/// MSR[LE], so the ppc64le boot part runs its LE code as big-endian
/// garbage; GuestSpec::resolve refuses this pair, the test builds it by
/// hand.)
#[tokio::test]
async fn a_boot_that_never_gets_ready_times_out_with_diagnostics() {
    let mut spec = GuestSpec::resolve("970", Flavour::Ppc64).unwrap();
    spec.flavour = Flavour::Ppc64le;
    let err = boot_with(
        spec,
        BootOptions {
            timeout: Duration::from_secs(2),
            ..BootOptions::default()
        },
    )
    .await
    .expect_err("970 cannot run the LE boot part");
    let text = err.to_string();
    assert!(
        matches!(err, ppcr::guest::GuestError::Timeout { .. }),
        "{text}"
    );
    assert!(text.contains("ppcr_ready"), "{text}");
    assert!(text.contains("NIP 0000000000000"), "{text}");
    assert!(text.contains("-cpu 970"), "{text}");
}
