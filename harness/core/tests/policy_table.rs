//! The policy table: one case per rule, asserting the verdict and the exact
//! reason (or conversion) text.

use ppcr_core::cpu::{self, Flavour};
use ppcr_core::format::{dawrx_bits, DawrRecord, DawrSlot, Image, RecordKind};
use ppcr_core::policy::{convert, evaluate, Policy};
use ppcr_core::synth;
use rstest::rstest;

fn image(model: &str, flavour: Flavour, records: &str) -> Image {
    let records: Vec<RecordKind> = records
        .split(',')
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    synth::image(cpu::lookup(model).unwrap(), flavour, &records, 7).unwrap()
}

fn dawr(image: &mut Image, slots: &[(u64, u64)]) {
    let slots: Vec<DawrSlot> = slots
        .iter()
        .map(|&(start, len)| DawrSlot {
            dawr: start,
            dawrx: dawrx_bits::USER
                | dawrx_bits::DW
                | dawrx_bits::WT
                | ((len / 8 - 1) << dawrx_bits::MRD_SHIFT),
        })
        .collect();
    image.cpu.dawr = Some(DawrRecord::from_slots(&slots));
}

/// What a case expects: the verdict's reasons, or its conversions when accepted.
enum Want {
    Accept(&'static [&'static str]),
    Refuse(&'static [&'static str]),
}
use Want::*;

#[rstest]
// Superset acceptance.
#[case::vmx_on_vsx_cpu(Policy::Records, image("970", Flavour::Ppc64, "fpr,vmx"), "power9", Accept(&[]))]
#[case::fpr_on_any_fpu(Policy::Records, image("e500mc", Flavour::Ppc32, "fpr"), "power10", Accept(&[]))]
#[case::ppc32_on_64bit_cpu(Policy::Records, image("7400", Flavour::Ppc32, "fpr,vmx"), "e6500", Accept(&[]))]
// Facility refusals.
#[case::vsx_on_e6500(Policy::Records, image("power9", Flavour::Ppc64, "fpr,vmx,vsx"), "e6500",
    Refuse(&["VSX record: image has VSX state; target lacks PPC_FEATURE_HAS_VSX"]))]
#[case::vmx_on_power5p(Policy::Records, image("970", Flavour::Ppc64, "vmx"), "power5+",
    Refuse(&["VMX record: image has VMX state; target lacks PPC_FEATURE_HAS_ALTIVEC"]))]
#[case::spe_on_e500mc(Policy::Records, image("e500v2", Flavour::Ppc32, "spe"), "e500mc",
    Refuse(&["SPE record: image has SPE state; target lacks PPC_FEATURE_HAS_SPE"]))]
#[case::fpr_on_e500v2(Policy::Records, image("e500mc", Flavour::Ppc32, "fpr"), "e500v2",
    Refuse(&["FPR record: image has FP state; target lacks PPC_FEATURE_HAS_FPU"]))]
// Flavour refusals.
#[case::ppc64_on_e500mc(Policy::Records, image("e5500", Flavour::Ppc64, "fpr"), "e500mc",
    Refuse(&["flavour: image is a 64-bit ppc64 process; target is a 32-bit CPU (no PPC_FEATURE_64)"]))]
#[case::ppc64le_on_970(Policy::Records, image("power8", Flavour::Ppc64le, ""), "970",
    Refuse(&["flavour: image is a little-endian ppc64le process; target has no true little-endian mode (no PPC_FEATURE_TRUE_LE)"]))]
#[case::every_reason_is_listed(Policy::Records, image("power9", Flavour::Ppc64le, "fpr,vmx,vsx,dawr"), "e500v1",
    Refuse(&[
        "flavour: image is a 64-bit ppc64le process; target is a 32-bit CPU (no PPC_FEATURE_64)",
        "flavour: image is a little-endian ppc64le process; target has no true little-endian mode (no PPC_FEATURE_TRUE_LE)",
        "FPR record: image has FP state; target lacks PPC_FEATURE_HAS_FPU",
        "VMX record: image has VMX state; target lacks PPC_FEATURE_HAS_ALTIVEC",
        "VSX record: image has VSX state; target lacks PPC_FEATURE_HAS_VSX",
        "DAWR record: image uses 1 DAWR slot; target has 0 DAWR slots",
    ]))]
