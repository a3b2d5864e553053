//! Round trip: decode(encode(x)) == x and encode(decode(b)) == b.

mod common;

use ppcr_core::format::*;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decode_of_encode_is_identity(image in common::image()) {
        let bytes = image.encode().unwrap();
        prop_assert_eq!(bytes.len(), image.encoded_len());
        let back = Image::decode(&bytes).unwrap();
        prop_assert_eq!(&back, &image);
        // encode(decode(b)) == b for every valid b.
        prop_assert_eq!(back.encode().unwrap(), bytes);
    }

    #[test]
    fn newer_minor_header_extension_survives(image in common::image(), words in 1usize..4) {
        let mut image = image;
        image.header.version.minor = FORMAT_MINOR + 1;
        image.header.extension = (0..words * 8).map(|i| i as u8).collect();
        let bytes = image.encode().unwrap();
        let back = Image::decode(&bytes).unwrap();
        prop_assert_eq!(&back, &image);
        prop_assert_eq!(back.encode().unwrap(), bytes);
    }
}

fn full_image() -> Image {
    // Every record present, with distinct values so a swapped field shows.
    let seq = |start: u64| (0..).map(move |i: u64| start.wrapping_mul(i + 1) ^ (i << 7));
    let arr64 = |start: u64| -> [u64; 32] {
        let v: Vec<u64> = seq(start).take(32).collect();
        v.try_into().unwrap()
    };
    let mut slots = [0u64; PT_REGS_COUNT];
    slots
        .iter_mut()
        .zip(seq(0x1234_5678))
        .for_each(|(s, v)| *s = v & 0xffff_ffff);
    Image {
        header: Header {
            version: FormatVersion::CURRENT,
            flavour: Flavour::Ppc64,
            abi: ElfAbi::Unspecified,
            source: SourceCpu {
                model: "power9_v2.2".into(),
                pvr: 0x004e_1202,
                caps: CapabilityWords::default(),
            },
            facilities: Facilities::default(),
            workload: "mix".into(),
            extension: Vec::new(),
        },
        cpu: CpuState {
            main: MainRegs::from_slots(&slots),
            fpr: Some(FprRecord {
                fpr: arr64(3),
                fpscr: 0x8200_0000,
            }),
            vmx: Some(VmxRecord {
                vr: arr64(5).map(|v| u128::from(v) << 64 | u128::from(!v)),
                vscr: 0x0001_0001,
                vrsave: 0xffff_0000,
            }),
            vsx: Some(VsxRecord { vsr_low: arr64(7) }),
            spe: Some(SpeRecord {
                evr: arr64(11).map(|v| v as u32),
                acc: 42,
                spefscr: 0x3f,
            }),
            dabr: Some(DabrRecord {
                dabr: 0x60_0106,
                dabrx: 1,
            }),
            dawr: Some(DawrRecord::from_slots(&[
                DawrSlot {
                    dawr: 0x60_0100,
                    dawrx: 0x51,
                },
                DawrSlot {
                    dawr: 0x60_0200,
                    dawrx: 0x61 | 7 << 10,
                },
            ])),
            booke_debug: Some(BookeDebugRecord {
                dbcr0: 0x4080_0f00,
                iac: [1, 2, 3, 4],
                dac: [5, 6],
                dvc: [7, 8],
                iac_used: 0b1111,
                dac_used: 0b11,
                dvc_used: 0b01,
                ..BookeDebugRecord::default()
            }),
        },
        segments: vec![Segment {
            addr: 0x60_0000,
            flags: SegmentFlags {
                read: true,
                write: true,
                exec: false,
            },
            data: (0..=255).collect(),
        }],
    }
}

#[test]
fn every_record_combination_and_flavour_round_trips() {
    // Exhaustive: the 2^7 optional-record subsets x 3 flavours.
    let full = full_image();
    for flavour in Flavour::ALL {
        for subset in 0u32..128 {
            let mut x = full.clone();
            x.header.flavour = flavour;
            let on = |i: u32| subset & (1 << i) != 0;
            if !on(0) {
                x.cpu.fpr = None
            }
            if !on(1) {
                x.cpu.vmx = None
            }
            if !on(2) {
                x.cpu.vsx = None
            }
            if !on(3) {
                x.cpu.spe = None
            }
            if !on(4) {
                x.cpu.dabr = None
            }
            if !on(5) {
                x.cpu.dawr = None
            }
            if !on(6) {
                x.cpu.booke_debug = None
            }
            let bytes = x.encode().unwrap();
            let back = Image::decode(&bytes).unwrap();
            assert_eq!(back, x, "{flavour} subset {subset:#b}");
            assert_eq!(back.cpu.mask(), u64::from(subset) << 1 | 1);
            assert_eq!(back.encode().unwrap(), bytes);
        }
    }
}
