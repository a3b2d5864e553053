//! The capability probe (docs/GUEST.md "Probe index"): one instruction or
//! SPR/hcall test per facility, results in the mailbox probe table. This
//! enum is the Rust side of the index list in
//! `harness/guest/common/ppcr.inc` (a test checks they agree); every
//! family's probe uses the same indices.

use ppcr_core::cpu::{CapabilitySet, Family, Hwcap, Hwcap2};
use std::fmt;

use super::mailbox::{ByteOrder, PROBE_ENTRY_SIZE, PROBE_MAX, PROBE_TABLE};
use super::GuestError;

/// One probe slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum ProbeIndex {
    /// `fmr` with MSR[FP]=1.
    Fp = 0,
    /// `vor` with MSR[VEC]=1.
    Vmx = 1,
    /// `xxlor` with MSR[VSX]=1.
    Vsx = 2,
    /// `evaddw` (SPE).
    Spe = 3,
    /// `efdadd` (SPE double-precision EFP).
    EfpDouble = 4,
    /// `popcntw` (ISA 2.06).
    Isa206 = 5,
    /// `lqarx` (ISA 2.07).
    Isa207 = 6,
    /// `cmpeqb` (ISA 3.0).
    Isa300 = 7,
    /// `setbc` (ISA 3.1).
    Isa310 = 8,
    /// SPR 1013 written and read back.
    Dabr = 9,
    /// SPR 180.
    Dawr0 = 10,
    /// SPR 181.
    Dawr1 = 11,
    /// SPR 312 (BookE IAC1).
    Iac1 = 12,
    /// SPR 314 (BookE IAC3).
    Iac3 = 13,
    /// SPR 316 (BookE DAC1).
    Dac1 = 14,
    /// SPR 318 (BookE DVC1).
    Dvc1 = 15,
    /// Code run with MSR[LE] flipped (or already LE).
    LittleEndian = 16,
    /// Code run in 64-bit mode (MSR[SF] / MSR[CM]).
    Mode64 = 17,
    /// pseries H_SET_DABR accepted.
    HSetDabr = 18,
    /// pseries H_SET_XDABR accepted.
    HSetXdabr = 19,
    /// pseries H_SET_MODE DAWR0: accepted and a watched store fired.
    HDawr0 = 20,
    /// pseries H_SET_MODE DAWR1: accepted and a watched store fired.
    HDawr1 = 21,
}

impl ProbeIndex {
    /// Every index, in order.
    pub const ALL: [ProbeIndex; 22] = [
        ProbeIndex::Fp,
        ProbeIndex::Vmx,
        ProbeIndex::Vsx,
        ProbeIndex::Spe,
        ProbeIndex::EfpDouble,
        ProbeIndex::Isa206,
        ProbeIndex::Isa207,
        ProbeIndex::Isa300,
        ProbeIndex::Isa310,
        ProbeIndex::Dabr,
        ProbeIndex::Dawr0,
        ProbeIndex::Dawr1,
        ProbeIndex::Iac1,
        ProbeIndex::Iac3,
        ProbeIndex::Dac1,
        ProbeIndex::Dvc1,
        ProbeIndex::LittleEndian,
        ProbeIndex::Mode64,
        ProbeIndex::HSetDabr,
        ProbeIndex::HSetXdabr,
        ProbeIndex::HDawr0,
        ProbeIndex::HDawr1,
    ];

