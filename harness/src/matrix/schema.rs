//! `matrix.json`: the versioned result of a matrix run, and the single
//! source of every other report (Markdown, HTML, JUnit) and of `diff` and
//! `merge`.
//!
//! Schema 1: one object with `schema_version`, the `selection` it was run
//! with (canonical names; empty list = all), the `shard` (null when the file
//! holds the whole selection), `policies`, `targets` and `rows` (the
//! expected universe of this file, in report order), `complete` and the
//! `missing` pair names, per-policy `summary` counts, and `pairs`: one entry
//! per (row, target) with the forced-restore truth and one `cells` entry per
//! policy.

use super::cells::{cell_name, pair_name, Plan, Selection};
use super::shard::{in_shard, Shard};
use ppcr_core::class::{Class, Outcome};
use ppcr_core::policy::{Conversion, Policy, Reason};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// A whole `matrix.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Matrix {
    pub schema_version: u32,
    /// `ppcr <version>` that wrote it.
    pub tool: String,
    pub selection: Selection,
    pub shard: Option<Shard>,
    pub policies: Vec<Policy>,
    pub targets: Vec<String>,
    /// Row names (`model/flavour/workload`) this file is expected to hold.
    pub rows: Vec<String>,
    /// Every expected pair is present.
    pub complete: bool,
    /// Expected pairs without a result (a partial matrix is a failure).
    pub missing: Vec<String>,
    pub summary: Vec<PolicySummary>,
    pub pairs: Vec<PairResult>,
}

/// Class counts of one policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySummary {
    pub policy: Policy,
    /// Count per class name (every class present, zeros included).
    pub counts: BTreeMap<Class, usize>,
}

/// The source of a row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowKey {
    pub model: String,
    pub flavour: String,
    pub workload: String,
}

impl RowKey {
    /// `model/flavour/workload`.
    pub fn name(&self) -> String {
        format!("{}/{}/{}", self.model, self.flavour, self.workload)
    }
}

/// One (row, target): the forced-restore truth, shared by every policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairResult {
    /// `row@target`.
    pub name: String,
    pub source: RowKey,
    pub target: String,
    /// What really happened; `null` when the harness failed (`error`).
    pub outcome: Option<Outcome>,
    /// The evidence for the outcome, or why the harness failed.
    pub detail: String,
    /// How many attempts the forced restore (or the checkpoint) took.
    pub attempts: u32,
    /// It failed at least once before it gave an answer.
    pub flaky: bool,
    /// The failures of earlier attempts (flaky) or of every attempt (error).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failures: Vec<String>,
    /// Wall time of the forced restore, milliseconds.
    pub millis: u64,
    pub cells: Vec<CellResult>,
}

/// One policy's verdict on a pair and the class it earns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellResult {
    pub policy: Policy,
    /// `null` when no image was available to judge.
    pub accepted: Option<bool>,
    pub reasons: Vec<Reason>,
    pub conversions: Vec<Conversion>,
    pub class: Class,
}

impl PairResult {
    /// The cell of `policy`.
    pub fn cell(&self, policy: Policy) -> Option<&CellResult> {
        self.cells.iter().find(|c| c.policy == policy)
    }

    /// The full names of its cells.
    pub fn cell_names(&self) -> impl Iterator<Item = String> + '_ {
        self.cells.iter().map(|c| cell_name(&self.name, c.policy))
    }
}

