//! Register access through the gdb stub by name (QEMU's target description),
//! normalised to numbers. QEMU sends register bytes in the vCPU's current
//! byte order (FACTS B§6); the caller fixes it from the flavour, which is
//! the order both the boot part and the user part run in.

use ppcr_gdb::{ByteOrder, Client, RegisterValue, TargetDescription};
use tokio::net::UnixStream;

use super::SimError;
use crate::guest::ByteOrder as GuestOrder;
use ppcr_core::format::Flavour;

/// The stub's register set and the byte order of its payloads.
pub(crate) struct Regs {
    pub td: TargetDescription,
    pub order: ByteOrder,
}

/// A register write the target refused or cannot take.
#[derive(Debug)]
pub(crate) struct Refused {
    pub register: String,
    pub why: String,
}

impl Regs {
    pub async fn new(gdb: &mut Client<UnixStream>, flavour: Flavour) -> Result<Regs, SimError> {
        let td = gdb.target_description().await?;
        let order = GuestOrder::of(flavour).into();
        Ok(Regs { td, order })
    }

    pub fn has(&self, name: &str) -> bool {
        self.td.register(name).is_some()
    }

    /// Reads `name` as a number; `None` when the stub has no such register.
    pub async fn read(
        &self,
        gdb: &mut Client<UnixStream>,
        name: &str,
    ) -> Result<Option<u128>, SimError> {
        let Some(r) = self.td.register(name) else {
            return Ok(None);
        };
        let v = gdb.read_register(r.regnum).await?;
        // 16-byte vector registers too: the whole quadword in the guest's
        // byte order (verified: LE sends doubleword 1 first).
        Ok(Some(v.to_uint(self.order)?))
    }

    /// Reads `name`, 0 when absent.
    pub async fn read_or0(
        &self,
        gdb: &mut Client<UnixStream>,
        name: &str,
    ) -> Result<u64, SimError> {
        Ok(self.read(gdb, name).await?.unwrap_or(0) as u64)
    }

    /// Reads `name`, which must exist.
    pub async fn read_req(
        &self,
        gdb: &mut Client<UnixStream>,
        name: &str,
    ) -> Result<u128, SimError> {
        self.read(gdb, name)
            .await?
            .ok_or_else(|| SimError::Source(format!("the gdb stub has no register {name}")))
    }

    /// Writes `value` (truncated to the register's width) into `name`.
    pub async fn write(
        &self,
        gdb: &mut Client<UnixStream>,
        name: &str,
        value: u128,
    ) -> Result<Result<(), Refused>, SimError> {
        let Some(r) = self.td.register(name) else {
            return Ok(Err(Refused {
                register: name.to_string(),
                why: "the target's gdb stub has no such register".into(),
            }));
        };
        let bytes = RegisterValue::from_uint(value, r.size(), self.order)?;
        match gdb.write_register(r.regnum, bytes.as_bytes()).await {
            Ok(()) => Ok(Ok(())),
            Err(e @ ppcr_gdb::GdbError::ErrorReply { .. }) => Ok(Err(Refused {
                register: name.to_string(),
                why: e.to_string(),
            })),
            Err(e) => Err(e.into()),
        }
    }
}
