//! The MSR's process-visible meaning on each family (DESIGN §4): the bits a
//! process's facilities occupy, read from a source MSR and placed into a
//! target MSR. MSR bits are no probe — POWER5+ keeps MSR[VEC] without VMX,
//! e500v2 keeps MSR[FP] without an FPU, bit 25 is VEC on Altivec CPUs and
//! SPE on e500v1/v2 — so both directions are masked by the CPU's
//! capability set. Bit numbers as Linux's `MSR_*_LG`
//! (arch/powerpc/include/asm/reg.h).

use super::caps::CapabilitySet;
use super::model::Family;
use crate::format::Facilities;

/// 64-bit mode on Book3S (MSR[SF]).
pub const SF: u32 = 63;
/// 64-bit computation mode on BookE (MSR[CM]).
pub const CM: u32 = 31;
/// Altivec (MSR[VEC]), or SPE on e500v1/v2 (MSR[SPE]).
pub const VEC_OR_SPE: u32 = 25;
/// VSX (Book3S).
pub const VSX: u32 = 23;
/// External interrupts enabled.
pub const EE: u32 = 15;
/// Problem state.
pub const PR: u32 = 14;
/// Floating point available.
pub const FP: u32 = 13;
/// Machine check enabled.
pub const ME: u32 = 12;
/// FP exception mode 0.
pub const FE0: u32 = 11;
/// FP exception mode 1.
pub const FE1: u32 = 8;
/// Instruction relocation (Book3S).
pub const IR: u32 = 5;
/// Data relocation (Book3S).
pub const DR: u32 = 4;
/// Recoverable interrupt (Book3S).
pub const RI: u32 = 1;
/// Little-endian mode (Book3S).
pub const LE: u32 = 0;

fn is_book3s(family: Family) -> bool {
    matches!(family, Family::Book3s64 | Family::Book3s32)
}

/// The facilities a raw MSR says a process had enabled, on a CPU of
/// `family` with `caps`.
pub fn facilities_of(msr: u64, family: Family, caps: &CapabilitySet) -> Facilities {
    let bit = |b: u32| msr & (1 << b) != 0;
    Facilities {
        fp: bit(FP) && caps.has_fpu(),
        vec: bit(VEC_OR_SPE) && caps.has_vmx(),
        vsx: is_book3s(family) && bit(VSX) && caps.has_vsx(),
        spe: bit(VEC_OR_SPE) && caps.has_spe(),
        fe0: bit(FE0),
        fe1: bit(FE1),
    }
}

/// `msr` with the bits of facilities `f` set where a CPU of `family` with
/// `caps` has them (a VMX image never sets SPE on e500v2, and vice versa).
pub fn with_facilities(msr: u64, family: Family, caps: &CapabilitySet, f: &Facilities) -> u64 {
    let mut msr = msr;
    let mut set = |on: bool, bit: u32| {
        if on {
            msr |= 1 << bit;
        }
    };
    set(f.fp, FP);
    set(f.fe0, FE0);
    set(f.fe1, FE1);
    set(
        (f.vec && caps.has_vmx()) || (f.spe && caps.has_spe()),
        VEC_OR_SPE,
    );
    set(f.vsx && is_book3s(family), VSX);
    msr
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::lookup;

    const VEC_OR_SPE_BIT: u64 = 1 << VEC_OR_SPE;

    #[test]
    fn msr_meaning_is_masked_by_what_the_cpu_has() {
        let e500v2 = lookup("e500v2").unwrap();
        // e500v2 keeps MSR[FP] without an FPU; bit 25 is SPE there.
        let f = facilities_of(0x0200_3000, Family::BookE, &e500v2.caps);
        assert!(f.spe && !f.fp && !f.vec && !f.vsx);
        // POWER5+ keeps MSR[VEC] without VMX.
        let p5 = lookup("power5+").unwrap();
        let f = facilities_of(0x8000_0000_0200_3000, Family::Book3s64, &p5.caps);
        assert!(f.fp && !f.vec);
        let p9 = lookup("power9").unwrap();
        let f = facilities_of(0x8000_0000_0280_2000 | 0x900, Family::Book3s64, &p9.caps);
        assert!(f.fp && f.vec && f.vsx && f.fe0 && f.fe1 && !f.spe);
    }

    #[test]
    fn with_facilities_places_facilities_where_the_family_has_them() {
        let vec = Facilities {
            vec: true,
            ..Facilities::default()
        };
        let spe = Facilities {
            spe: true,
            ..Facilities::default()
        };
        let e500v2 = lookup("e500v2").unwrap();
        let e6500 = lookup("e6500").unwrap();
        // A VMX image never turns on SPE (same bit) on e500v2, and vice versa.
        assert_eq!(
            with_facilities(0x1000, Family::BookE, &e500v2.caps, &vec),
            0x1000
        );
        assert_eq!(
            with_facilities(0x1000, Family::BookE, &e500v2.caps, &spe),
            0x1000 | VEC_OR_SPE_BIT
        );
        assert_eq!(
            with_facilities(0x8000_1000, Family::BookE, &e6500.caps, &vec),
            0x8000_1000 | VEC_OR_SPE_BIT
        );
        assert_eq!(
            with_facilities(0x1000, Family::BookE, &e6500.caps, &spe),
            0x1000
        );
        // VSX is a Book3S bit; the user MSR's SF/LE/RI are kept.
        let p9 = lookup("power9").unwrap();
        let all = Facilities {
            fp: true,
            vec: true,
            vsx: true,
            ..Facilities::default()
        };
        assert_eq!(
            with_facilities(0x8000_0000_0000_1003, Family::Book3s64, &p9.caps, &all),
            0x8000_0000_0280_3003
        );
    }
}
