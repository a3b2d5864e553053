//! The workloads a scenario may name: the simulator's table
//! ([`crate::sim::workload`]), plus what a source must offer to run each.

use ppcr_core::cpu::{CpuModel, Flavour, Hwcap, Hwcap2};

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

/// Capabilities a source needs beyond the workload's records ([`Workload::needs`]).
pub fn needs(workload: &Workload) -> (Hwcap, Hwcap2) {
    workload.needs()
}

/// Why `model` cannot run `workload` as a `flavour` process, if it cannot
/// ([`Workload::unrunnable`]).
pub fn unrunnable(
    model: &'static CpuModel,
    flavour: Flavour,
    workload: &Workload,
) -> Option<String> {
    workload.unrunnable(model, flavour)
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
