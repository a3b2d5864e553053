//! The optional CPU-state records and the always-present main state.
//!
//! Sizes follow the Linux ELF note regsets (`NT_PRSTATUS`, `NT_PRFPREG`,
//! `NT_PPC_VMX`, `NT_PPC_VSX`, `NT_PPC_SPE`) so that an image maps onto a
//! core dump's notes; the debug records follow `ppc_debug_info`. Values are
//! stored as numbers in the image's fixed little-endian encoding, never as
//! raw memory of the source, so a reader needs no knowledge of the source's
//! byte order (docs/FORMAT.md §4).

use super::error::{DecodeError, EncodeError};
use super::header::Flavour;
use super::reader::{Reader, Writer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One record type, named by its bit in the record mask.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecordKind {
    /// pt_regs (NT_PRSTATUS); bit 0, always present.
    Main,
    /// fpr[32] + fpscr (NT_PRFPREG).
    Fpr,
    /// vr[32] + VSCR + VRSAVE (NT_PPC_VMX).
    Vmx,
    /// doubleword 1 of VSR0–31 (NT_PPC_VSX).
    Vsx,
    /// evr[32] + acc + spefscr (NT_PPC_SPE).
    Spe,
    /// DABR + DABRX watchpoint.
    Dabr,
    /// DAWR/DAWRX watchpoint slots.
    Dawr,
    /// BookE DBCR0–2, IAC1–4, DAC1–2, DVC1–2 and their in-use masks.
    BookeDebug,
}

impl RecordKind {
    /// Every kind, in mask-bit order.
    pub const ALL: [RecordKind; 8] = [
        RecordKind::Main,
        RecordKind::Fpr,
        RecordKind::Vmx,
        RecordKind::Vsx,
        RecordKind::Spe,
        RecordKind::Dabr,
        RecordKind::Dawr,
        RecordKind::BookeDebug,
    ];

    /// Every optional kind (all but main), in mask-bit order.
    pub const OPTIONAL: [RecordKind; 7] = [
        RecordKind::Fpr,
        RecordKind::Vmx,
        RecordKind::Vsx,
        RecordKind::Spe,
        RecordKind::Dabr,
        RecordKind::Dawr,
        RecordKind::BookeDebug,
    ];

    /// The bit of this record in the record mask.
    pub const fn bit(self) -> u32 {
        self as u32
    }

    /// The mask value of this record alone.
    pub const fn mask(self) -> u64 {
        1 << self.bit()
    }

    /// The kind for a mask bit, if this reader knows it.
    pub fn from_bit(bit: u32) -> Option<Self> {
        Self::ALL.get(bit as usize).copied()
    }

    /// The name used on the command line and in JSON.
    pub const fn name(self) -> &'static str {
        match self {
            RecordKind::Main => "main",
            RecordKind::Fpr => "fpr",
            RecordKind::Vmx => "vmx",
            RecordKind::Vsx => "vsx",
            RecordKind::Spe => "spe",
            RecordKind::Dabr => "dabr",
            RecordKind::Dawr => "dawr",
            RecordKind::BookeDebug => "booke-debug",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// The fixed payload length, or `None` when it depends on a count (DAWR).
    pub const fn fixed_len(self, flavour: Flavour) -> Option<usize> {
        match self {
            RecordKind::Main => Some(MAIN_SLOTS * flavour.word_size()),
            RecordKind::Fpr => Some(FPR_LEN),
            RecordKind::Vmx => Some(VMX_LEN),
            RecordKind::Vsx => Some(VSX_LEN),
            RecordKind::Spe => Some(SPE_LEN),
            RecordKind::Dabr => Some(DABR_LEN),
            RecordKind::Dawr => None,
            RecordKind::BookeDebug => Some(BOOKE_DEBUG_LEN),
        }
    }
}

impl std::str::FromStr for RecordKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::from_name(s).ok_or_else(|| {
            let names: Vec<_> = Self::OPTIONAL.iter().map(|k| k.name()).collect();
            format!("unknown record '{s}' (known: {})", names.join(", "))
        })
    }
}

impl fmt::Display for RecordKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RecordKind::Main => "main",
            RecordKind::Fpr => "FPR",
            RecordKind::Vmx => "VMX",
            RecordKind::Vsx => "VSX",
            RecordKind::Spe => "SPE",
            RecordKind::Dabr => "DABR",
            RecordKind::Dawr => "DAWR",
            RecordKind::BookeDebug => "BookE debug",
        })
    }
}

