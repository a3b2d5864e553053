//! Which cells a matrix has: the rows (source model × flavour × workload), the
//! columns (target models) and the names every report and merge uses.
//!
//! Names are the identity of a cell across processes and versions:
//! a row is `model/flavour/workload`, a pair `row@target` and a cell
//! `row@target:policy`.

use ppcr_core::cpu::{CpuModel, Flavour, CATALOGUE};
use ppcr_core::policy::Policy;
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// The workloads: the simulator's table, which also says what each needs
/// from its source CPU ([`Workload::applies`]), so the matrix, the scenarios
/// and the simulator cannot disagree on what runs where.
pub use crate::sim::Workload;

/// Every workload, in report order.
pub static WORKLOADS: &[Workload] = crate::sim::workload::WORKLOADS;

/// The workload called `name`.
pub fn workload(name: &str) -> Option<&'static Workload> {
    WORKLOADS.iter().find(|w| w.name == name)
}

/// A matrix row: what is checkpointed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceSpec {
    pub model: &'static CpuModel,
    pub flavour: Flavour,
    pub workload: &'static Workload,
}

impl SourceSpec {
    /// `model/flavour/workload`.
    pub fn name(&self) -> String {
        format!(
            "{}/{}/{}",
            self.model.name,
            self.flavour.name(),
            self.workload.name
        )
    }
}

impl fmt::Display for SourceSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// The name of a (row, target) pair: `row@target`.
pub fn pair_name(row: &str, target: &str) -> String {
    format!("{row}@{target}")
}

/// The name of a cell: `row@target:policy`.
pub fn cell_name(pair: &str, policy: Policy) -> String {
    format!("{pair}:{}", policy.name())
}

/// What the user asked for; every field empty means "all".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    /// Source model names (catalogue names).
    pub sources: Vec<String>,
    /// Target model names.
    pub targets: Vec<String>,
    /// Workload names.
    pub workloads: Vec<String>,
    /// Policy names.
    pub policies: Vec<String>,
}

/// A name the selection does not know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SelectionError {
    #[error(transparent)]
    Cpu(#[from] ppcr_core::cpu::UnknownCpu),
    #[error("unknown workload '{0}' (known: {known})", known = WORKLOADS.iter().map(|w| w.name).collect::<Vec<_>>().join(", "))]
    Workload(String),
    #[error("unknown policy '{0}' (known: strict, records, hwcap)")]
    Policy(String),
    #[error("the selection has no cells: {0}")]
    Empty(&'static str),
}

/// The resolved universe of a selection: rows, targets, policies, in
/// catalogue order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub rows: Vec<SourceSpec>,
    pub targets: Vec<&'static CpuModel>,
    pub policies: Vec<Policy>,
}

fn models(names: &[String]) -> Result<Vec<&'static CpuModel>, SelectionError> {
    if names.is_empty() {
        return Ok(CATALOGUE.iter().collect());
    }
    let mut wanted = Vec::new();
    for n in names {
        wanted.push(ppcr_core::cpu::lookup(n)?.name);
    }
    Ok(CATALOGUE
        .iter()
        .filter(|m| wanted.contains(&m.name))
        .collect())
}

impl Selection {
    /// The canonical form: catalogue names, in catalogue order, deduplicated
    /// (so equal selections compare equal however they were spelled).
    pub fn canonical(&self) -> Result<Selection, SelectionError> {
        let plan = self.plan()?;
        let all = |n: usize, total: usize| n == total;
        let sources = models(&self.sources)?;
        Ok(Selection {
            sources: if all(sources.len(), CATALOGUE.len()) {
                Vec::new()
            } else {
                sources.iter().map(|m| m.name.to_string()).collect()
            },
            targets: if all(plan.targets.len(), CATALOGUE.len()) {
                Vec::new()
            } else {
                plan.targets.iter().map(|m| m.name.to_string()).collect()
            },
            workloads: {
                let w = workloads(&self.workloads)?;
                if all(w.len(), WORKLOADS.len()) {
                    Vec::new()
                } else {
                    w.iter().map(|w| w.name.to_string()).collect()
                }
            },
            policies: if all(plan.policies.len(), Policy::ALL.len()) {
                Vec::new()
            } else {
                plan.policies.iter().map(|p| p.name().to_string()).collect()
            },
        })
    }

