//! The workloads a scenario may name (DESIGN §7), in one place.
//!
//! The restore simulator owns the real workloads (guest payloads); until it
//! lands, this table says what each one leaves live at its checkpoint, which
//! is all the pure side needs: whether a source can run it, and the records
//! a synthetic image of it carries. The simulator replaces this table.

use ppcr_core::cpu::{CpuModel, Flavour, Hwcap, Hwcap2};
use ppcr_core::format::RecordKind;
use ppcr_core::synth::SynthError;

/// One workload: its name, the flavours it is built for, the records live
/// at its checkpoint, and any capability its source must offer beyond them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    pub name: &'static str,
    /// Process flavours it is built for.
    pub flavours: &'static [Flavour],
    /// Optional records present in its image.
    pub records: &'static [RecordKind],
    /// AT_HWCAP bits the source needs (beyond what the records need).
    pub hwcap: Hwcap,
    /// AT_HWCAP2 bits the source needs.
    pub hwcap2: Hwcap2,
    /// One line for humans.
    pub summary: &'static str,
}

const fn w(
    name: &'static str,
    flavours: &'static [Flavour],
    records: &'static [RecordKind],
    hwcap: (Hwcap, Hwcap2),
    summary: &'static str,
) -> Workload {
    Workload {
        name,
        flavours,
        records,
        hwcap: hwcap.0,
        hwcap2: hwcap.1,
        summary,
    }
}

use RecordKind::{BookeDebug, Dabr, Dawr, Fpr, Spe, Vmx, Vsx};
const NONE: (Hwcap, Hwcap2) = (Hwcap::empty(), Hwcap2::empty());
const ALL: &[Flavour] = &Flavour::ALL;
const P64: &[Flavour] = &[Flavour::Ppc64, Flavour::Ppc64le];
const P32: &[Flavour] = &[Flavour::Ppc32];
const BE: &[Flavour] = &[Flavour::Ppc32, Flavour::Ppc64];

/// Every workload (the simulator's table in `sim/workload.rs` agrees).
pub const WORKLOADS: &[Workload] = &[
    w("int", ALL, &[], NONE, "integer registers only"),
    w("fp", ALL, &[Fpr], NONE, "live FPRs and FPSCR"),
    w("vmx", ALL, &[Vmx], NONE, "live Altivec registers"),
    w("vsx", P64, &[Fpr, Vsx], NONE, "live VSX registers"),
    w(
        "mix",
        P64,
        &[Fpr, Vmx, Vsx],
        NONE,
        "FP, Altivec and VSX state at once",
    ),
    w(
        "spe",
        P32,
        &[Spe],
        NONE,
        "live SPE upper halves, ACC, SPEFSCR",
    ),
    w(
        "efp-double",
        P32,
        &[Spe],
        (Hwcap::HAS_EFP_DOUBLE, Hwcap2::empty()),
        "SPE double-precision floating point (e500v2)",
    ),
    w("dabr", ALL, &[Dabr], NONE, "an armed DABR watchpoint"),
    w("dawr", ALL, &[Dawr], NONE, "an armed DAWR watchpoint"),
    w(
        "booke-debug",
        BE,
        &[BookeDebug],
        NONE,
        "BookE IAC/DAC/DVC registers in use",
    ),
    w(
        "isa300",
        ALL,
        &[],
        (Hwcap::empty(), Hwcap2::ARCH_3_00),
        "ISA 3.0 instructions after the checkpoint",
    ),
    w(
        "isa31",
        ALL,
        &[],
        (Hwcap::empty(), Hwcap2::ARCH_3_1),
        "ISA 3.1 instructions after the checkpoint",
    ),
    w(
        "dispatch",
        ALL,
        &[],
        NONE,
        "picks its path from AT_HWCAP before the checkpoint (ifunc)",
    ),
];

/// The workload called `name`.
pub fn find(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}

/// Every workload name, comma-separated.
pub fn names() -> String {
    WORKLOADS
        .iter()
        .map(|w| w.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The closest workload names to `name`, best first.
pub fn closest(name: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &'static str)> = WORKLOADS
        .iter()
        .map(|w| (strsim::jaro_winkler(name, w.name), w.name))
        .filter(|(s, _)| *s >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Why `model` cannot run `workload` as a `flavour` process, if it cannot.
pub fn unrunnable(
    model: &'static CpuModel,
    flavour: Flavour,
    workload: &Workload,
) -> Option<String> {
    if !workload.flavours.contains(&flavour) {
        let built: Vec<_> = workload.flavours.iter().map(|f| f.name()).collect();
        return Some(format!("it is built for {} only", built.join(", ")));
    }
    for &r in workload.records {
        match ppcr_core::synth::producible(model, r) {
            Ok(()) => {}
            Err(SynthError::RecordNotProducible { why, .. }) => return Some(why.to_string()),
            Err(e) => return Some(e.to_string()),
        }
    }
    let missing1 = workload.hwcap.difference(model.caps.hwcap);
    let missing2 = workload.hwcap2.difference(model.caps.hwcap2);
    if !missing1.is_empty() || !missing2.is_empty() {
        let names: Vec<String> = missing1
            .iter_names()
            .map(|(n, _)| n.to_string())
            .chain(missing2.iter_names().map(|(n, _)| n.to_string()))
            .collect();
        return Some(format!("no {} (AT_HWCAP/AT_HWCAP2)", names.join(", ")));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use ppcr_core::cpu::lookup;

    #[test]
    fn names_are_unique_and_found() {
        for w in WORKLOADS {
            assert_eq!(find(w.name), Some(w));
        }
        assert_eq!(closest("vsxx").first(), Some(&"vsx"));
    }

    #[test]
    fn runnable_follows_the_catalogue() {
        let p9 = lookup("power9").unwrap();
        const F: Flavour = Flavour::Ppc64;
        assert!(unrunnable(p9, Flavour::Ppc64, find("vsx").unwrap()).is_none());
        assert!(unrunnable(p9, Flavour::Ppc32, find("vsx").unwrap()).is_some());
        assert!(unrunnable(p9, F, find("isa300").unwrap()).is_none());
        assert!(unrunnable(p9, F, find("isa31").unwrap()).is_some());
        assert!(unrunnable(p9, F, find("spe").unwrap()).is_some());
        let e500v1 = lookup("e500v1").unwrap();
        assert!(unrunnable(e500v1, Flavour::Ppc32, find("spe").unwrap()).is_none());
        assert!(unrunnable(e500v1, Flavour::Ppc32, find("efp-double").unwrap()).is_some());
        assert!(unrunnable(
            lookup("e500v2").unwrap(),
            Flavour::Ppc32,
            find("efp-double").unwrap()
        )
        .is_none());
    }
}