/// Slots of the ELF gregset (`ELF_NGREG`); slots 44–47 are zero padding.
pub const MAIN_SLOTS: usize = 48;
/// Slots of `pt_regs` that carry state (`PT_REGS_COUNT`).
pub const PT_REGS_COUNT: usize = 44;
/// fpr[32] u64 + fpscr u64.
pub const FPR_LEN: usize = 33 * 8;
/// vr[32] + VSCR quadword + VRSAVE quadword.
pub const VMX_LEN: usize = 34 * 16;
/// 32 doublewords.
pub const VSX_LEN: usize = 32 * 8;
/// evr[32] u32 + acc u64 + spefscr u32.
pub const SPE_LEN: usize = 32 * 4 + 8 + 4;
/// dabr + dabrx.
pub const DABR_LEN: usize = 16;
/// Most DAWR slots a record may carry (POWER10 has two).
pub const MAX_DAWR_SLOTS: usize = 2;
/// dbcr0–2, iac1–4, dac1–2, dvc1–2 (11 × u64), then three in-use masks and 5 reserved bytes.
pub const BOOKE_DEBUG_LEN: usize = 11 * 8 + 8;

/// The main state: the `pt_regs` slots every image carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MainRegs {
    pub gpr: [u64; 32],
    pub nip: u64,
    /// The raw source MSR, kept for inspection. A restore builds the target's
    /// MSR from the header's flavour and facilities instead (FORMAT.md §3).
    pub msr: u64,
    pub orig_gpr3: u64,
    pub ctr: u64,
    pub lr: u64,
    pub xer: u64,
    pub ccr: u64,
    /// softe on ppc64, mq on ppc32.
    pub softe: u64,
    pub trap: u64,
    pub dar: u64,
    pub dsisr: u64,
    pub result: u64,
}

impl MainRegs {
    /// The 44 pt_regs slots in PT_* order.
    pub fn slots(&self) -> [u64; PT_REGS_COUNT] {
        let mut s = [0u64; PT_REGS_COUNT];
        s[..32].copy_from_slice(&self.gpr);
        s[32..].copy_from_slice(&[
            self.nip,
            self.msr,
            self.orig_gpr3,
            self.ctr,
            self.lr,
            self.xer,
            self.ccr,
            self.softe,
            self.trap,
            self.dar,
            self.dsisr,
            self.result,
        ]);
        s
    }

    /// Builds the record from the 44 pt_regs slots.
    pub fn from_slots(s: &[u64; PT_REGS_COUNT]) -> Self {
        let mut gpr = [0u64; 32];
        gpr.copy_from_slice(&s[..32]);
        Self {
            gpr,
            nip: s[32],
            msr: s[33],
            orig_gpr3: s[34],
            ctr: s[35],
            lr: s[36],
            xer: s[37],
            ccr: s[38],
            softe: s[39],
            trap: s[40],
            dar: s[41],
            dsisr: s[42],
            result: s[43],
        }
    }

    /// The name of pt_regs slot `i` (as in `PT_*`), for messages and diffs.
    pub fn slot_name(i: usize) -> String {
        const NAMES: [&str; 12] = [
            "nip",
            "msr",
            "orig_gpr3",
            "ctr",
            "lr",
            "xer",
            "ccr",
            "softe",
            "trap",
            "dar",
            "dsisr",
            "result",
        ];
        match i {
            0..=31 => format!("r{i}"),
            32..=43 => NAMES[i - 32].to_string(),
            _ => format!("slot{i}"),
        }
    }
}

/// FP registers and FPSCR (NT_PRFPREG).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct FprRecord {
    pub fpr: [u64; 32],
    pub fpscr: u64,
}

/// Altivec registers (NT_PPC_VMX). Vector values are 128-bit numbers with
/// element 0 in the most significant bits (the architected order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VmxRecord {
    pub vr: [u128; 32],
    pub vscr: u32,
    pub vrsave: u32,
}

/// Doubleword 1 of VSR0–31 (NT_PPC_VSX); doubleword 0 is the FPR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct VsxRecord {
    pub vsr_low: [u64; 32],
}

