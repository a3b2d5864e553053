//! Per model and register class: write a pattern through the gdb stub at
//! the ready point, let the guest run (continue to `ppcr_idle`), read back.
//! This is what later restores rely on: a register write lands and stays.
//! Real QEMU; missing QEMU fails with the install hint.

use ppcr::guest::regs::{self, RegisterClass};
use ppcr::guest::{boot, ReadyGuest};
use ppcr_core::cpu::{lookup, Flavour};
use ppcr_gdb::{BreakpointKind, Register};
use rstest::rstest;
use std::collections::BTreeMap;
use std::time::Duration;

/// Registers the boot part's path from `ppcr_ready` to `ppcr_idle`
/// overwrites (`lis r5; lwz r4; cmpwi r4,0`): never checked.
const CLOBBERED: [&str; 2] = ["r4", "r5"];

/// SPRs whose raw write must land: the SPRG scratch registers and the debug
/// registers a restore writes (DESIGN §4 debug records).
const SPRS: [&str; 15] = [
    "sprg0", "sprg1", "sprg2", "sprg3", "dabr", "dabrx", "dawr0", "dawrx0", "dawr1", "iac1",
    "iac2", "iac3", "dac1", "dac2", "dvc1",
];

fn pattern(reg: &Register, salt: u128) -> Option<u128> {
    let bits = reg.bitsize;
    let full = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128.rotate_left(reg.regnum * 7) ^ salt;
    let mask = if bits >= 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    let value = match reg.name.as_str() {
        // Fields with fixed meanings: values the architecture keeps.
        "cr" => 0x1234_5678,
        "xer" => 0x2000_0005,   // CA and a string count
        "fpscr" => 0x0000_0002, // RN = +inf
        "vscr" => 0x0001_0000,  // NJ
        "vrsave" => 0xa5a5_5a5a,
        "spefscr" => 0x0000_0003, // rounding mode
        "dabr" => 0x0060_0106,    // doubleword + write + translate
        "dabrx" => 0x1,
        "dawrx0" => 0x51,
        _ => full,
    };
    Some(value & mask)
}

fn selected(reg: &Register, class: RegisterClass) -> bool {
    if CLOBBERED.contains(&reg.name.as_str()) || matches!(reg.name.as_str(), "pc" | "msr") {
        return false;
    }
    match class {
        RegisterClass::Spr => SPRS.contains(&reg.name.as_str()),
        _ => true,
    }
}

async fn write_continue_read(guest: &mut ReadyGuest) -> BTreeMap<RegisterClass, usize> {
    let all = regs::registers(guest).await.unwrap();
    let mut written = Vec::new();
    for reg in &all {
        let class = RegisterClass::of_feature(&reg.feature);
        if class == RegisterClass::Other || !selected(reg, class) {
            continue;
        }
        let Some(value) = pattern(reg, 0x5a) else {
            continue;
        };
        regs::write(guest, reg, value)
            .await
            .unwrap_or_else(|e| panic!("write {}: {e}", reg.name));
        written.push((reg.clone(), class, value));
    }
    // Run real guest code: from the ready point to the idle loop.
    let idle = guest.boot_symbol("ppcr_idle").unwrap();
    guest
        .gdb
        .insert_breakpoint(BreakpointKind::Software, idle, 4)
        .await
        .unwrap();
    guest.gdb.resume().await.unwrap();
    guest
        .gdb
        .with_timeout(Duration::from_secs(20))
        .wait_for_stop()
        .await
        .unwrap();
    assert_eq!(
        guest.pc().await.unwrap(),
        idle,
        "the guest did not run to ppcr_idle"
    );

    let mut per_class = BTreeMap::new();
    let mut wrong = Vec::new();
    for (reg, class, value) in &written {
        let back = regs::read(guest, reg).await.unwrap();
        // `cmpwi r4,0` on the way to ppcr_idle sets CR field 0.
        let kept = if reg.name == "cr" {
            0x0fff_ffff
        } else {
            u128::MAX
        };
        if back & kept != *value & kept {
            wrong.push(format!(
                "{} ({}): wrote {value:#x}, read {back:#x}",
                reg.name,
                class.name()
            ));
        }
        *per_class.entry(*class).or_insert(0) += 1;
    }
    assert!(
        wrong.is_empty(),
        "{} of {} writes did not land:\n{}",
        wrong.len(),
        written.len(),
        wrong.join("\n")
    );
    per_class
}

#[rstest]
#[case::g3_750("750", Flavour::Ppc32)]
#[case::g4_7400("7400", Flavour::Ppc32)]
#[case::g4_7450("7450", Flavour::Ppc32)]
#[case::e300c3("e300c3", Flavour::Ppc32)]
#[case::ppc440epb("440epb", Flavour::Ppc32)]
#[case::e500v1("e500v1", Flavour::Ppc32)]
#[case::e500v2("e500v2", Flavour::Ppc32)]
#[case::e500mc("e500mc", Flavour::Ppc32)]
#[case::e5500("e5500", Flavour::Ppc64)]
#[case::e6500("e6500", Flavour::Ppc64)]
#[case::ppc970("970", Flavour::Ppc64)]
#[case::power5p("power5+", Flavour::Ppc64)]
#[case::power7("power7", Flavour::Ppc64)]
#[case::power8_le("power8", Flavour::Ppc64le)]
#[case::power9("power9", Flavour::Ppc64)]
#[case::power10_le("power10", Flavour::Ppc64le)]
#[case::power11("power11", Flavour::Ppc64)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_writes_land(#[case] model: &str, #[case] flavour: Flavour) {
    let caps = lookup(model).unwrap().caps;
    let mut guest = boot(model, flavour)
        .await
        .unwrap_or_else(|e| panic!("{model} {flavour}: {e}"));
    let per_class = write_continue_read(&mut guest).await;
    guest.kill().await.unwrap();
    // Every class the model has was exercised.
    let mut want = vec![RegisterClass::Core, RegisterClass::Spr];
    if caps.has_fpu() {
        want.push(RegisterClass::Fpu);
    }
    if caps.has_vmx() {
        want.push(RegisterClass::Altivec);
    }
    if caps.has_vsx() {
        want.push(RegisterClass::Vsx);
    }
    if caps.has_spe() {
        want.push(RegisterClass::Spe);
    }
    for class in want {
        assert!(
            per_class.get(&class).copied().unwrap_or(0) > 0,
            "{model}: no {} register written: {per_class:?}",
            class.name()
        );
    }
}
