//! Which cells a matrix has: the workload table (what each workload needs
//! from its source CPU), the rows (source model × flavour × workload), the
//! columns (target models) and the names every report and merge uses.
//!
//! Names are the identity of a cell across processes and versions:
//! a row is `model/flavour/workload`, a pair `row@target` and a cell
//! `row@target:policy`.

use ppcr_core::cpu::{CapabilitySet, CpuModel, Flavour, Hwcap, Hwcap2, CATALOGUE};
use ppcr_core::format::RecordKind;
use ppcr_core::policy::Policy;
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// What a workload needs from the CPU it is checkpointed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// Nothing beyond the flavour.
    Nothing,
    /// A hardware FPU.
    Fpu,
    /// Altivec/VMX.
    Altivec,
    /// VSX (which implies FPU and Altivec).
    Vsx,
    /// SPE.
    Spe,
    /// SPE double-precision embedded FP (e500v2).
    EfpDouble,
    /// A DABR slot.
    Dabr,
    /// A DAWR slot.
    Dawr,
    /// BookE IAC/DAC debug registers.
    BookeDebug,
    /// ISA 3.0 (PPC_FEATURE2_ARCH_3_00).
    Isa300,
    /// ISA 3.1 (PPC_FEATURE2_ARCH_3_1).
    Isa31,
}

impl Needs {
    /// Whether a CPU with `caps` offers it.
    pub fn met_by(self, caps: &CapabilitySet) -> bool {
        match self {
            Needs::Nothing => true,
            Needs::Fpu => caps.has_fpu(),
            Needs::Altivec => caps.has_vmx(),
            Needs::Vsx => caps.has_vsx(),
            Needs::Spe => caps.has_spe(),
            Needs::EfpDouble => caps.hwcap.contains(Hwcap::HAS_EFP_DOUBLE),
            Needs::Dabr => caps.debug.dabr > 0,
            Needs::Dawr => caps.debug.dawr > 0,
            Needs::BookeDebug => caps.debug.iac > 0 && caps.debug.dac > 0,
            Needs::Isa300 => caps.hwcap2.contains(Hwcap2::ARCH_3_00),
            Needs::Isa31 => caps.hwcap2.contains(Hwcap2::ARCH_3_1),
        }
    }
}

/// One checkpoint workload (DESIGN §7) as the matrix sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// Name, as in images, on the command line and in cell names.
    pub name: &'static str,
    /// Flavours it is built for.
    pub flavours: &'static [Flavour],
    /// Optional records live at its checkpoint.
    pub records: &'static [RecordKind],
    /// Everything its source CPU must offer.
    pub needs: &'static [Needs],
}

impl Workload {
    /// Whether it applies to a source of this model and flavour.
    pub fn applies(&self, model: &CpuModel, flavour: Flavour) -> bool {
        model.runs(flavour)
            && self.flavours.contains(&flavour)
            && self.needs.iter().all(|n| n.met_by(&model.caps))
    }
}

const ALL: &[Flavour] = &Flavour::ALL;
const BE: &[Flavour] = &[Flavour::Ppc32, Flavour::Ppc64];
const P64: &[Flavour] = &[Flavour::Ppc64, Flavour::Ppc64le];
const P32: &[Flavour] = &[Flavour::Ppc32];

use RecordKind as R;

/// Every workload, in report order. The one place the matrix learns what
/// a workload needs; it follows the guest workloads (`harness/guest/workloads`).
pub const WORKLOADS: &[Workload] = &[
    Workload {
        name: "int",
        flavours: ALL,
        records: &[],
        needs: &[],
    },
    Workload {
        name: "fp",
        flavours: ALL,
        records: &[R::Fpr],
        needs: &[Needs::Fpu],
    },
    Workload {
        name: "vmx",
        flavours: ALL,
        records: &[R::Vmx],
        needs: &[Needs::Altivec],
    },
    Workload {
        name: "vsx",
        flavours: P64,
        records: &[R::Fpr, R::Vsx],
        needs: &[Needs::Vsx],
    },
    Workload {
        name: "mix",
        flavours: P64,
        records: &[R::Fpr, R::Vmx, R::Vsx],
        needs: &[Needs::Fpu, Needs::Altivec, Needs::Vsx],
    },
    Workload {
        name: "spe",
        flavours: P32,
        records: &[R::Spe],
        needs: &[Needs::Spe],
    },
    Workload {
        name: "efp-double",
        flavours: P32,
        records: &[R::Spe],
        needs: &[Needs::Spe, Needs::EfpDouble],
    },
    Workload {
        name: "dabr",
        flavours: ALL,
        records: &[R::Dabr],
        needs: &[Needs::Dabr],
    },
    Workload {
        name: "dawr",
        flavours: ALL,
        records: &[R::Dawr],
        needs: &[Needs::Dawr],
    },
    Workload {
        name: "booke-debug",
        flavours: BE,
        records: &[R::BookeDebug],
        needs: &[Needs::BookeDebug],
    },
    Workload {
        name: "isa300",
        flavours: ALL,
        records: &[],
        needs: &[Needs::Isa300],
    },
    Workload {
        name: "isa31",
        flavours: ALL,
        records: &[],
        needs: &[Needs::Isa31],
    },
    Workload {
        name: "dispatch",
        flavours: ALL,
        records: &[],
        needs: &[],
    },
];

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