/// SPE state (NT_PPC_SPE): upper halves of the 64-bit GPRs, ACC, SPEFSCR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SpeRecord {
    pub evr: [u32; 32],
    pub acc: u64,
    pub spefscr: u32,
}

/// One DABR watchpoint. DABR's low three bits are translate (4), write (2), read (1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DabrRecord {
    pub dabr: u64,
    pub dabrx: u64,
}

/// DABR flag bits (low bits of the DABR value).
pub mod dabr_bits {
    /// Data read match.
    pub const READ: u64 = 1;
    /// Data write match.
    pub const WRITE: u64 = 2;
    /// Data address translation enabled.
    pub const TRANSLATE: u64 = 4;
    /// The doubleword address.
    pub const ADDR_MASK: u64 = !7;
}

impl DabrRecord {
    /// Whether the watchpoint matches any access.
    pub fn is_armed(&self) -> bool {
        self.dabr & (dabr_bits::READ | dabr_bits::WRITE) != 0
    }
}

/// One DAWR slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DawrSlot {
    pub dawr: u64,
    pub dawrx: u64,
}

/// DAWRX fields, as Linux's `DAWRX_*` (`arch/powerpc/include/asm/reg.h`) and
/// `set_dawr()` (`arch/powerpc/kernel/dawr.c`: MRD at `63 - 53`).
pub mod dawrx_bits {
    /// Match in problem state.
    pub const USER: u64 = 1 << 0;
    /// Match in privileged state.
    pub const KERNEL: u64 = 1 << 1;
    /// Match in hypervisor state.
    pub const HYP: u64 = 1 << 2;
    /// Translation must match MSR[DR].
    pub const WTI: u64 = 1 << 3;
    /// Translation enabled.
    pub const WT: u64 = 1 << 4;
    /// Match data reads.
    pub const DR: u64 = 1 << 5;
    /// Match data writes.
    pub const DW: u64 = 1 << 6;
    /// Match range in doublewords minus one (MRD), 6 bits.
    pub const MRD_SHIFT: u32 = 10;
    /// Mask of MRD after shifting.
    pub const MRD_MASK: u64 = 0x3f;
}

impl DawrSlot {
    /// Start of the watched range (doubleword aligned).
    pub fn start(&self) -> u64 {
        self.dawr & !7
    }

    /// Length of the watched range in bytes (MRD+1 doublewords).
    pub fn range_len(&self) -> u64 {
        (((self.dawrx >> dawrx_bits::MRD_SHIFT) & dawrx_bits::MRD_MASK) + 1) * 8
    }

    /// Whether the slot matches any access.
    pub fn is_armed(&self) -> bool {
        self.dawrx & (dawrx_bits::DW | dawrx_bits::DR) != 0
    }

    /// Whether the range (and its flags) is expressible as one DABR watch:
    /// at most one aligned doubleword.
    pub fn fits_dabr(&self) -> bool {
        self.range_len() <= 8
    }
}

/// The DAWR slots the process had in use (count 1..=MAX_DAWR_SLOTS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DawrRecord {
    pub count: u8,
    pub slots: [DawrSlot; MAX_DAWR_SLOTS],
}

impl DawrRecord {
    /// The slots in use.
    pub fn used(&self) -> &[DawrSlot] {
        &self.slots[..usize::from(self.count).min(MAX_DAWR_SLOTS)]
    }

    /// A record with the given slots (1 or 2).
    pub fn from_slots(used: &[DawrSlot]) -> Self {
        let mut slots = [DawrSlot::default(); MAX_DAWR_SLOTS];
        let count = used.len().min(MAX_DAWR_SLOTS);
        slots[..count].copy_from_slice(&used[..count]);
        Self {
            count: count as u8,
            slots,
        }
    }
}

/// BookE debug registers. In-use masks: bit i set = register i+1 in use
/// (IAC1 is bit 0). The counts used, not the CPU's counts, decide the target's needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct BookeDebugRecord {
    pub dbcr0: u64,
    pub dbcr1: u64,
    pub dbcr2: u64,
    pub iac: [u64; 4],
    pub dac: [u64; 2],
    pub dvc: [u64; 2],
    pub iac_used: u8,
    pub dac_used: u8,
    pub dvc_used: u8,
}

