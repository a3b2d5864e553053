//! The mailbox at 0x40_0000 (docs/GUEST.md): what a payload reports to the
//! harness, written in the guest's own byte order. The offsets mirror
//! `harness/guest/common/ppcr.inc`; a test checks they agree.

use ppcr_core::format::Flavour;
use std::fmt;

use super::GuestError;

/// Mailbox address (effective = physical in every family).
pub const MAILBOX: u64 = 0x40_0000;
/// User part (probe, workloads): loaded raw here.
pub const USER_BASE: u64 = 0x50_0000;
/// Workload data.
pub const DATA_BASE: u64 = 0x60_0000;
/// Initial stack pointer of the user part.
pub const STACK_TOP: u64 = 0x7f_fff0;
/// `"PPCR"`.
pub const MAGIC: u32 = 0x5050_4352;
/// Bytes the harness reads: the header and the probe table.
pub const MAILBOX_LEN: usize = PROBE_TABLE + PROBE_MAX * PROBE_ENTRY_SIZE;
/// Offset of the probe table.
pub const PROBE_TABLE: usize = 0x100;
/// Entries in the probe table.
pub const PROBE_MAX: usize = 32;
/// Bytes per probe entry (u32 status, u32 vector, u64 detail).
pub const PROBE_ENTRY_SIZE: usize = 16;

/// Field offsets (from [`MAILBOX`]).
pub mod offset {
    /// u32 magic.
    pub const MAGIC: usize = 0x00;
    /// u32 state.
    pub const STATE: usize = 0x04;
    /// u32 family id.
    pub const FAMILY: usize = 0x08;
    /// u32 flags.
    pub const FLAGS: usize = 0x0c;
    /// u64 last exception vector offset.
    pub const VECTOR: usize = 0x10;
    /// u64 SRR0 at that exception.
    pub const SRR0: usize = 0x18;
    /// u64 SRR1.
    pub const SRR1: usize = 0x20;
    /// u64 DSISR (Book3S) / ESR (BookE).
    pub const DSISR: usize = 0x28;
    /// u64 DAR / DEAR.
    pub const DAR: usize = 0x30;
    /// u64 workload checksum.
    pub const CHECKSUM: usize = 0x38;
    /// u64 hwcap word handed to the workload.
    pub const HWCAP: usize = 0x40;
    /// u64 resume address for a recoverable exception (0 = crash).
    pub const RESUME: usize = 0x48;
    /// u32 exception count.
    pub const EXCEPTIONS: usize = 0x50;
    /// u32 PVR.
    pub const PVR: usize = 0x54;
    /// u64 device tree address.
    pub const FDT: usize = 0x58;
    /// u64 boot hcall status.
    pub const BOOT_RC: usize = 0x60;
    /// u64 MSR the user part is entered with.
    pub const USER_MSR: usize = 0x68;
}

/// The byte order of the mailbox (the guest's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ByteOrder {
    /// Big-endian (ppc32, ppc64).
    Big,
    /// Little-endian (ppc64le).
    Little,
}

impl From<ByteOrder> for ppcr_gdb::ByteOrder {
    /// The gdb stub sends registers in the guest's current byte order.
    fn from(o: ByteOrder) -> Self {
        match o {
            ByteOrder::Big => ppcr_gdb::ByteOrder::Big,
            ByteOrder::Little => ppcr_gdb::ByteOrder::Little,
        }
    }
}

impl ByteOrder {
    /// The byte order a flavour's guest writes in.
    pub fn of(flavour: Flavour) -> Self {
        match flavour {
            Flavour::Ppc64le => ByteOrder::Little,
            Flavour::Ppc32 | Flavour::Ppc64 => ByteOrder::Big,
        }
    }

