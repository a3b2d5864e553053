//! The `hwcap` rule: every capability the process may have observed is
//! present on the target. This protects a process that chose a code path
//! from its hwcaps (glibc ifunc, AT_PLATFORM directories) before the
//! checkpoint, which no record betrays.

use super::verdict::{Reason, Subject};
use crate::cpu::{hwcap2_bits, hwcap_bits, CapabilitySet, Hwcap, Hwcap2, HwcapBit};

/// Bits that promise nothing a process can depend on, or whose promise the
/// flavour checks already cover.
pub const NO_PROMISE: Hwcap = Hwcap::PPC32
    .union(Hwcap::PPC64) // flavour check
    .union(Hwcap::HAS_MMU)
    .union(Hwcap::UNIFIED_CACHE) // unused by Linux
    .union(Hwcap::PPC_601_INSTR) // unused by Linux
    .union(Hwcap::NO_TB) // unused by Linux
    .union(Hwcap::SMT) // a topology fact, not an instruction set
    .union(Hwcap::PSERIES_PERFMON_COMPAT) // PMU event compatibility
    .union(Hwcap::TRUE_LE) // flavour check
    .union(Hwcap::PPC_LE); // the old PowerPC LE mode, unsupported by Linux

/// A bit is provided by the target when it has the bit or a later
/// architecture bit that Linux sets *instead* (cputable.h sets ARCH_2_05
/// only on 2.05 CPUs, and the family bits POWER4/5/5+ only on that family,
/// although later server CPUs implement their instructions).
fn implied_by(bit: Hwcap) -> Hwcap {
    let later_server = Hwcap::ARCH_2_05.union(Hwcap::ARCH_2_06);
    match bit {
        b if b == Hwcap::ARCH_2_05 => Hwcap::ARCH_2_06,
        b if b == Hwcap::POWER5_PLUS => later_server,
        b if b == Hwcap::POWER5 => later_server.union(Hwcap::POWER5_PLUS),
        b if b == Hwcap::POWER4 => later_server.union(Hwcap::POWER5_PLUS).union(Hwcap::POWER5),
        _ => Hwcap::empty(),
    }
}

/// Whether `target` provides an image hwcap bit.
fn provides(target: &CapabilitySet, bit: HwcapBit) -> bool {
    match bit {
        HwcapBit::Hwcap(b) => target.hwcap.contains(b) || target.hwcap.intersects(implied_by(b)),
        HwcapBit::Hwcap2(b) => target.hwcap2.contains(b),
    }
}

/// One reason per observed promise the target does not keep.
pub(crate) fn check(image_caps: &CapabilitySet, target: &CapabilitySet) -> Vec<Reason> {
    let observed = hwcap_bits(image_caps.hwcap.difference(NO_PROMISE))
        .chain(hwcap2_bits(image_caps.hwcap2.difference(Hwcap2::empty())));
    observed
        .filter(|&bit| !provides(target, bit))
        .map(|bit| Reason {
            subject: Subject::Hwcap(bit.name()),
            image: "observed it (AT_HWCAP/AT_HWCAP2 at start)".into(),
            target: "lacks it".into(),
        })
        .collect()
}