impl BookeDebugRecord {
    /// Highest IAC number in use (0 = none). IAC3 alone still needs four IACs.
    pub fn highest_iac(&self) -> u8 {
        highest(self.iac_used)
    }
    /// Highest DAC number in use.
    pub fn highest_dac(&self) -> u8 {
        highest(self.dac_used)
    }
    /// Highest DVC number in use.
    pub fn highest_dvc(&self) -> u8 {
        highest(self.dvc_used)
    }
}

fn highest(mask: u8) -> u8 {
    (8 - mask.leading_zeros()) as u8
}

// ---- encoding -------------------------------------------------------------

pub(crate) fn encode_main(
    w: &mut Writer,
    m: &MainRegs,
    flavour: Flavour,
) -> Result<(), EncodeError> {
    let slots = m.slots();
    if flavour.word_size() == 4 {
        for (i, &v) in slots.iter().enumerate() {
            let v32 = u32::try_from(v).map_err(|_| EncodeError::ValueTooWide {
                field: MainRegs::slot_name(i),
                value: v,
            })?;
            w.u32(v32);
        }
        w.zeros((MAIN_SLOTS - PT_REGS_COUNT) * 4);
    } else {
        for &v in &slots {
            w.u64(v);
        }
        w.zeros((MAIN_SLOTS - PT_REGS_COUNT) * 8);
    }
    Ok(())
}

pub(crate) fn decode_main(r: &mut Reader<'_>, flavour: Flavour) -> Result<MainRegs, DecodeError> {
    let mut slots = [0u64; PT_REGS_COUNT];
    for slot in &mut slots {
        *slot = if flavour.word_size() == 4 {
            u64::from(r.u32("main state slot")?)
        } else {
            r.u64("main state slot")?
        };
    }
    r.zeros(
        (MAIN_SLOTS - PT_REGS_COUNT) * flavour.word_size(),
        "main state padding slots 44-47",
    )?;
    Ok(MainRegs::from_slots(&slots))
}

pub(crate) fn encode_fpr(w: &mut Writer, f: &FprRecord) {
    f.fpr.iter().for_each(|&v| w.u64(v));
    w.u64(f.fpscr);
}

pub(crate) fn decode_fpr(r: &mut Reader<'_>) -> Result<FprRecord, DecodeError> {
    let mut f = FprRecord::default();
    for v in &mut f.fpr {
        *v = r.u64("FPR")?;
    }
    f.fpscr = r.u64("FPSCR")?;
    Ok(f)
}

pub(crate) fn encode_vmx(w: &mut Writer, v: &VmxRecord) {
    v.vr.iter().for_each(|&x| w.u128(x));
    w.u128(u128::from(v.vscr));
    w.u128(u128::from(v.vrsave));
}

pub(crate) fn decode_vmx(r: &mut Reader<'_>) -> Result<VmxRecord, DecodeError> {
    let mut v = VmxRecord::default();
    for x in &mut v.vr {
        *x = r.u128("VR")?;
    }
    v.vscr = r.u32("VSCR")?;
    r.zeros(12, "VSCR quadword upper bytes")?;
    v.vrsave = r.u32("VRSAVE")?;
    r.zeros(12, "VRSAVE quadword upper bytes")?;
    Ok(v)
}

pub(crate) fn encode_vsx(w: &mut Writer, v: &VsxRecord) {
    v.vsr_low.iter().for_each(|&x| w.u64(x));
}

pub(crate) fn decode_vsx(r: &mut Reader<'_>) -> Result<VsxRecord, DecodeError> {
    let mut v = VsxRecord::default();
    for x in &mut v.vsr_low {
        *x = r.u64("VSR doubleword 1")?;
    }
    Ok(v)
}

pub(crate) fn encode_spe(w: &mut Writer, s: &SpeRecord) {
    s.evr.iter().for_each(|&x| w.u32(x));
    w.u64(s.acc);
    w.u32(s.spefscr);
}

pub(crate) fn decode_spe(r: &mut Reader<'_>) -> Result<SpeRecord, DecodeError> {
    let mut s = SpeRecord::default();
    for x in &mut s.evr {
        *x = r.u32("EVR")?;
    }
    s.acc = r.u64("ACC")?;
    s.spefscr = r.u32("SPEFSCR")?;
    Ok(s)
}

pub(crate) fn encode_dabr(w: &mut Writer, d: &DabrRecord) {
    w.u64(d.dabr);
    w.u64(d.dabrx);
}

