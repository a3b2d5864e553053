//! Layer 2 — capability bits, flavours and the CPU-model catalogue.

mod caps;
mod catalogue;
mod hwcap;
mod lookup;
mod model;
pub mod msr;

pub use crate::format::Flavour;
pub use caps::CapabilitySet;
pub use catalogue::CATALOGUE;
pub use hwcap::{hwcap2_bits, hwcap_bits, short_names, Hwcap, Hwcap2, HwcapBit};
pub use lookup::{lookup, resolve, UnknownCpu};
pub use model::{CpuModel, Family, QemuSystem, ResolvedCpu, Source, Variant};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_consistent() {
        let mut names = std::collections::BTreeSet::new();
        for m in CATALOGUE {
            assert!(names.insert(m.name), "duplicate {}", m.name);
            assert!(
                !m.variants.is_empty() && !m.sources.is_empty(),
                "{}",
                m.name
            );
            // The flag words and the hwcap bits must agree.
            assert_eq!(
                m.caps.cpu64,
                m.caps.hwcap.contains(Hwcap::PPC64),
                "{}",
                m.name
            );
            assert_eq!(
                m.caps.true_le,
                m.caps.hwcap.contains(Hwcap::TRUE_LE),
                "{}",
                m.name
            );
            assert_eq!(m.runs(Flavour::Ppc64), m.caps.cpu64, "{}", m.name);
            assert_eq!(m.runs(Flavour::Ppc64le), m.caps.true_le, "{}", m.name);
            // VSX implies FPU and VMX on every CPU Linux lists.
            if m.caps.has_vsx() {
                assert!(m.caps.has_fpu() && m.caps.has_vmx(), "{}", m.name);
            }
            assert!(
                !(m.caps.has_spe() && m.caps.has_vmx()),
                "{}: SPE and VMX share MSR bit 25",
                m.name
            );
        }
        assert_eq!(CATALOGUE.len(), 17);
    }
}
