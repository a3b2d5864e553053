//! AT_HWCAP and AT_HWCAP2 bits with their Linux names and values
//! (`arch/powerpc/include/uapi/asm/cputable.h`).

use bitflags::bitflags;

bitflags! {
    /// AT_HWCAP (`PPC_FEATURE_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Hwcap: u32 {
        const PPC32 = 0x8000_0000;
        const PPC64 = 0x4000_0000;
        const PPC_601_INSTR = 0x2000_0000;
        const HAS_ALTIVEC = 0x1000_0000;
        const HAS_FPU = 0x0800_0000;
        const HAS_MMU = 0x0400_0000;
        const HAS_4XXMAC = 0x0200_0000;
        const UNIFIED_CACHE = 0x0100_0000;
        const HAS_SPE = 0x0080_0000;
        const HAS_EFP_SINGLE = 0x0040_0000;
        const HAS_EFP_DOUBLE = 0x0020_0000;
        const NO_TB = 0x0010_0000;
        const POWER4 = 0x0008_0000;
        const POWER5 = 0x0004_0000;
        const POWER5_PLUS = 0x0002_0000;
        const CELL = 0x0001_0000;
        const BOOKE = 0x0000_8000;
        const SMT = 0x0000_4000;
        const ICACHE_SNOOP = 0x0000_2000;
        const ARCH_2_05 = 0x0000_1000;
        const PA6T = 0x0000_0800;
        const HAS_DFP = 0x0000_0400;
        const POWER6_EXT = 0x0000_0200;
        const ARCH_2_06 = 0x0000_0100;
        const HAS_VSX = 0x0000_0080;
        const PSERIES_PERFMON_COMPAT = 0x0000_0040;
        const TRUE_LE = 0x0000_0002;
        const PPC_LE = 0x0000_0001;
    }
}

bitflags! {
    /// AT_HWCAP2 (`PPC_FEATURE2_*`).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
    pub struct Hwcap2: u32 {
        const ARCH_2_07 = 0x8000_0000;
        const HTM = 0x4000_0000;
        const DSCR = 0x2000_0000;
        const EBB = 0x1000_0000;
        const ISEL = 0x0800_0000;
        const TAR = 0x0400_0000;
        const VEC_CRYPTO = 0x0200_0000;
        const HTM_NOSC = 0x0100_0000;
        const ARCH_3_00 = 0x0080_0000;
        const HAS_IEEE128 = 0x0040_0000;
        const DARN = 0x0020_0000;
        const SCV = 0x0010_0000;
        const HTM_NO_SUSPEND = 0x0008_0000;
        const ARCH_3_1 = 0x0004_0000;
        const MMA = 0x0002_0000;
    }
}

/// A named bit of either word, for reasons and tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HwcapBit {
    /// A bit of AT_HWCAP.
    Hwcap(Hwcap),
    /// A bit of AT_HWCAP2.
    Hwcap2(Hwcap2),
}

impl HwcapBit {
    /// The Linux-style name (`PPC_FEATURE_HAS_VSX`, `PPC_FEATURE2_ARCH_3_00`),
    /// or the hex value of a bit this build does not name.
    pub fn name(self) -> String {
        match self {
            HwcapBit::Hwcap(b) => match b.iter_names().next() {
                Some((n, _)) => format!("PPC_FEATURE_{}", linux_name(n)),
                None => format!("AT_HWCAP bit {:#010x}", b.bits()),
            },
            HwcapBit::Hwcap2(b) => match b.iter_names().next() {
                Some((n, _)) => format!("PPC_FEATURE2_{n}"),
                None => format!("AT_HWCAP2 bit {:#010x}", b.bits()),
            },
        }
    }
}

fn linux_name(n: &str) -> &str {
    match n {
        "PPC_601_INSTR" => "601_INSTR",
        "HAS_4XXMAC" => "HAS_4xxMAC",
        other => other,
    }
}

/// Every single bit set in `hwcap`, named or not.
pub fn hwcap_bits(hwcap: Hwcap) -> impl Iterator<Item = HwcapBit> {
    (0..32)
        .map(|i| 1u32 << i)
        .filter(move |b| hwcap.bits() & b != 0)
        .rev()
        .map(|b| HwcapBit::Hwcap(Hwcap::from_bits_retain(b)))
}

/// Every single bit set in `hwcap2`, named or not.
pub fn hwcap2_bits(hwcap2: Hwcap2) -> impl Iterator<Item = HwcapBit> {
    (0..32)
        .map(|i| 1u32 << i)
        .filter(move |b| hwcap2.bits() & b != 0)
        .rev()
        .map(|b| HwcapBit::Hwcap2(Hwcap2::from_bits_retain(b)))
}

/// Short names of the set bits, e.g. `FPU|ALTIVEC|VSX`, for tables.
pub fn short_names(hwcap: Hwcap, hwcap2: Hwcap2) -> String {
    let mut names: Vec<String> = hwcap_bits(hwcap)
        .chain(hwcap2_bits(hwcap2))
        .map(|b| {
            b.name()
                .trim_start_matches("PPC_FEATURE2_")
                .trim_start_matches("PPC_FEATURE_")
                .trim_start_matches("HAS_")
                .to_string()
        })
        .collect();
    names.dedup();
    names.join("|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_linux() {
        assert_eq!(
            HwcapBit::Hwcap(Hwcap::HAS_VSX).name(),
            "PPC_FEATURE_HAS_VSX"
        );
        assert_eq!(
            HwcapBit::Hwcap(Hwcap::HAS_4XXMAC).name(),
            "PPC_FEATURE_HAS_4xxMAC"
        );
        assert_eq!(
            HwcapBit::Hwcap2(Hwcap2::ARCH_3_00).name(),
            "PPC_FEATURE2_ARCH_3_00"
        );
        assert_eq!(
            HwcapBit::Hwcap2(Hwcap2::from_bits_retain(1)).name(),
            "AT_HWCAP2 bit 0x00000001"
        );
    }

    #[test]
    fn values_match_cputable_h() {
        assert_eq!(Hwcap::HAS_ALTIVEC.bits(), 0x1000_0000);
        assert_eq!(Hwcap::HAS_VSX.bits(), 0x80);
        assert_eq!(Hwcap::TRUE_LE.bits(), 2);
        assert_eq!(Hwcap2::MMA.bits(), 0x0002_0000);
        assert_eq!(Hwcap2::ARCH_3_1.bits(), 0x0004_0000);
    }
}
