//! A CPU's capability set: hwcap words plus 64-bit, true-LE and debug resources.

use super::hwcap::{Hwcap, Hwcap2};
use crate::format::{CapabilityWords, DebugCounts};

/// What a CPU offers a process (DESIGN §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CapabilitySet {
    pub hwcap: Hwcap,
    pub hwcap2: Hwcap2,
    /// The CPU can run 64-bit processes.
    pub cpu64: bool,
    /// The CPU can run true little-endian processes.
    pub true_le: bool,
    pub debug: DebugCounts,
}

impl CapabilitySet {
    /// The raw words stored in an image header.
    pub fn to_words(self) -> CapabilityWords {
        CapabilityWords {
            hwcap: self.hwcap.bits(),
            hwcap2: self.hwcap2.bits(),
            cpu64: self.cpu64,
            true_le: self.true_le,
            debug: self.debug,
        }
    }

    /// Names the bits of raw header words (unknown bits are kept).
    pub fn from_words(w: CapabilityWords) -> Self {
        Self {
            hwcap: Hwcap::from_bits_retain(w.hwcap),
            hwcap2: Hwcap2::from_bits_retain(w.hwcap2),
            cpu64: w.cpu64,
            true_le: w.true_le,
            debug: w.debug,
        }
    }

    /// Whether the CPU has a hardware FPU.
    pub fn has_fpu(&self) -> bool {
        self.hwcap.contains(Hwcap::HAS_FPU)
    }
    /// Whether the CPU has Altivec/VMX.
    pub fn has_vmx(&self) -> bool {
        self.hwcap.contains(Hwcap::HAS_ALTIVEC)
    }
    /// Whether the CPU has VSX.
    pub fn has_vsx(&self) -> bool {
        self.hwcap.contains(Hwcap::HAS_VSX)
    }
    /// Whether the CPU has SPE.
    pub fn has_spe(&self) -> bool {
        self.hwcap.contains(Hwcap::HAS_SPE)
    }
}

/// Debug counts in `const` context.
pub(crate) const fn debug(dabr: u8, dawr: u8, iac: u8, dac: u8, dvc: u8) -> DebugCounts {
    DebugCounts {
        dabr,
        dawr,
        iac,
        dac,
        dvc,
    }
}