pub(crate) fn decode_dabr(r: &mut Reader<'_>) -> Result<DabrRecord, DecodeError> {
    Ok(DabrRecord {
        dabr: r.u64("DABR")?,
        dabrx: r.u64("DABRX")?,
    })
}

pub(crate) fn dawr_len(count: usize) -> usize {
    8 + 16 * count
}

pub(crate) fn check_dawr(d: &DawrRecord) -> Result<(), EncodeError> {
    let count = usize::from(d.count);
    if count == 0 || count > MAX_DAWR_SLOTS {
        return Err(EncodeError::BadDawrCount {
            count,
            max: MAX_DAWR_SLOTS,
        });
    }
    Ok(())
}

pub(crate) fn encode_dawr(w: &mut Writer, d: &DawrRecord) {
    w.u32(u32::from(d.count));
    w.u32(0);
    for s in d.used() {
        w.u64(s.dawr);
        w.u64(s.dawrx);
    }
}

/// Decodes a DAWR record whose frame declared `len` bytes.
pub(crate) fn decode_dawr(r: &mut Reader<'_>, len: usize) -> Result<DawrRecord, DecodeError> {
    let offset = r.offset() as u64;
    let count = r.u32("DAWR slot count")?;
    if count == 0 || count as usize > MAX_DAWR_SLOTS {
        return Err(DecodeError::BadDawrCount {
            offset,
            count,
            max: MAX_DAWR_SLOTS as u32,
        });
    }
    let expected = dawr_len(count as usize);
    if len != expected {
        return Err(DecodeError::BadRecordLength {
            record: RecordKind::Dawr,
            offset,
            expected: expected as u64,
            found: len as u64,
        });
    }
    r.zeros(4, "DAWR reserved word")?;
    let mut d = DawrRecord {
        count: count as u8,
        ..DawrRecord::default()
    };
    for s in d.slots.iter_mut().take(count as usize) {
        s.dawr = r.u64("DAWR")?;
        s.dawrx = r.u64("DAWRX")?;
    }
    Ok(d)
}

pub(crate) fn check_booke(d: &BookeDebugRecord) -> Result<(), EncodeError> {
    for (field, value, max) in booke_masks(d) {
        if u32::from(value) >> max != 0 {
            return Err(EncodeError::BadDebugMask { field, value, max });
        }
    }
    Ok(())
}

fn booke_masks(d: &BookeDebugRecord) -> [(&'static str, u8, u8); 3] {
    [
        ("IAC", d.iac_used, 4),
        ("DAC", d.dac_used, 2),
        ("DVC", d.dvc_used, 2),
    ]
}

pub(crate) fn encode_booke(w: &mut Writer, d: &BookeDebugRecord) {
    for v in [d.dbcr0, d.dbcr1, d.dbcr2] {
        w.u64(v);
    }
    d.iac
        .iter()
        .chain(&d.dac)
        .chain(&d.dvc)
        .for_each(|&v| w.u64(v));
    w.u8(d.iac_used);
    w.u8(d.dac_used);
    w.u8(d.dvc_used);
    w.zeros(5);
}

pub(crate) fn decode_booke(r: &mut Reader<'_>) -> Result<BookeDebugRecord, DecodeError> {
    let mut d = BookeDebugRecord {
        dbcr0: r.u64("DBCR0")?,
        dbcr1: r.u64("DBCR1")?,
        dbcr2: r.u64("DBCR2")?,
        ..BookeDebugRecord::default()
    };
    for v in &mut d.iac {
        *v = r.u64("IAC")?;
    }
    for v in &mut d.dac {
        *v = r.u64("DAC")?;
    }
    for v in &mut d.dvc {
        *v = r.u64("DVC")?;
    }
    let offset = r.offset() as u64;
    d.iac_used = r.u8("IAC in-use mask")?;
    d.dac_used = r.u8("DAC in-use mask")?;
    d.dvc_used = r.u8("DVC in-use mask")?;
    r.zeros(5, "BookE debug reserved bytes")?;
    for (field, value, max) in booke_masks(&d) {
        if u32::from(value) >> max != 0 {
            return Err(DecodeError::BadDebugMask {
                offset,
                field,
                value,
                max,
            });
        }
    }
    Ok(d)
}