    /// The slot number.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The `.equ` name in ppcr.inc.
    pub const fn asm_name(self) -> &'static str {
        match self {
            ProbeIndex::Fp => "PROBE_FP",
            ProbeIndex::Vmx => "PROBE_VMX",
            ProbeIndex::Vsx => "PROBE_VSX",
            ProbeIndex::Spe => "PROBE_SPE",
            ProbeIndex::EfpDouble => "PROBE_EFPD",
            ProbeIndex::Isa206 => "PROBE_ISA206",
            ProbeIndex::Isa207 => "PROBE_ISA207",
            ProbeIndex::Isa300 => "PROBE_ISA300",
            ProbeIndex::Isa310 => "PROBE_ISA310",
            ProbeIndex::Dabr => "PROBE_DABR",
            ProbeIndex::Dawr0 => "PROBE_DAWR0",
            ProbeIndex::Dawr1 => "PROBE_DAWR1",
            ProbeIndex::Iac1 => "PROBE_IAC1",
            ProbeIndex::Iac3 => "PROBE_IAC3",
            ProbeIndex::Dac1 => "PROBE_DAC1",
            ProbeIndex::Dvc1 => "PROBE_DVC1",
            ProbeIndex::LittleEndian => "PROBE_LE",
            ProbeIndex::Mode64 => "PROBE_64BIT",
            ProbeIndex::HSetDabr => "PROBE_H_SET_DABR",
            ProbeIndex::HSetXdabr => "PROBE_H_SET_XDABR",
            ProbeIndex::HDawr0 => "PROBE_H_DAWR0",
            ProbeIndex::HDawr1 => "PROBE_H_DAWR1",
        }
    }

    /// A short lowercase name for reports.
    pub const fn name(self) -> &'static str {
        match self {
            ProbeIndex::Fp => "fp",
            ProbeIndex::Vmx => "vmx",
            ProbeIndex::Vsx => "vsx",
            ProbeIndex::Spe => "spe",
            ProbeIndex::EfpDouble => "efp-double",
            ProbeIndex::Isa206 => "isa2.06",
            ProbeIndex::Isa207 => "isa2.07",
            ProbeIndex::Isa300 => "isa3.0",
            ProbeIndex::Isa310 => "isa3.1",
            ProbeIndex::Dabr => "spr-dabr",
            ProbeIndex::Dawr0 => "spr-dawr0",
            ProbeIndex::Dawr1 => "spr-dawr1",
            ProbeIndex::Iac1 => "spr-iac1",
            ProbeIndex::Iac3 => "spr-iac3",
            ProbeIndex::Dac1 => "spr-dac1",
            ProbeIndex::Dvc1 => "spr-dvc1",
            ProbeIndex::LittleEndian => "le-mode",
            ProbeIndex::Mode64 => "64-bit-mode",
            ProbeIndex::HSetDabr => "h_set_dabr",
            ProbeIndex::HSetXdabr => "h_set_xdabr",
            ProbeIndex::HDawr0 => "h_set_mode-dawr0",
            ProbeIndex::HDawr1 => "h_set_mode-dawr1",
        }
    }
}

impl fmt::Display for ProbeIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What happened in one slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProbeStatus {
    /// 0: the probe did not get there.
    NotRun,
    /// 1: ran without an exception; `detail` is a value read back (SPR,
    /// MSR, DSISR of a fired watchpoint) or 0.
    Executed {
        /// See above.
        detail: u64,
    },
    /// 2: raised an exception.
    Trapped {
        /// Vector offset (0x700 program, 0xf20 VMX unavailable, ...; BookE
        /// 0x1000 + IVOR).
        vector: u32,
        /// SRR1 (Book3S: cause bits 0x80000 illegal, 0x40000 privileged)
        /// or ESR (BookE).
        srr1: u64,
    },
    /// 3: not applicable to this family.
    NotApplicable,
    /// 4: ran without an exception but had no effect (SPR reads back the
    /// sentinel, hcall refused: `detail` is the value or return code).
    NoEffect {
        /// See above.
        detail: u64,
    },
    /// Any other status word.
    Unknown(u32),
}

impl ProbeStatus {
    /// Whether the facility works.
    pub fn executed(&self) -> bool {
        matches!(self, ProbeStatus::Executed { .. })
    }
}

impl fmt::Display for ProbeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProbeStatus::NotRun => f.write_str("not run"),
            ProbeStatus::Executed { detail } => write!(f, "executed ({detail:#x})"),
            ProbeStatus::Trapped { vector, srr1 } => {
                write!(f, "trapped {vector:#x} (SRR1/ESR {srr1:#x})")
            }
            ProbeStatus::NotApplicable => f.write_str("n/a"),
            ProbeStatus::NoEffect { detail } => write!(f, "no effect ({detail:#x})"),
            ProbeStatus::Unknown(w) => write!(f, "unknown status {w}"),
        }
    }
}