// DABR and DAWR, value-dependent.
#[case::dabr_becomes_dawr(Policy::Records, image("970", Flavour::Ppc64, "dabr"), "power9",
    Accept(&["DABR record: DABR watch of 0x6001f8+8 becomes DAWR0 with the same range and access bits"]))]
#[case::dabr_needs_a_slot(Policy::Records, image("970", Flavour::Ppc32, "dabr"), "e500mc",
    Refuse(&["DABR record: image has an armed DABR watch (0x6001fe); target has no DABR and no DAWR slot"]))]
#[case::dawr_doubleword_fits_dabr(Policy::Records, { let mut i = image("power9", Flavour::Ppc64, "dawr"); dawr(&mut i, &[(0x60_0100, 8)]); i }, "power7",
    Accept(&["DAWR record: DAWR watch of 0x600100+8 becomes a DABR watch of the same doubleword"]))]
#[case::dawr_range_too_long_for_dabr(Policy::Records, { let mut i = image("power9", Flavour::Ppc64, "dawr"); dawr(&mut i, &[(0x60_0100, 64)]); i }, "power7",
    Refuse(&["DAWR record: image watches 0x600100+64 bytes, longer than the DABR's 8-byte granule; target has only a DABR"]))]
#[case::two_dawrs_need_two_slots(Policy::Records, { let mut i = image("power10", Flavour::Ppc64, "dawr"); dawr(&mut i, &[(0x60_0100, 8), (0x60_0200, 16)]); i }, "power9",
    Refuse(&["DAWR record: image uses 2 DAWR slots; target has 1 DAWR slot"]))]
#[case::two_dawrs_fit_power11(Policy::Records, { let mut i = image("power10", Flavour::Ppc64, "dawr"); dawr(&mut i, &[(0x60_0100, 8), (0x60_0200, 16)]); i }, "power11", Accept(&[]))]
// BookE debug: the registers used, not the CPU's count, decide.
#[case::iac3_needs_four_iacs(Policy::Records, image("440epb", Flavour::Ppc32, "booke-debug"), "e500mc",
    Refuse(&[
        "BookE debug record: image uses IAC4; target has only IAC1-IAC2",
        "BookE debug record: image uses DVC2; target has no DVC registers",
    ]))]
#[case::iac1_2_fit_440(Policy::Records, image("e500mc", Flavour::Ppc32, "booke-debug"), "440epb", Accept(&[]))]
#[case::booke_debug_on_server(Policy::Records, image("e500v2", Flavour::Ppc32, "booke-debug"), "power9",
    Refuse(&[
        "BookE debug record: image uses IAC2; target has no IAC registers",
        "BookE debug record: image uses DAC2; target has no DAC registers",
    ]))]
// hwcap: what the process observed must stay true.
#[case::records_ignores_hwcaps(Policy::Records, image("power9", Flavour::Ppc64, ""), "power8", Accept(&[]))]
#[case::isa300_hwcaps_on_power8(Policy::Hwcap, image("power9", Flavour::Ppc64, ""), "power8",
    Refuse(&[
        "PPC_FEATURE2_ARCH_3_00: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_HAS_IEEE128: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_DARN: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_SCV: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
    ]))]
#[case::power5p_family_bit_implied_by_2_06(Policy::Hwcap, image("power5+", Flavour::Ppc64, "fpr"), "power7", Accept(&[]))]
#[case::smt_carries_no_promise(Policy::Hwcap, image("power8", Flavour::Ppc64, "fpr,vmx,vsx"), "power9", Accept(&[]))]
#[case::efp_double_on_e500v1(Policy::Hwcap, image("e500v2", Flavour::Ppc32, "spe"), "e500v1",
    Refuse(&["PPC_FEATURE_HAS_EFP_DOUBLE: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it"]))]
#[case::hwcap_includes_records(Policy::Hwcap, image("power9", Flavour::Ppc64, "vsx"), "970",
    Refuse(&[
        "VSX record: image has VSX state; target lacks PPC_FEATURE_HAS_VSX",
        "PPC_FEATURE_ICACHE_SNOOP: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE_HAS_DFP: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE_ARCH_2_06: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE_HAS_VSX: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_ARCH_2_07: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_DSCR: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_EBB: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_ISEL: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_TAR: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_VEC_CRYPTO: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_ARCH_3_00: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_HAS_IEEE128: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_DARN: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
        "PPC_FEATURE2_SCV: image observed it (AT_HWCAP/AT_HWCAP2 at start); target lacks it",
    ]))]