    /// A u32 at `off`.
    pub fn u32(self, b: &[u8], off: usize) -> u32 {
        let w: [u8; 4] = b[off..off + 4].try_into().expect("4 bytes");
        match self {
            ByteOrder::Big => u32::from_be_bytes(w),
            ByteOrder::Little => u32::from_le_bytes(w),
        }
    }

    /// A u64 at `off`.
    pub fn u64(self, b: &[u8], off: usize) -> u64 {
        let w: [u8; 8] = b[off..off + 8].try_into().expect("8 bytes");
        match self {
            ByteOrder::Big => u64::from_be_bytes(w),
            ByteOrder::Little => u64::from_le_bytes(w),
        }
    }

    /// `v` encoded in this order.
    pub fn u64_bytes(self, v: u64) -> [u8; 8] {
        match self {
            ByteOrder::Big => v.to_be_bytes(),
            ByteOrder::Little => v.to_le_bytes(),
        }
    }
}

/// Mailbox state word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum State {
    /// 0: the boot part has not finished.
    Booting,
    /// 1: at the ready point.
    Ready,
    /// 2: the user part runs.
    Running,
    /// 3: a workload finished.
    Done,
    /// 4: an unexpected exception.
    Crashed,
    /// 5: the probe finished.
    ProbeDone,
    /// Anything else.
    Unknown(u32),
}

impl State {
    /// Decodes the state word.
    pub fn from_word(w: u32) -> Self {
        match w {
            0 => State::Booting,
            1 => State::Ready,
            2 => State::Running,
            3 => State::Done,
            4 => State::Crashed,
            5 => State::ProbeDone,
            other => State::Unknown(other),
        }
    }
}

/// Family id word (docs/GUEST.md).
pub fn family_id(family: ppcr_core::cpu::Family) -> u32 {
    use ppcr_core::cpu::Family;
    match family {
        Family::Book3s64 => 1,
        Family::Book3s32 => 2,
        Family::BookE => 3,
        Family::Ppc440 => 4,
    }
}

/// Flag bit: the user part runs in 64-bit mode.
pub const FLAG_64BIT: u32 = 1;
/// Flag bit: the user part runs little-endian.
pub const FLAG_LE: u32 = 2;

/// The last exception the boot part recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExceptionRecord {
    /// Vector offset (0x700, ...; BookE: 0x1000 + IVOR number); 0 = none.
    pub vector: u64,
    /// SRR0 (address of the instruction, or after it for `sc`).
    pub srr0: u64,
    /// SRR1 (MSR at the exception, plus the interrupt's cause bits).
    pub srr1: u64,
    /// DSISR (Book3S) or ESR (BookE).
    pub dsisr: u64,
    /// DAR / DEAR.
    pub dar: u64,
}

impl fmt::Display for ExceptionRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "vector {:#x} at {:#x} (SRR1 {:#x}, DSISR/ESR {:#x}, DAR {:#x})",
            self.vector, self.srr0, self.srr1, self.dsisr, self.dar
        )
    }
}

/// A decoded mailbox header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mailbox {
    /// The byte order it was decoded in.
    pub order: ByteOrder,
    /// State word.
    pub state: State,
    /// Family id (1 book3s64, 2 book3s32, 3 booke, 4 ppc440).
    pub family_id: u32,
    /// Flags ([`FLAG_64BIT`], [`FLAG_LE`]).
    pub flags: u32,
    /// Last exception.
    pub exception: ExceptionRecord,
    /// Workload checksum.
    pub checksum: u64,
    /// hwcap word.
    pub hwcap: u64,
    /// Armed resume address (0 = none).
    pub resume: u64,
    /// Exceptions taken since boot.
    pub exceptions: u32,
    /// PVR as the boot part read it.
    pub pvr: u32,
    /// Device tree address from the machine (0 where there is none).
    pub fdt: u64,
    /// Boot hcall status (book3s64 ppc64le: H_SET_MODE for LE interrupts).
    pub boot_rc: u64,
    /// MSR the user part is entered with.
    pub user_msr: u64,
}