impl Matrix {
    /// Builds the matrix of `plan` (restricted to `shard`) from results in
    /// any order; results outside the plan are dropped, a later duplicate
    /// of a pair is ignored.
    pub fn build(
        selection: Selection,
        plan: &Plan,
        shard: Option<Shard>,
        results: impl IntoIterator<Item = PairResult>,
    ) -> Matrix {
        let rows: Vec<String> = plan
            .rows
            .iter()
            .map(|r| r.name())
            .filter(|r| in_shard(shard, r))
            .collect();
        let targets: Vec<String> = plan.targets.iter().map(|t| t.name.to_string()).collect();
        let mut order = HashMap::new();
        for (i, r) in rows.iter().enumerate() {
            for (j, t) in targets.iter().enumerate() {
                order.insert(pair_name(r, t), (i, j));
            }
        }
        let mut pairs: Vec<PairResult> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for mut p in results {
            if order.contains_key(&p.name) && seen.insert(p.name.clone()) {
                p.cells.retain(|c| plan.policies.contains(&c.policy));
                pairs.push(p);
            }
        }
        pairs.sort_by_key(|p| order[&p.name]);
        let mut missing: Vec<(usize, usize, String)> = order
            .iter()
            .filter(|(n, _)| !seen.contains(*n))
            .map(|(n, &(i, j))| (i, j, n.clone()))
            .collect();
        missing.sort();
        let mut m = Matrix {
            schema_version: SCHEMA_VERSION,
            tool: format!("ppcr {}", env!("CARGO_PKG_VERSION")),
            selection,
            shard,
            policies: plan.policies.clone(),
            targets,
            rows,
            complete: missing.is_empty(),
            missing: missing.into_iter().map(|(_, _, n)| n).collect(),
            summary: Vec::new(),
            pairs,
        };
        m.summary = m.summarize();
        m
    }

    fn summarize(&self) -> Vec<PolicySummary> {
        self.policies
            .iter()
            .map(|&policy| {
                let mut counts: BTreeMap<Class, usize> =
                    Class::ALL.iter().map(|&c| (c, 0)).collect();
                for p in &self.pairs {
                    if let Some(c) = p.cell(policy) {
                        *counts.entry(c.class).or_default() += 1;
                    }
                }
                PolicySummary { policy, counts }
            })
            .collect()
    }

    /// The count of `class` under `policy`.
    pub fn count(&self, policy: Policy, class: Class) -> usize {
        self.summary
            .iter()
            .find(|s| s.policy == policy)
            .and_then(|s| s.counts.get(&class).copied())
            .unwrap_or(0)
    }

    /// Number of cells.
    pub fn cell_count(&self) -> usize {
        self.pairs.iter().map(|p| p.cells.len()).sum()
    }

    /// The cells that fail a CI run: every `error` cell and every `unsafe`
    /// cell of the recommended policy, as (pair, cell).
    pub fn failures(&self) -> impl Iterator<Item = (&PairResult, &CellResult)> {
        self.pairs.iter().flat_map(|p| {
            p.cells
                .iter()
                .filter(|c| is_failure(c))
                .map(move |c| (p, c))
        })
    }

    /// Whether the matrix passes: non-empty, complete, no failures.
    pub fn passes(&self) -> bool {
        self.complete && self.cell_count() > 0 && self.failures().next().is_none()
    }

    /// Everything but the pairs.
    pub fn clone_head(&self) -> Matrix {
        Matrix {
            schema_version: self.schema_version,
            tool: self.tool.clone(),
            selection: self.selection.clone(),
            shard: self.shard,
            policies: self.policies.clone(),
            targets: self.targets.clone(),
            rows: self.rows.clone(),
            complete: self.complete,
            missing: self.missing.clone(),
            summary: self.summary.clone(),
            pairs: Vec::new(),
        }
    }

    /// Parses a `matrix.json`, refusing another schema version by number.
    pub fn from_json(text: &str) -> Result<Matrix, SchemaError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: u32,
        }
        let v: Version = serde_json::from_str(text).map_err(SchemaError::Json)?;
        if v.schema_version != SCHEMA_VERSION {
            return Err(SchemaError::Version {
                found: v.schema_version,
            });
        }
        serde_json::from_str(text).map_err(SchemaError::Json)
    }
}

/// Whether a cell fails CI: `error`, or `unsafe` under the recommended policy
/// (`unsafe` under other policies is an expected finding).
pub fn is_failure(c: &CellResult) -> bool {
    c.class == Class::Error || (c.class == Class::Unsafe && c.policy == Policy::RECOMMENDED)
}

/// A `matrix.json` this build cannot read.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("matrix.json schema version {found}; this ppcr reads version {SCHEMA_VERSION}")]
    Version { found: u32 },
    #[error("not a matrix.json: {0}")]
    Json(serde_json::Error),
}
