//! Strategies shared by the format tests.
#![allow(dead_code)]

pub mod corrupt;

use ppcr_core::format::*;
use proptest::prelude::*;

fn name(allow_empty: bool) -> impl Strategy<Value = String> {
    let min = if allow_empty { 0 } else { 1 };
    proptest::collection::vec(proptest::char::range('!', '~'), min..=MAX_NAME_LEN)
        .prop_map(|v| v.into_iter().collect())
}

fn flavour() -> impl Strategy<Value = Flavour> {
    prop_oneof![
        Just(Flavour::Ppc32),
        Just(Flavour::Ppc64),
        Just(Flavour::Ppc64le)
    ]
}

fn main_regs(flavour: Flavour) -> impl Strategy<Value = MainRegs> {
    let word = if flavour.is_64bit() {
        u64::MAX
    } else {
        u32::MAX as u64
    };
    proptest::collection::vec(0..=word, PT_REGS_COUNT).prop_map(|v| {
        let mut slots = [0u64; PT_REGS_COUNT];
        slots.copy_from_slice(&v);
        MainRegs::from_slots(&slots)
    })
}

fn u64s<const N: usize>() -> impl Strategy<Value = [u64; N]> {
    proptest::collection::vec(any::<u64>(), N).prop_map(|v| v.try_into().unwrap())
}

fn records() -> impl Strategy<
    Value = (
        Option<FprRecord>,
        Option<VmxRecord>,
        Option<VsxRecord>,
        Option<SpeRecord>,
    ),
> {
    (
        proptest::option::of(
            (u64s::<32>(), any::<u64>()).prop_map(|(fpr, fpscr)| FprRecord { fpr, fpscr }),
        ),
        proptest::option::of(
            (
                proptest::collection::vec(any::<u128>(), 32),
                any::<u32>(),
                any::<u32>(),
            )
                .prop_map(|(vr, vscr, vrsave)| VmxRecord {
                    vr: vr.try_into().unwrap(),
                    vscr,
                    vrsave,
                }),
        ),
        proptest::option::of(u64s::<32>().prop_map(|vsr_low| VsxRecord { vsr_low })),
        proptest::option::of(
            (
                proptest::collection::vec(any::<u32>(), 32),
                any::<u64>(),
                any::<u32>(),
            )
                .prop_map(|(evr, acc, spefscr)| SpeRecord {
                    evr: evr.try_into().unwrap(),
                    acc,
                    spefscr,
                }),
        ),
    )
}

fn debug_records() -> impl Strategy<
    Value = (
        Option<DabrRecord>,
        Option<DawrRecord>,
        Option<BookeDebugRecord>,
    ),
> {
    (
        proptest::option::of(
            (any::<u64>(), any::<u64>()).prop_map(|(dabr, dabrx)| DabrRecord { dabr, dabrx }),
        ),
        proptest::option::of(
            proptest::collection::vec((any::<u64>(), any::<u64>()), 1..=MAX_DAWR_SLOTS).prop_map(
                |v| {
                    let slots: Vec<_> = v
                        .into_iter()
                        .map(|(dawr, dawrx)| DawrSlot { dawr, dawrx })
                        .collect();
                    DawrRecord::from_slots(&slots)
                },
            ),
        ),
        proptest::option::of((u64s::<11>(), 0u8..16, 0u8..4, 0u8..4).prop_map(
            |(v, iac_used, dac_used, dvc_used)| BookeDebugRecord {
                dbcr0: v[0],
                dbcr1: v[1],
                dbcr2: v[2],
                iac: [v[3], v[4], v[5], v[6]],
                dac: [v[7], v[8]],
                dvc: [v[9], v[10]],
                iac_used,
                dac_used,
                dvc_used,
            },
        )),
    )
}

fn segments() -> impl Strategy<Value = Vec<Segment>> {
    proptest::collection::vec(
        (
            0u64..0x1000,
            proptest::collection::vec(any::<u8>(), 0..64),
            0u32..8,
        ),
        0..4,
    )
    .prop_map(|v| {
        let mut addr = 0u64;
        v.into_iter()
            .map(|(gap, data, flags)| {
                addr += gap;
                let s = Segment {
                    addr,
                    flags: SegmentFlags {
                        read: flags & 1 != 0,
                        write: flags & 2 != 0,
                        exec: flags & 4 != 0,
                    },
                    data,
                };
                addr += s.data.len() as u64;
                s
            })
            .collect()
    })
}

/// Any valid image, every record combination and flavour.
pub fn image() -> impl Strategy<Value = Image> {
    flavour().prop_flat_map(|flavour| {
        (
            main_regs(flavour),
            records(),
            debug_records(),
            segments(),
            name(false),
            name(true),
            (
                any::<u32>(),
                any::<u32>(),
                any::<u32>(),
                any::<bool>(),
                any::<bool>(),
                any::<[u8; 5]>(),
                0u32..64,
            ),
            any::<u8>(),
        )
            .prop_map(
                move |(
                    main,
                    (fpr, vmx, vsx, spe),
                    (dabr, dawr, booke_debug),
                    segments,
                    model,
                    workload,
                    caps,
                    abi,
                )| {
                    let (pvr, hwcap, hwcap2, cpu64, true_le, d, fac) = caps;
                    let abi = match (flavour, abi % 3) {
                        (Flavour::Ppc32, _) => ElfAbi::Unspecified,
                        (Flavour::Ppc64le, 0) => ElfAbi::Unspecified,
                        (Flavour::Ppc64le, _) => ElfAbi::V2,
                        (_, 0) => ElfAbi::Unspecified,
                        (_, 1) => ElfAbi::V1,
                        _ => ElfAbi::V2,
                    };
                    Image {
                        header: Header {
                            version: FormatVersion {
                                major: FORMAT_MAJOR,
                                minor: FORMAT_MINOR,
                            },
                            flavour,
                            abi,
                            source: SourceCpu {
                                model,
                                pvr,
                                caps: CapabilityWords {
                                    hwcap,
                                    hwcap2,
                                    cpu64,
                                    true_le,
                                    debug: DebugCounts {
                                        dabr: d[0],
                                        dawr: d[1],
                                        iac: d[2],
                                        dac: d[3],
                                        dvc: d[4],
                                    },
                                },
                            },
                            facilities: Facilities::from_word(fac).unwrap(),
                            workload,
                            extension: Vec::new(),
                        },
                        cpu: CpuState {
                            main,
                            fpr,
                            vmx,
                            vsx,
                            spe,
                            dabr,
                            dawr,
                            booke_debug,
                        },
                        segments,
                    }
                },
            )
    })
}

/// Valid images of every flavour with every record, from the catalogue.
pub fn seeds() -> Vec<Image> {
    use ppcr_core::{cpu, synth};
    let cases: [(&str, Flavour, &[&str]); 5] = [
        ("power10", Flavour::Ppc64le, &["fpr", "vmx", "vsx", "dawr"]),
        ("970", Flavour::Ppc64, &["fpr", "vmx", "dabr"]),
        ("e500v2", Flavour::Ppc32, &["spe", "booke-debug"]),
        ("440epb", Flavour::Ppc32, &["fpr", "booke-debug"]),
        ("power9", Flavour::Ppc32, &[]),
    ];
    cases
        .iter()
        .enumerate()
        .map(|(i, (m, f, r))| {
            let records: Vec<RecordKind> = r.iter().map(|n| n.parse().unwrap()).collect();
            synth::image(cpu::lookup(m).unwrap(), *f, &records, i as u64).unwrap()
        })
        .collect()
}
