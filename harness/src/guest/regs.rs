//! Every register the gdb stub offers, read and normalised to numbers, and
//! register classes for write/read-back checks.
//!
//! The stub sends values in the vCPU's *current* byte order (MSR[LE]); at
//! the ready point that is the flavour's order, which [`ReadyGuest::order`]
//! gives. Values here are plain numbers, whatever the guest's order.

use super::boot::ReadyGuest;
use super::GuestError;
use ppcr_gdb::{GdbError, Register, RegisterValue};
use serde::Serialize;

/// What a register belongs to, from its target-description feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RegisterClass {
    /// GPRs, pc, msr, cr, lr, ctr, xer (`org.gnu.gdb.power.core`).
    Core,
    /// FPRs and FPSCR (`.fpu`).
    Fpu,
    /// VRs, VSCR, VRSAVE (`.altivec`).
    Altivec,
    /// VSR0–31 doubleword 1 (`.vsx`).
    Vsx,
    /// SPE upper halves, ACC, SPEFSCR (`.spe`).
    Spe,
    /// Special purpose registers (`org.qemu.power.spr`).
    Spr,
    /// Anything else a newer QEMU adds.
    Other,
}

impl RegisterClass {
    /// The class of a gdb feature name.
    pub fn of_feature(feature: &str) -> Self {
        match feature {
            "org.gnu.gdb.power.core" => Self::Core,
            "org.gnu.gdb.power.fpu" => Self::Fpu,
            "org.gnu.gdb.power.altivec" => Self::Altivec,
            "org.gnu.gdb.power.vsx" => Self::Vsx,
            "org.gnu.gdb.power.spe" => Self::Spe,
            "org.qemu.power.spr" => Self::Spr,
            _ => Self::Other,
        }
    }

    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Core => "core",
            Self::Fpu => "fpu",
            Self::Altivec => "altivec",
            Self::Vsx => "vsx",
            Self::Spe => "spe",
            Self::Spr => "spr",
            Self::Other => "other",
        }
    }
}

/// One register as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegisterReading {
    pub name: String,
    pub regnum: u32,
    pub bits: u32,
    pub class: RegisterClass,
    /// The value, or `None` when the stub refused to read it.
    #[serde(serialize_with = "hex_opt")]
    pub value: Option<u128>,
    /// Why the stub refused.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn hex_opt<S: serde::Serializer>(v: &Option<u128>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&format!("{v:#x}")),
        None => s.serialize_none(),
    }
}

impl RegisterReading {
    /// The value as zero-padded hex of the register's width.
    pub fn hex(&self) -> String {
        match self.value {
            Some(v) => format!("{:#0w$x}", v, w = (self.bits as usize).div_ceil(4) + 2),
            None => format!("<{}>", self.error.as_deref().unwrap_or("unreadable")),
        }
    }
}

fn gdb_order(guest: &ReadyGuest) -> ppcr_gdb::ByteOrder {
    guest.order().into()
}

/// The stub's register list (target.xml), in regnum order.
pub async fn registers(guest: &mut ReadyGuest) -> Result<Vec<Register>, GuestError> {
    let mut regs = guest.gdb.target_description().await?.registers;
    regs.sort_by_key(|r| r.regnum);
    Ok(regs)
}

/// Reads every register the stub offers. A register the stub refuses
/// (`Exx`) is reported as unreadable, not as an error of the whole dump.
pub async fn read_all(guest: &mut ReadyGuest) -> Result<Vec<RegisterReading>, GuestError> {
    let order = gdb_order(guest);
    let mut out = Vec::new();
    for r in registers(guest).await? {
        let (value, error) = match guest.gdb.read_register(r.regnum).await {
            Ok(v) => (Some(v.to_uint(order)?), None),
            Err(GdbError::ErrorReply { code, .. }) => (
                None,
                Some(code.map_or_else(|| "error reply".into(), |c| format!("E{c:02x}"))),
            ),
            Err(e) => return Err(e.into()),
        };
        out.push(RegisterReading {
            class: RegisterClass::of_feature(&r.feature),
            name: r.name,
            regnum: r.regnum,
            bits: r.bitsize,
            value,
            error,
        });
    }
    Ok(out)
}

/// Writes `value` (truncated to the register's width) into register `reg`.
pub async fn write(guest: &mut ReadyGuest, reg: &Register, value: u128) -> Result<(), GuestError> {
    let bytes = RegisterValue::from_uint(value, reg.size(), gdb_order(guest))?;
    guest
        .gdb
        .write_register(reg.regnum, bytes.as_bytes())
        .await?;
    Ok(())
}

/// Reads one register as a number.
pub async fn read(guest: &mut ReadyGuest, reg: &Register) -> Result<u128, GuestError> {
    let order = gdb_order(guest);
    Ok(guest.gdb.read_register(reg.regnum).await?.to_uint(order)?)
}
