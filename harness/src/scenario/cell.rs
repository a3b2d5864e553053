//! Scenarios as validated: the cells, in a deterministic order, with names
//! that a substring filter can select.

use super::runner::{cpu_label, CellSpec, SourceSpec};
use ppcr_core::class::{Class, Outcome};
use ppcr_core::cpu::ResolvedCpu;
use ppcr_core::policy::Policy;
use std::path::PathBuf;

/// A validated scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// The `name` key, or the file's stem; the first part of every cell name.
    pub name: String,
    pub description: String,
    pub file: PathBuf,
    /// In file order: sets, then sources, targets, policies as listed.
    pub cells: Vec<Cell>,
}

/// One (image, target, policy) with its expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// `scenario::cpu/flavour/workload->target::policy`.
    pub name: String,
    pub source: SourceSpec,
    pub target: ResolvedCpu,
    pub policy: Policy,
    /// The expected class (never `error`).
    pub expect: Class,
    /// The expected outcome of the forced restore, when the file states it.
    pub expect_outcome: Option<Outcome>,
    /// Where the cell's `[[set]]` is.
    pub file: PathBuf,
    pub line: usize,
}

impl Cell {
    /// The name of a cell.
    pub fn name_of(
        scenario: &str,
        source: &SourceSpec,
        target: &ResolvedCpu,
        policy: Policy,
    ) -> String {
        format!(
            "{scenario}::{}->{}::{policy}",
            source.label(),
            cpu_label(target)
        )
    }

    /// What the runner needs for this cell's outcome (shared by all policies).
    pub fn spec(&self) -> CellSpec {
        CellSpec {
            source: self.source.clone(),
            target: self.target,
        }
    }

    /// Whether the expected class needs the policy to accept.
    pub fn expects_accept(&self) -> bool {
        matches!(self.expect, Class::Pass | Class::Unsafe)
    }
}

/// Whether a class is consistent with an outcome (`pass`/`needless` need
/// `ok`; `refuse`/`unsafe` need anything else).
pub fn class_allows(class: Class, outcome: Outcome) -> bool {
    match class {
        Class::Pass | Class::Needless => outcome == Outcome::Ok,
        Class::Refuse | Class::Unsafe => outcome != Outcome::Ok,
        Class::Error => false,
    }
}

/// The cells of several scenarios whose names contain `filter` (all when `None`).
pub fn select<'a>(scenarios: &'a [Scenario], filter: Option<&str>) -> Vec<&'a Cell> {
    scenarios
        .iter()
        .flat_map(|s| &s.cells)
        .filter(|c| filter.is_none_or(|f| c.name.contains(f)))
        .collect()
}