/// The decoded probe table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeResults {
    entries: Vec<ProbeStatus>,
}

impl ProbeResults {
    /// Decodes the table from the mailbox bytes (starting at the mailbox,
    /// at least [`super::mailbox::MAILBOX_LEN`] long).
    pub fn decode(mailbox: &[u8], order: ByteOrder) -> Result<ProbeResults, GuestError> {
        let need = PROBE_TABLE + PROBE_MAX * PROBE_ENTRY_SIZE;
        if mailbox.len() < need {
            return Err(GuestError::Mailbox(format!(
                "probe table: {} bytes, need {need}",
                mailbox.len()
            )));
        }
        let entries = ProbeIndex::ALL
            .iter()
            .map(|i| {
                let off = PROBE_TABLE + i.index() * PROBE_ENTRY_SIZE;
                let status = order.u32(mailbox, off);
                let vector = order.u32(mailbox, off + 4);
                let detail = order.u64(mailbox, off + 8);
                match status {
                    0 => ProbeStatus::NotRun,
                    1 => ProbeStatus::Executed { detail },
                    2 => ProbeStatus::Trapped {
                        vector,
                        srr1: detail,
                    },
                    3 => ProbeStatus::NotApplicable,
                    4 => ProbeStatus::NoEffect { detail },
                    w => ProbeStatus::Unknown(w),
                }
            })
            .collect();
        Ok(ProbeResults { entries })
    }

    /// The status of one slot.
    pub fn get(&self, index: ProbeIndex) -> ProbeStatus {
        self.entries[index.index()]
    }

    /// Every slot with its status.
    pub fn iter(&self) -> impl Iterator<Item = (ProbeIndex, ProbeStatus)> + '_ {
        ProbeIndex::ALL.iter().map(|&i| (i, self.get(i)))
    }

    /// Slots the probe never reached.
    pub fn not_run(&self) -> Vec<ProbeIndex> {
        self.iter()
            .filter(|(_, s)| *s == ProbeStatus::NotRun)
            .map(|(i, _)| i)
            .collect()
    }

    /// What the results say about the CPU.
    pub fn findings(&self) -> Findings {
        let ok = |i| self.get(i).executed();
        let dawr_hcalls = [ProbeIndex::HDawr0, ProbeIndex::HDawr1]
            .iter()
            .filter(|&&i| ok(i))
            .count() as u8;
        let dawr_sprs = [ProbeIndex::Dawr0, ProbeIndex::Dawr1]
            .iter()
            .filter(|&&i| ok(i))
            .count() as u8;
        Findings {
            fp: ok(ProbeIndex::Fp),
            vmx: ok(ProbeIndex::Vmx),
            vsx: ok(ProbeIndex::Vsx),
            spe: ok(ProbeIndex::Spe),
            efp_double: ok(ProbeIndex::EfpDouble),
            isa206: ok(ProbeIndex::Isa206),
            isa207: ok(ProbeIndex::Isa207),
            isa300: ok(ProbeIndex::Isa300),
            isa310: ok(ProbeIndex::Isa310),
            mode64: ok(ProbeIndex::Mode64),
            little_endian: ok(ProbeIndex::LittleEndian),
            dabr: u8::from(
                ok(ProbeIndex::Dabr) || ok(ProbeIndex::HSetDabr) || ok(ProbeIndex::HSetXdabr),
            ),
            dawr: dawr_hcalls.max(dawr_sprs),
            iac: if ok(ProbeIndex::Iac3) {
                4
            } else if ok(ProbeIndex::Iac1) {
                2
            } else {
                0
            },
            dac: if ok(ProbeIndex::Dac1) { 2 } else { 0 },
            dvc: if ok(ProbeIndex::Dvc1) { 2 } else { 0 },
        }
    }
}

impl fmt::Display for ProbeResults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.iter() {
            writeln!(f, "{:>2} {:<18} {s}", i.index(), i.name())?;
        }
        Ok(())
    }
}

