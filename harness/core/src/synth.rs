//! Synthetic images: valid, deterministic images for a catalogue model,
//! so that policies, tests and users can work without a guest.

use crate::cpu::{CpuModel, Family};
use crate::format::{
    dabr_bits, dawrx_bits, BookeDebugRecord, CpuState, DabrRecord, DawrRecord, DawrSlot, ElfAbi,
    Facilities, Flavour, FormatVersion, FprRecord, Header, Image, MainRegs, RecordKind, Segment,
    SegmentFlags, SourceCpu, SpeRecord, VmxRecord, VsxRecord,
};
use thiserror::Error;

/// Fixed addresses of the guest memory map (docs/GUEST.md).
pub const USER_CODE: u64 = 0x0050_0000;
/// Workload data.
pub const USER_DATA: u64 = 0x0060_0000;
/// Initial stack top.
pub const USER_STACK: u64 = 0x007f_fff0;

/// Why a synthetic image cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SynthError {
    /// The model does not run that flavour.
    #[error("{model} cannot run a {flavour} process (it runs {runs})")]
    FlavourNotRun {
        model: &'static str,
        flavour: Flavour,
        runs: String,
    },
    /// The model cannot produce that record.
    #[error("{model} cannot produce a {record} record: {why}")]
    RecordNotProducible {
        model: &'static str,
        record: RecordKind,
        why: &'static str,
    },
}

/// A small deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn word(&mut self, flavour: Flavour) -> u64 {
        let v = self.next();
        if flavour.is_64bit() {
            v
        } else {
            v & 0xffff_ffff
        }
    }
    fn quad(&mut self) -> u128 {
        u128::from(self.next()) << 64 | u128::from(self.next())
    }
}

/// Checks that `model` can produce `record` at all.
pub fn producible(model: &'static CpuModel, record: RecordKind) -> Result<(), SynthError> {
    let caps = &model.caps;
    let (ok, why) = match record {
        RecordKind::Main => (true, ""),
        RecordKind::Fpr => (caps.has_fpu(), "no hardware FPU (PPC_FEATURE_HAS_FPU)"),
        RecordKind::Vmx => (caps.has_vmx(), "no Altivec (PPC_FEATURE_HAS_ALTIVEC)"),
        RecordKind::Vsx => (caps.has_vsx(), "no VSX (PPC_FEATURE_HAS_VSX)"),
        RecordKind::Spe => (caps.has_spe(), "no SPE (PPC_FEATURE_HAS_SPE)"),
        RecordKind::Dabr => (caps.debug.dabr > 0, "no DABR"),
        RecordKind::Dawr => (caps.debug.dawr > 0, "no DAWR"),
        RecordKind::BookeDebug => (caps.debug.iac > 0, "no BookE IAC/DAC registers"),
    };
    if ok {
        Ok(())
    } else {
        Err(SynthError::RecordNotProducible {
            model: model.name,
            record,
            why,
        })
    }
}

/// The MSR a process of this flavour with these facilities would show on
/// `model`.
pub fn plausible_msr(model: &CpuModel, flavour: Flavour, f: &Facilities) -> u64 {
    use crate::cpu::msr;
    let bit = |on: bool, b: u32| if on { 1u64 << b } else { 0 };
    let mut base = 1 << msr::EE | 1 << msr::PR | 1 << msr::ME;
    match model.family {
        Family::Book3s64 | Family::Book3s32 => {
            base |= 1 << msr::IR | 1 << msr::DR | 1 << msr::RI;
            base |= bit(flavour.is_64bit(), msr::SF) | bit(flavour.is_little_endian(), msr::LE);
        }
        Family::BookE | Family::Ppc440 => base |= bit(flavour.is_64bit(), msr::CM),
    }
    msr::with_facilities(base, model.family, &model.caps, f)
}