    /// Resolves the selection into rows, targets and policies. An empty
    /// result is an error: a matrix without cells proves nothing.
    pub fn plan(&self) -> Result<Plan, SelectionError> {
        let sources = models(&self.sources)?;
        let targets = models(&self.targets)?;
        let workloads = workloads(&self.workloads)?;
        let mut policies = Vec::new();
        for p in &self.policies {
            let p = Policy::from_name(p).ok_or_else(|| SelectionError::Policy(p.clone()))?;
            if !policies.contains(&p) {
                policies.push(p);
            }
        }
        if policies.is_empty() {
            policies = Policy::ALL.to_vec();
        }
        policies.sort();
        let mut rows = Vec::new();
        for model in sources {
            for &flavour in model.flavours {
                for &workload in &workloads {
                    if workload.applies(model, flavour) {
                        rows.push(SourceSpec {
                            model,
                            flavour,
                            workload,
                        });
                    }
                }
            }
        }
        if rows.is_empty() {
            return Err(SelectionError::Empty(
                "no selected workload applies to any selected source model",
            ));
        }
        Ok(Plan {
            rows,
            targets,
            policies,
        })
    }
}

fn workloads(names: &[String]) -> Result<Vec<&'static Workload>, SelectionError> {
    for n in names {
        if workload(n).is_none() {
            return Err(SelectionError::Workload(n.clone()));
        }
    }
    Ok(WORKLOADS
        .iter()
        .filter(|w| names.is_empty() || names.iter().any(|n| n == w.name))
        .collect())
}

impl Plan {
    /// Every pair name of the rows in `rows`, row by row.
    pub fn pair_names<'a>(
        &'a self,
        rows: impl Iterator<Item = &'a SourceSpec> + 'a,
    ) -> impl Iterator<Item = String> + 'a {
        rows.flat_map(move |r| {
            let row = r.name();
            self.targets.iter().map(move |t| pair_name(&row, t.name))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ppcr_core::cpu::lookup;

    fn rows_of(model: &str) -> Vec<String> {
        let sel = Selection {
            sources: vec![model.into()],
            ..Selection::default()
        };
        sel.plan().unwrap().rows.iter().map(|r| r.name()).collect()
    }

    #[test]
    fn workloads_apply_by_capability() {
        let e500v2 = rows_of("e500v2");
        assert!(e500v2.contains(&"e500v2/ppc32/spe".to_string()));
        assert!(e500v2.contains(&"e500v2/ppc32/efp-double".to_string()));
        assert!(e500v2.contains(&"e500v2/ppc32/booke-debug".to_string()));
        assert!(!e500v2
            .iter()
            .any(|r| r.ends_with("/fp") || r.ends_with("/vmx")));
        assert!(!rows_of("e500v1").contains(&"e500v1/ppc32/efp-double".to_string()));
        let p9 = rows_of("power9");
        assert!(p9.contains(&"power9/ppc64le/isa300".to_string()));
        assert!(!p9
            .iter()
            .any(|r| r.ends_with("/isa31") || r.ends_with("/spe")));
        assert!(!p9.contains(&"power9/ppc32/vsx".to_string()));
        assert!(rows_of("power10").contains(&"power10/ppc64/isa31".to_string()));
        assert!(rows_of("750").contains(&"750/ppc32/dabr".to_string()));
    }

    #[test]
    fn every_row_is_unique_and_every_workload_has_a_source() {
        let plan = Selection::default().plan().unwrap();
        let names: std::collections::BTreeSet<_> = plan.rows.iter().map(|r| r.name()).collect();
        assert_eq!(names.len(), plan.rows.len());
        for w in WORKLOADS {
            assert!(
                plan.rows.iter().any(|r| r.workload.name == w.name),
                "{}",
                w.name
            );
        }
        assert_eq!(plan.targets.len(), CATALOGUE.len());
        assert_eq!(plan.policies, Policy::ALL.to_vec());
    }

    #[test]
    fn selection_errors_and_canonical_form() {
        let bad = Selection {
            workloads: vec!["nope".into()],
            ..Selection::default()
        };
        assert!(matches!(bad.plan(), Err(SelectionError::Workload(_))));
        let empty = Selection {
            sources: vec!["750".into()],
            workloads: vec!["vsx".into()],
            ..Selection::default()
        };
        assert!(matches!(empty.plan(), Err(SelectionError::Empty(_))));
        let a = Selection {
            sources: vec!["POWER9".into(), "750".into(), "power9".into()],
            policies: vec!["hwcap".into(), "strict".into()],
            ..Selection::default()
        };
        let c = a.canonical().unwrap();
        assert_eq!(c.sources, vec!["750", "power9"]);
        assert_eq!(c.policies, vec!["strict", "hwcap"]);
        assert!(lookup(&c.sources[1]).is_ok());
    }
}