impl Mailbox {
    /// Decodes the first [`PROBE_TABLE`] bytes (or more) of the mailbox.
    /// Fails on a short buffer or a missing magic (naming what was there,
    /// including a magic in the other byte order).
    pub fn decode(bytes: &[u8], order: ByteOrder) -> Result<Mailbox, GuestError> {
        if bytes.len() < PROBE_TABLE {
            return Err(GuestError::Mailbox(format!(
                "{} bytes, need at least {PROBE_TABLE}",
                bytes.len()
            )));
        }
        let magic = order.u32(bytes, offset::MAGIC);
        if magic != MAGIC {
            let hint = if magic.swap_bytes() == MAGIC {
                " (written in the other byte order: wrong flavour?)"
            } else if magic == 0 {
                " (the boot part never got there)"
            } else {
                ""
            };
            return Err(GuestError::Mailbox(format!(
                "magic {magic:#010x}, expected {MAGIC:#010x}{hint}"
            )));
        }
        Ok(Mailbox {
            order,
            state: State::from_word(order.u32(bytes, offset::STATE)),
            family_id: order.u32(bytes, offset::FAMILY),
            flags: order.u32(bytes, offset::FLAGS),
            exception: ExceptionRecord {
                vector: order.u64(bytes, offset::VECTOR),
                srr0: order.u64(bytes, offset::SRR0),
                srr1: order.u64(bytes, offset::SRR1),
                dsisr: order.u64(bytes, offset::DSISR),
                dar: order.u64(bytes, offset::DAR),
            },
            checksum: order.u64(bytes, offset::CHECKSUM),
            hwcap: order.u64(bytes, offset::HWCAP),
            resume: order.u64(bytes, offset::RESUME),
            exceptions: order.u32(bytes, offset::EXCEPTIONS),
            pvr: order.u32(bytes, offset::PVR),
            fdt: order.u64(bytes, offset::FDT),
            boot_rc: order.u64(bytes, offset::BOOT_RC),
            user_msr: order.u64(bytes, offset::USER_MSR),
        })
    }

    /// Whether the user part runs in 64-bit mode.
    pub fn user_64bit(&self) -> bool {
        self.flags & FLAG_64BIT != 0
    }