/// Capabilities as the probe saw them. Debug counts follow the catalogue's
/// conventions: IAC 2/4 (from IAC1/IAC3), DAC 2, DVC 2 (BookE, where slots
/// come in pairs); DABR 0/1; DAWR 0–2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Findings {
    /// FP instructions run.
    pub fp: bool,
    /// VMX instructions run.
    pub vmx: bool,
    /// VSX instructions run.
    pub vsx: bool,
    /// SPE instructions run.
    pub spe: bool,
    /// SPE double-precision EFP runs.
    pub efp_double: bool,
    /// ISA 2.06 (`popcntw`).
    pub isa206: bool,
    /// ISA 2.07 (`lqarx`).
    pub isa207: bool,
    /// ISA 3.0 (`cmpeqb`).
    pub isa300: bool,
    /// ISA 3.1 (`setbc`).
    pub isa310: bool,
    /// 64-bit mode.
    pub mode64: bool,
    /// Little-endian mode.
    pub little_endian: bool,
    /// DABR slots usable (SPR read-back or pseries hcall accepted).
    pub dabr: u8,
    /// DAWR slots that really fire (pseries: through H_SET_MODE).
    pub dawr: u8,
    /// IAC slots.
    pub iac: u8,
    /// DAC slots.
    pub dac: u8,
    /// DVC slots.
    pub dvc: u8,
}

/// One disagreement between the probe and the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// What differs (`vmx`, `dawr`, ...).
    pub what: &'static str,
    /// The catalogue's value.
    pub catalogue: String,
    /// What the probe saw.
    pub probe: String,
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: catalogue says {}, probe saw {}",
            self.what, self.catalogue, self.probe
        )
    }
}

