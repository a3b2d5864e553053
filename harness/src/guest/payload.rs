//! The payloads built from `harness/guest` by `build.rs`, embedded in the
//! binary with their symbol tables (`nm` of each ELF).
//!
//! Naming (docs/GUEST.md): the boot part of a family and flavour is
//! `<family>_<flavour>` (`book3s64_ppc64le`, `book3s32_ppc32`,
//! `booke_ppc32`, ...); the probe user part is `probe_<family>` with an `le`
//! suffix for little-endian (`probe_book3s64le`).

use ppcr_core::cpu::Family;
use ppcr_core::format::Flavour;

use super::GuestError;

/// One built payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Payload {
    /// The name the family fragment gave it (`PAYLOADS` in its payload.mk).
    pub name: &'static str,
    /// The ELF file (what `-kernel` or an ELF `-bios` loads).
    pub elf: &'static [u8],
    /// The raw image (`objcopy -O binary`), for a raw `-bios` or a loader
    /// device; `None` when it would be larger than 4 MiB.
    pub bin: Option<&'static [u8]>,
    /// Symbols with an address in the image, in address order.
    pub symbols: &'static [(&'static str, u64)],
}

// The generated table names this type.
type GeneratedPayload = Payload;

static PAYLOADS: &[Payload] = include!(concat!(env!("OUT_DIR"), "/guest_payloads.rs"));

/// The boot part's ready point (the harness's breakpoint).
pub const READY_SYMBOL: &str = "ppcr_ready";
/// Where a boot part spins after the user part's exit (`sc`).
pub const EXIT_SYMBOL: &str = "ppcr_exit";
/// Where a boot part spins after an unexpected exception.
pub const CRASHED_SYMBOL: &str = "ppcr_crashed";

impl Payload {
    /// Every embedded payload, sorted by name.
    pub fn all() -> &'static [Payload] {
        PAYLOADS
    }

    /// The payload called `name`.
    pub fn get(name: &str) -> Option<&'static Payload> {
        PAYLOADS.iter().find(|p| p.name == name)
    }

    /// [`Payload::get`] with an error naming what exists.
    pub fn require(name: &str) -> Result<&'static Payload, GuestError> {
        Self::get(name).ok_or_else(|| GuestError::NoPayload {
            name: name.to_string(),
            built: PAYLOADS
                .iter()
                .map(|p| p.name)
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// The address of `symbol`.
    pub fn symbol(&self, symbol: &str) -> Option<u64> {
        self.symbols
            .iter()
            .find(|(n, _)| *n == symbol)
            .map(|&(_, a)| a)
    }

    /// [`Payload::symbol`] with an error.
    pub fn require_symbol(&self, symbol: &str) -> Result<u64, GuestError> {
        self.symbol(symbol).ok_or_else(|| GuestError::NoSymbol {
            payload: self.name,
            symbol: symbol.to_string(),
        })
    }

    /// The raw image, or an error when it was not embedded.
    pub fn raw(&self) -> Result<&'static [u8], GuestError> {
        self.bin
            .ok_or(GuestError::NoRawImage { payload: self.name })
    }

    /// The boot part for a family and flavour.
    pub fn boot_part(family: Family, flavour: Flavour) -> Result<&'static Payload, GuestError> {
        Self::require(&format!("{}_{}", family.name(), flavour_name(flavour)))
    }

    /// The probe user part for a family and flavour.
    pub fn probe(family: Family, flavour: Flavour) -> Result<&'static Payload, GuestError> {
        let le = if flavour == Flavour::Ppc64le {
            "le"
        } else {
            ""
        };
        let own = format!("probe_{}{le}", family.name());
        match (Self::get(&own), family) {
            (Some(p), _) => Ok(p),
            // 440 and e500 share the Book E probe (harness/guest/booke).
            (None, Family::Ppc440) => Self::require(&format!("probe_booke{le}")),
            (None, _) => Self::require(&own),
        }
    }
}

/// The flavour's name as used in payload names (`ppc32`, `ppc64`, `ppc64le`).
pub fn flavour_name(flavour: Flavour) -> &'static str {
    match flavour {
        Flavour::Ppc32 => "ppc32",
        Flavour::Ppc64 => "ppc64",
        Flavour::Ppc64le => "ppc64le",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn book3s_payloads_are_built_with_their_symbols() {
        for name in [
            "book3s64_ppc64",
            "book3s64_ppc32",
            "book3s64_ppc64le",
            "book3s32_ppc32",
        ] {
            let p = Payload::require(name).unwrap();
            for s in [READY_SYMBOL, EXIT_SYMBOL, CRASHED_SYMBOL] {
                assert!(p.symbol(s).is_some(), "{name} lacks {s}");
            }
            assert!(p.bin.is_some(), "{name} has no raw image");
        }
        for name in ["probe_book3s64", "probe_book3s64le", "probe_book3s32"] {
            let p = Payload::require(name).unwrap();
            assert_eq!(p.symbol("_start"), Some(super::super::mailbox::USER_BASE));
        }
        let p = Payload::require("book3s32_ppc32").unwrap();
        assert_eq!(p.symbol("_start"), Some(0xfff0_0000));
    }

    #[test]
    fn raw_images_start_where_they_are_linked() {
        // pseries -bios: the raw blob is loaded at 0 and entered at 0x100.
        let p = Payload::require("book3s64_ppc64").unwrap();
        assert_eq!(p.symbol("_start"), Some(0));
        let bin = p.raw().unwrap();
        // 0x100 holds the big-endian trampoline (`mr r29,r3` = 0x7c7d1b78)
        assert_eq!(&bin[0x100..0x104], &[0x7c, 0x7d, 0x1b, 0x78]);
        let le = Payload::require("book3s64_ppc64le").unwrap().raw().unwrap();
        assert_eq!(&le[0x100..0x104], &[0x7c, 0x7d, 0x1b, 0x78]);
    }

    #[test]
    fn names_per_family_and_flavour() {
        assert_eq!(
            Payload::boot_part(Family::Book3s64, Flavour::Ppc64le)
                .unwrap()
                .name,
            "book3s64_ppc64le"
        );
        assert_eq!(
            Payload::probe(Family::Book3s64, Flavour::Ppc32)
                .unwrap()
                .name,
            "probe_book3s64"
        );
        assert_eq!(
            Payload::probe(Family::Book3s32, Flavour::Ppc32)
                .unwrap()
                .name,
            "probe_book3s32"
        );
        let err = Payload::require("nope").unwrap_err().to_string();
        assert!(err.contains("book3s64_ppc64"), "{err}");
    }
}