    /// Whether the user part runs little-endian.
    pub fn user_le(&self) -> bool {
        self.flags & FLAG_LE != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(order: ByteOrder) -> Vec<u8> {
        let mut b = vec![0u8; MAILBOX_LEN];
        let put32 = |b: &mut Vec<u8>, off: usize, v: u32| {
            let bytes = match order {
                ByteOrder::Big => v.to_be_bytes(),
                ByteOrder::Little => v.to_le_bytes(),
            };
            b[off..off + 4].copy_from_slice(&bytes);
        };
        put32(&mut b, offset::MAGIC, MAGIC);
        put32(&mut b, offset::STATE, 1);
        put32(&mut b, offset::FAMILY, 1);
        put32(&mut b, offset::FLAGS, 3);
        put32(&mut b, offset::PVR, 0x004e_1202);
        b[offset::VECTOR..offset::VECTOR + 8].copy_from_slice(&order.u64_bytes(0x700));
        b[offset::USER_MSR..offset::USER_MSR + 8]
            .copy_from_slice(&order.u64_bytes(0x8000_0000_0000_1003));
        b
    }

    #[test]
    fn decodes_both_byte_orders() {
        for order in [ByteOrder::Big, ByteOrder::Little] {
            let m = Mailbox::decode(&sample(order), order).unwrap();
            assert_eq!(m.state, State::Ready);
            assert_eq!(m.pvr, 0x004e_1202);
            assert_eq!(m.exception.vector, 0x700);
            assert_eq!(m.user_msr, 0x8000_0000_0000_1003);
            assert!(m.user_64bit() && m.user_le());
        }
    }

    #[test]
    fn wrong_order_and_garbage_are_named() {
        let err = Mailbox::decode(&sample(ByteOrder::Little), ByteOrder::Big).unwrap_err();
        assert!(err.to_string().contains("other byte order"), "{err}");
        let err = Mailbox::decode(&[0u8; MAILBOX_LEN], ByteOrder::Big).unwrap_err();
        assert!(err.to_string().contains("never got there"), "{err}");
        let err = Mailbox::decode(&[0u8; 8], ByteOrder::Big).unwrap_err();
        assert!(err.to_string().contains("8 bytes"), "{err}");
    }

    /// The Rust offsets and the assembler's `.equ`s are the same contract.
    #[test]
    fn offsets_match_ppcr_inc() {
        let inc = include_str!("../../guest/common/ppcr.inc");
        let equ = |name: &str| -> u64 {
            let line = inc
                .lines()
                .find(|l| l.split_whitespace().nth(1) == Some(&format!("{name},")))
                .unwrap_or_else(|| panic!("{name} not in ppcr.inc"));
            let v = line.split_whitespace().nth(2).unwrap();
            match v.strip_prefix("0x") {
                Some(h) => u64::from_str_radix(h, 16).unwrap(),
                None => v.parse().unwrap(),
            }
        };
        assert_eq!(equ("PPCR_MAILBOX"), MAILBOX);
        assert_eq!(equ("PPCR_USER_BASE"), USER_BASE);
        assert_eq!(equ("PPCR_DATA_BASE"), DATA_BASE);
        assert_eq!(equ("PPCR_STACK_TOP"), STACK_TOP);
        assert_eq!(equ("PPCR_MAGIC"), MAGIC as u64);
        for (name, off) in [
            ("MB_MAGIC", offset::MAGIC),
            ("MB_STATE", offset::STATE),
            ("MB_FAMILY", offset::FAMILY),
            ("MB_FLAGS", offset::FLAGS),
            ("MB_VEC", offset::VECTOR),
            ("MB_SRR0", offset::SRR0),
            ("MB_SRR1", offset::SRR1),
            ("MB_DSISR", offset::DSISR),
            ("MB_DAR", offset::DAR),
            ("MB_CSUM", offset::CHECKSUM),
            ("MB_HWCAP", offset::HWCAP),
            ("MB_RESUME", offset::RESUME),
            ("MB_NEXC", offset::EXCEPTIONS),
            ("MB_PVR", offset::PVR),
            ("MB_FDT", offset::FDT),
            ("MB_BOOTRC", offset::BOOT_RC),
            ("MB_USER_MSR", offset::USER_MSR),
            ("MB_PROBE", PROBE_TABLE),
            ("PROBE_ENTRY_SIZE", PROBE_ENTRY_SIZE),
            ("PROBE_MAX", PROBE_MAX),
        ] {
            assert_eq!(equ(name), off as u64, "{name}");
        }
        for (name, st) in [
            ("PPCR_ST_BOOTING", 0),
            ("PPCR_ST_READY", 1),
            ("PPCR_ST_RUNNING", 2),
            ("PPCR_ST_DONE", 3),
            ("PPCR_ST_CRASHED", 4),
            ("PPCR_ST_PROBED", 5),
            ("PPCR_FL_64BIT", FLAG_64BIT),
            ("PPCR_FL_LE", FLAG_LE),
        ] {
            assert_eq!(equ(name), st as u64, "{name}");
        }
        use ppcr_core::cpu::Family;
        for (name, fam) in [
            ("PPCR_FAM_BOOK3S64", Family::Book3s64),
            ("PPCR_FAM_BOOK3S32", Family::Book3s32),
            ("PPCR_FAM_BOOKE", Family::BookE),
            ("PPCR_FAM_PPC440", Family::Ppc440),
        ] {
            assert_eq!(equ(name), family_id(fam) as u64, "{name}");
        }
    }
}