impl Findings {
    /// Compares the facility and debug findings with a catalogue
    /// capability set. LE is left out on purpose: the catalogue's `true_le`
    /// is what Linux offers a process, while QEMU lets any Book3S model set
    /// MSR[LE] (ppcr only runs ppc64le where the catalogue lists it).
    pub fn compare(&self, family: Family, caps: &CapabilitySet) -> Vec<Mismatch> {
        let mut out = Vec::new();
        let mut b = |what: &'static str, cat: bool, probe: bool| {
            if cat != probe {
                out.push(Mismatch {
                    what,
                    catalogue: cat.to_string(),
                    probe: probe.to_string(),
                });
            }
        };
        b("fpu", caps.has_fpu(), self.fp);
        b("vmx", caps.has_vmx(), self.vmx);
        b("vsx", caps.has_vsx(), self.vsx);
        b("spe", caps.has_spe(), self.spe);
        b("64-bit", caps.cpu64, self.mode64);
        b(
            "efp-double",
            caps.hwcap.contains(Hwcap::HAS_EFP_DOUBLE),
            self.efp_double,
        );
        // ISA levels against the hwcap bits Linux derives from them. The
        // e5500/e6500 are ISA 2.06 *embedded* cores and execute the 2.06
        // probe instruction, but Linux never gives BookE ARCH_2_06 (a
        // server-category bit), so that level is compared on Book3S only.
        if matches!(family, Family::Book3s64 | Family::Book3s32) {
            b(
                "ISA 2.06",
                caps.hwcap.contains(Hwcap::ARCH_2_06),
                self.isa206,
            );
        }
        b(
            "ISA 2.07",
            caps.hwcap2.contains(Hwcap2::ARCH_2_07),
            self.isa207,
        );
        b(
            "ISA 3.0",
            caps.hwcap2.contains(Hwcap2::ARCH_3_00),
            self.isa300,
        );
        b(
            "ISA 3.1",
            caps.hwcap2.contains(Hwcap2::ARCH_3_1),
            self.isa310,
        );
        let mut n = |what: &'static str, cat: u8, probe: u8| {
            if cat != probe {
                out.push(Mismatch {
                    what,
                    catalogue: cat.to_string(),
                    probe: probe.to_string(),
                });
            }
        };
        n("dabr", caps.debug.dabr, self.dabr);
        n("dawr", caps.debug.dawr, self.dawr);
        if matches!(family, Family::BookE | Family::Ppc440) {
            n("iac", caps.debug.iac, self.iac);
            n("dac", caps.debug.dac, self.dac);
            n("dvc", caps.debug.dvc, self.dvc);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_match_ppcr_inc() {
        let inc = include_str!("../../guest/common/ppcr.inc");
        let value = |name: &str| -> Option<usize> {
            inc.lines()
                .find(|l| l.split_whitespace().nth(1) == Some(&format!("{name},")))
                .and_then(|l| l.split_whitespace().nth(2))
                .and_then(|v| v.parse().ok())
        };
        for i in ProbeIndex::ALL {
            assert_eq!(value(i.asm_name()), Some(i.index()), "{}", i.asm_name());
        }
        assert_eq!(value("PROBE_COUNT"), Some(ProbeIndex::ALL.len()));
        assert!(ProbeIndex::ALL.len() <= PROBE_MAX);
        for (name, status) in [
            ("PROBE_NOT_RUN", 0),
            ("PROBE_EXECUTED", 1),
            ("PROBE_TRAPPED", 2),
            ("PROBE_NA", 3),
            ("PROBE_NO_EFFECT", 4),
        ] {
            assert_eq!(value(name), Some(status), "{name}");
        }
    }

    fn table(order: ByteOrder, entries: &[(ProbeIndex, u32, u32, u64)]) -> Vec<u8> {
        let mut b = vec![0u8; super::super::mailbox::MAILBOX_LEN];
        for &(i, st, vec, detail) in entries {
            let off = PROBE_TABLE + i.index() * PROBE_ENTRY_SIZE;
            let (s, v) = match order {
                ByteOrder::Big => (st.to_be_bytes(), vec.to_be_bytes()),
                ByteOrder::Little => (st.to_le_bytes(), vec.to_le_bytes()),
            };
            b[off..off + 4].copy_from_slice(&s);
            b[off + 4..off + 8].copy_from_slice(&v);
            b[off + 8..off + 16].copy_from_slice(&order.u64_bytes(detail));
        }
        b
    }

    #[test]
    fn decodes_statuses_and_findings() {
        for order in [ByteOrder::Big, ByteOrder::Little] {
            let b = table(
                order,
                &[
                    (ProbeIndex::Fp, 1, 0, 0),
                    (ProbeIndex::Vmx, 2, 0x700, 0x8_1002),
                    (ProbeIndex::Dabr, 4, 0, 0x5eed_0000),
                    (ProbeIndex::Iac1, 3, 0, 0),
                    (ProbeIndex::HDawr0, 1, 0, 0x40_0000),
                    (ProbeIndex::HDawr1, 1, 0, 0x40_0000),
                    (ProbeIndex::Mode64, 1, 0, 1 << 63),
                ],
            );
            let r = ProbeResults::decode(&b, order).unwrap();
            assert_eq!(
                r.get(ProbeIndex::Vmx),
                ProbeStatus::Trapped {
                    vector: 0x700,
                    srr1: 0x8_1002
                }
            );
            assert_eq!(r.get(ProbeIndex::Iac1), ProbeStatus::NotApplicable);
            assert_eq!(r.get(ProbeIndex::Vsx), ProbeStatus::NotRun);
            let f = r.findings();
            assert!(f.fp && !f.vmx && f.mode64);
            assert_eq!((f.dabr, f.dawr), (0, 2));
            assert!(r.not_run().contains(&ProbeIndex::Vsx));
        }
    }

    #[test]
    fn compares_with_the_catalogue() {
        let p10 = ppcr_core::cpu::lookup("power10").unwrap();
        let f = Findings {
            fp: true,
            vmx: true,
            vsx: true,
            mode64: true,
            isa206: true,
            isa207: true,
            isa300: true,
            isa310: true,
            dawr: 1,
            ..Findings::default()
        };
        let m = f.compare(p10.family, &p10.caps);
        assert_eq!(m.len(), 1, "{m:?}");
        assert_eq!(m[0].what, "dawr");
        assert!(m[0].to_string().contains("catalogue says 2"));
    }
}
