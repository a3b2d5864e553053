//! What the catalogue knows about one CPU model.

use super::caps::CapabilitySet;
use crate::format::Flavour;
use std::fmt;

/// The platform family a model boots in; decides the guest payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    /// Book3S 64-bit on the pseries machine.
    Book3s64,
    /// Book3S 32-bit (6xx/7xx/74xx/e300) on mac99 or g3beige.
    Book3s32,
    /// Freescale BookE e500 family on ppce500.
    BookE,
    /// AMCC/IBM 440 on bamboo.
    Ppc440,
}

impl Family {
    /// Short name.
    pub const fn name(self) -> &'static str {
        match self {
            Family::Book3s64 => "book3s64",
            Family::Book3s32 => "book3s32",
            Family::BookE => "booke",
            Family::Ppc440 => "ppc440",
        }
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which QEMU system emulator runs a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QemuSystem {
    /// `qemu-system-ppc`.
    Ppc,
    /// `qemu-system-ppc64`.
    Ppc64,
}

impl QemuSystem {
    /// The program name.
    pub const fn program(self) -> &'static str {
        match self {
            QemuSystem::Ppc => "qemu-system-ppc",
            QemuSystem::Ppc64 => "qemu-system-ppc64",
        }
    }
}

/// A fact of the catalogue and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// What the source establishes (e.g. "AT_HWCAP").
    pub fact: &'static str,
    /// File and symbol (e.g. "linux arch/powerpc/kernel/cpu_specs_e500mc.h: e5500").
    pub reference: &'static str,
}

/// A QEMU `-cpu` name that resolves to a catalogue model, with its PVR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variant {
    pub qemu_name: &'static str,
    pub pvr: u32,
}

/// One CPU model of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CpuModel {
    /// The catalogue name, which is also a QEMU alias.
    pub name: &'static str,
    /// The default QEMU variant (first) and other versioned names accepted.
    pub variants: &'static [Variant],
    /// Other QEMU aliases of the default variant.
    pub aliases: &'static [&'static str],
    pub family: Family,
    pub qemu: QemuSystem,
    /// The QEMU machine that boots it.
    pub machine: &'static str,
    /// The process flavours it runs.
    pub flavours: &'static [Flavour],
    pub caps: CapabilitySet,
    /// Where each fact comes from.
    pub sources: &'static [Source],
}

impl CpuModel {
    /// The default QEMU `-cpu` name.
    pub fn qemu_cpu(&self) -> &'static str {
        self.variants[0].qemu_name
    }

    /// The PVR of the default variant.
    pub fn pvr(&self) -> u32 {
        self.variants[0].pvr
    }

    /// Whether the model runs a process of this flavour.
    pub fn runs(&self, flavour: Flavour) -> bool {
        self.flavours.contains(&flavour)
    }
}

/// A name resolved against the catalogue: the model and the exact variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedCpu {
    pub model: &'static CpuModel,
    pub variant: Variant,
}
