//! The workloads a scenario may name: the simulator's table
//! ([`crate::sim::workload`]), plus what a source must offer to run each.

use ppcr_core::cpu::{CpuModel, Flavour, Hwcap, Hwcap2};
use ppcr_core::synth::SynthError;

pub use crate::sim::Workload;

/// Every workload, in the simulator's order.
pub fn all() -> &'static [Workload] {
    Workload::all()
}

/// The workload called `name`.
pub fn find(name: &str) -> Option<&'static Workload> {
    all().iter().find(|w| w.name == name)
}

/// Every workload name, comma-separated.
pub fn names() -> String {
    all().iter().map(|w| w.name).collect::<Vec<_>>().join(", ")
}

/// The closest workload names to `name`, best first.
pub fn closest(name: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &'static str)> = all()
        .iter()
        .map(|w| (strsim::jaro_winkler(name, w.name), w.name))
        .filter(|(s, _)| *s >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(3).map(|(_, n)| n).collect()
}

/// Capabilities a source needs beyond the workload's records: the
/// instructions it executes that no record betrays.
pub fn needs(workload: &Workload) -> (Hwcap, Hwcap2) {
    match workload.name {
        "efp-double" => (Hwcap::HAS_EFP_DOUBLE, Hwcap2::empty()),
        "isa300" => (Hwcap::empty(), Hwcap2::ARCH_3_00),
        "isa31" => (Hwcap::empty(), Hwcap2::ARCH_3_1),
        _ => (Hwcap::empty(), Hwcap2::empty()),
    }
}

/// Why `model` cannot run `workload` as a `flavour` process, if it cannot.
pub fn unrunnable(
    model: &'static CpuModel,
    flavour: Flavour,
    workload: &Workload,
) -> Option<String> {
    if !workload.runs(flavour) {
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
    let (hwcap, hwcap2) = needs(workload);
    let missing1 = hwcap.difference(model.caps.hwcap);
    let missing2 = hwcap2.difference(model.caps.hwcap2);
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
        for w in all() {
            assert_eq!(find(w.name), Some(w));
        }
        assert_eq!(all().len(), 13);
        assert_eq!(closest("vsxx").first(), Some(&"vsx"));
        assert!(find("nope").is_none());
    }

    #[test]
    fn runnable_follows_the_catalogue() {
        let p9 = lookup("power9").unwrap();
        let w = |n| find(n).unwrap();
        assert!(unrunnable(p9, Flavour::Ppc64, w("vsx")).is_none());
        assert!(unrunnable(p9, Flavour::Ppc32, w("vsx")).is_some());
        assert!(unrunnable(p9, Flavour::Ppc64, w("isa300")).is_none());
        assert!(unrunnable(p9, Flavour::Ppc64, w("isa31")).is_some());
        assert!(unrunnable(p9, Flavour::Ppc32, w("spe")).is_some());
        let e500v1 = lookup("e500v1").unwrap();
        assert!(unrunnable(e500v1, Flavour::Ppc32, w("spe")).is_none());
        assert!(unrunnable(e500v1, Flavour::Ppc32, w("efp-double")).is_some());
        let e500v2 = lookup("e500v2").unwrap();
        assert!(unrunnable(e500v2, Flavour::Ppc32, w("efp-double")).is_none());
    }
}