/// A valid image of `model` running a `flavour` process that has `records`
/// live, with register contents derived from `seed`.
pub fn image(
    model: &'static CpuModel,
    flavour: Flavour,
    records: &[RecordKind],
    seed: u64,
) -> Result<Image, SynthError> {
    if !model.runs(flavour) {
        return Err(SynthError::FlavourNotRun {
            model: model.name,
            flavour,
            runs: model
                .flavours
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    for &r in records {
        producible(model, r)?;
    }
    let has = |k| records.contains(&k);
    let mut rng = Rng(seed ^ 0x7070_6372); // "ppcr"
    let facilities = Facilities {
        fp: has(RecordKind::Fpr) || has(RecordKind::Vsx),
        vec: has(RecordKind::Vmx) || has(RecordKind::Vsx),
        vsx: has(RecordKind::Vsx),
        spe: has(RecordKind::Spe),
        fe0: false,
        fe1: false,
    };
    let mut main = MainRegs::default();
    for g in &mut main.gpr {
        *g = rng.word(flavour);
    }
    main.gpr[1] = USER_STACK - 0x100;
    main.nip = USER_CODE + 4 * (rng.next() % 256);
    main.msr = plausible_msr(model, flavour, &facilities);
    main.ctr = rng.word(flavour);
    main.lr = USER_CODE + 4 * (rng.next() % 256);
    main.xer = rng.next() & 0xe000_007f;
    main.ccr = rng.next() & 0xffff_ffff;
    main.softe = u64::from(flavour.is_64bit());
    main.orig_gpr3 = main.gpr[3];

    let mut cpu = CpuState {
        main,
        ..CpuState::default()
    };
    if has(RecordKind::Fpr) {
        let mut f = FprRecord::default();
        f.fpr.iter_mut().for_each(|v| *v = rng.next());
        f.fpscr = rng.next() & 0x0000_0000_ffff_f0ff;
        cpu.fpr = Some(f);
    }
    if has(RecordKind::Vmx) {
        let mut v = VmxRecord::default();
        v.vr.iter_mut().for_each(|x| *x = rng.quad());
        v.vscr = (rng.next() & 1) as u32 | 0x0001_0000;
        v.vrsave = 0xffff_ffff;
        cpu.vmx = Some(v);
    }
    if has(RecordKind::Vsx) {
        let mut v = VsxRecord::default();
        v.vsr_low.iter_mut().for_each(|x| *x = rng.next());
        cpu.vsx = Some(v);
    }
    if has(RecordKind::Spe) {
        let mut s = SpeRecord::default();
        s.evr.iter_mut().for_each(|x| *x = rng.next() as u32);
        s.acc = rng.next();
        s.spefscr = (rng.next() & 0x0000_003f) as u32;
        cpu.spe = Some(s);
    }
    let watch = USER_DATA + 8 * (rng.next() % 64);
    if has(RecordKind::Dabr) {
        cpu.dabr = Some(DabrRecord {
            dabr: watch | dabr_bits::WRITE | dabr_bits::TRANSLATE,
            dabrx: dawrx_bits::USER,
        });
    }
    if has(RecordKind::Dawr) {
        cpu.dawr = Some(DawrRecord::from_slots(&[DawrSlot {
            dawr: watch,
            dawrx: dawrx_bits::USER | dawrx_bits::DW | dawrx_bits::WT,
        }]));
    }
    if has(RecordKind::BookeDebug) {
        let d = model.caps.debug;
        let mask = |n: u8| ((1u16 << n.min(8)) - 1) as u8;
        let mut b = BookeDebugRecord {
            // DBCR0[IDM] and the IAC/DAC enable bits the process set.
            dbcr0: 0x4000_0000 | 0x0080_0000 | 0x0000_0f00,
            iac_used: mask(d.iac.min(4)),
            dac_used: mask(d.dac.min(2)),
            dvc_used: mask(d.dvc.min(2)),
            ..BookeDebugRecord::default()
        };
        for (i, v) in b.iac.iter_mut().enumerate().take(usize::from(d.iac.min(4))) {
            *v = USER_CODE + 0x40 * i as u64;
        }
        for (i, v) in b.dac.iter_mut().enumerate().take(usize::from(d.dac.min(2))) {
            *v = USER_DATA + 0x80 * i as u64;
        }
        for v in b.dvc.iter_mut().take(usize::from(d.dvc.min(2))) {
            *v = rng.next() & 0xffff_ffff;
        }
        cpu.booke_debug = Some(b);
    }
    let mut code = vec![0u8; 64];
    for chunk in code.chunks_mut(4) {
        chunk.copy_from_slice(&0x6000_0000u32.to_be_bytes()); // nop
    }
    let data: Vec<u8> = (0..256).map(|_| rng.next() as u8).collect();
    let rx = SegmentFlags {
        read: true,
        write: false,
        exec: true,
    };
    let rw = SegmentFlags {
        read: true,
        write: true,
        exec: false,
    };
    Ok(Image {
        header: Header {
            version: FormatVersion::CURRENT,
            flavour,
            abi: ElfAbi::usual_for(flavour),
            source: SourceCpu {
                model: model.qemu_cpu().to_string(),
                pvr: model.pvr(),
                caps: model.caps.to_words(),
            },
            facilities,
            workload: "synthetic".into(),
            extension: Vec::new(),
        },
        cpu,
        segments: vec![
            Segment {
                addr: USER_CODE,
                flags: rx,
                data: code,
            },
            Segment {
                addr: USER_DATA,
                flags: rw,
                data,
            },
        ],
    })
}