// strict: identical capability sets only.
#[case::strict_same_model(Policy::Strict, image("power9", Flavour::Ppc64, "fpr,vmx,vsx"), "power9", Accept(&[]))]
#[case::strict_superset_refused(Policy::Strict, image("power9", Flavour::Ppc64, "fpr"), "power10",
    Refuse(&[
        "PPC_FEATURE2_ARCH_3_1: image lacks it; target has it",
        "PPC_FEATURE2_MMA: image lacks it; target has it",
        "DAWR slots: image 1; target 2",
    ]))]
fn policy_table(
    #[case] policy: Policy,
    #[case] image: Image,
    #[case] target: &str,
    #[case] want: Want,
) {
    let caps = cpu::lookup(target).unwrap().caps;
    let verdict = evaluate(policy, &image, target, &caps);
    let reasons: Vec<String> = verdict.reasons.iter().map(|r| r.to_string()).collect();
    let conversions: Vec<String> = verdict.conversions.iter().map(|c| c.to_string()).collect();
    match want {
        Accept(expected) => {
            assert!(verdict.accepted(), "expected accept, got: {reasons:#?}");
            assert_eq!(conversions, expected);
        }
        Refuse(expected) => {
            assert!(!verdict.accepted(), "expected refuse, got accept");
            assert_eq!(reasons, expected);
        }
    }
}

#[test]
fn convert_dabr_to_dawr_and_back_is_lossless() {
    let original = image("970", Flavour::Ppc64, "dabr");
    let p9 = cpu::lookup("power9").unwrap().caps;
    let (on_p9, conv) = convert(&original, "power9", &p9).unwrap();
    assert_eq!(conv.len(), 1);
    assert!(on_p9.cpu.dabr.is_none() && on_p9.cpu.dawr.is_some());
    assert!(evaluate(Policy::Records, &on_p9, "power9", &p9)
        .conversions
        .is_empty());
    let p7 = cpu::lookup("power7").unwrap().caps;
    let (back, _) = convert(&on_p9, "power7", &p7).unwrap();
    assert_eq!(
        back.cpu, original.cpu,
        "DABR -> DAWR -> DABR must be the identity"
    );
    // The converted image is still a valid image.
    Image::decode(&back.encode().unwrap()).unwrap();
}

#[test]
fn convert_explains_why_not() {
    let mut img = image("power9", Flavour::Ppc64, "dawr");
    dawr(&mut img, &[(0x60_0100, 64)]);
    let p7 = cpu::lookup("power7").unwrap().caps;
    let e = convert(&img, "power7", &p7).unwrap_err();
    assert_eq!(
        e.to_string(),
        "cannot convert for power7: DAWR record: image watches 0x600100+64 bytes, longer than the DABR's 8-byte granule; target has only a DABR"
    );
}

/// Regression (found by the simulator's survey): a one-doubleword DAWR watch
/// with DAWRX[WTI] was accepted for a DABR-only CPU, then could not be
/// converted, so the restore was `unrestorable`: an `unsafe` cell.
#[test]
fn records_accepts_only_what_convert_can_do() {
    let mut img = image("power9", Flavour::Ppc64, "dawr");
    let slot = DawrSlot {
        dawr: 0x60_0100,
        dawrx: dawrx_bits::USER | dawrx_bits::DW | dawrx_bits::WTI,
    };
    img.cpu.dawr = Some(DawrRecord::from_slots(&[slot]));
    let p7 = cpu::lookup("power7").unwrap().caps;
    let v = evaluate(Policy::Records, &img, "power7", &p7);
    assert_eq!(
        v.reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>(),
        ["DAWR record: image watches 0x600100+8 with DAWRX[WTI] set (translation must match MSR[DR]), which a DABR cannot express; target has only a DABR"]
    );
    assert!(convert(&img, "power7", &p7).is_err());
    // And for every accepting verdict, convert succeeds.
    for target in ppcr_core::cpu::CATALOGUE {
        for records in ["dabr", "dawr"] {
            for source in ["970", "power9", "power10"] {
                let kind: RecordKind = records.parse().unwrap();
                let model = cpu::lookup(source).unwrap();
                let Ok(img) = synth::image(model, Flavour::Ppc64, &[kind], 7) else {
                    continue;
                };
                if evaluate(Policy::Records, &img, target.name, &target.caps).accepted() {
                    convert(&img, target.name, &target.caps)
                        .unwrap_or_else(|e| panic!("{source} {records} -> {}: {e}", target.name));
                }
            }
        }
    }
}
