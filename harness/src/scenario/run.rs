//! Running cells through a [`CellRunner`] and comparing with expectations.
//!
//! A [`Session`] checkpoints each source once and force-restores each
//! (source, target) once, however many policies and callers ask; the
//! verdicts are computed here on the checkpointed image.

use super::cell::{class_allows, Cell};
use super::runner::{cpu_label, CellRunner, Checkpoint, Observed, RunError};
use ppcr_core::class::{Class, Outcome};
use ppcr_core::format::Image;
use ppcr_core::policy::{self, Policy, Verdict};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

type Shared<T> = Arc<OnceCell<Result<T, String>>>;

/// A checkpoint and its decoded image.
struct Loaded {
    checkpoint: Checkpoint,
    image: Image,
}

/// Caches of one run: images per source, outcomes per (source, target).
pub struct Session<'r, R> {
    runner: &'r R,
    images: Mutex<HashMap<String, Shared<Arc<Loaded>>>>,
    outcomes: Mutex<HashMap<(String, String), Shared<Observed>>>,
}

fn slot<K: std::hash::Hash + Eq, T>(map: &Mutex<HashMap<K, Shared<T>>>, key: K) -> Shared<T> {
    map.lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_default()
        .clone()
}

impl<'r, R: CellRunner> Session<'r, R> {
    pub fn new(runner: &'r R) -> Self {
        Session {
            runner,
            images: Mutex::default(),
            outcomes: Mutex::default(),
        }
    }

    async fn image(&self, cell: &Cell) -> Result<Arc<Loaded>, String> {
        let key = cell.source.label();
        let cell_slot = slot(&self.images, key.clone());
        cell_slot
            .get_or_init(|| async {
                let checkpoint = self
                    .runner
                    .checkpoint(&cell.source)
                    .await
                    .map_err(|RunError(e)| format!("checkpoint of {key} failed: {e}"))?;
                let image = Image::decode(&checkpoint.image)
                    .map_err(|e| format!("checkpoint of {key} is not a valid image: {e}"))?;
                Ok(Arc::new(Loaded { checkpoint, image }))
            })
            .await
            .clone()
    }

    async fn outcome(&self, cell: &Cell, loaded: &Loaded) -> Result<Observed, String> {
        let key = (cell.source.label(), cpu_label(&cell.target).to_string());
        let cell_slot = slot(&self.outcomes, key.clone());
        cell_slot
            .get_or_init(|| async {
                self.runner
                    .outcome(&cell.spec(), &loaded.checkpoint)
                    .await
                    .map_err(|RunError(e)| format!("restore of {} on {} failed: {e}", key.0, key.1))
            })
            .await
            .clone()
    }

    /// Runs one cell (sharing checkpoints and outcomes with earlier calls).
    pub async fn cell(&self, cell: &Cell) -> CellReport {
        let mut report = CellReport::new(cell);
        let loaded = match self.image(cell).await {
            Ok(l) => l,
            Err(e) => {
                report.detail = e;
                return report.finish();
            }
        };
        let target = cell.target.model;
        let verdict = policy::evaluate(cell.policy, &loaded.image, target.name, &target.caps);
        report.accepted = Some(verdict.accepted());
        report.verdict = Some(verdict);
        match self.outcome(cell, &loaded).await {
            Ok(o) => {
                report.outcome = Some(o.outcome);
                report.detail = o.detail;
            }
            Err(e) => report.detail = e,
        }
        report.finish()
    }
}

/// Runs `cells` in order and reports each; sources are checkpointed once
/// and outcomes shared across policies.
pub async fn run<R: CellRunner>(runner: &R, cells: &[&Cell]) -> Report {
    let session = Session::new(runner);
    let mut out = Vec::with_capacity(cells.len());
    for cell in cells {
        out.push(session.cell(cell).await);
    }
    Report::new(out)
}

/// The result of one cell.
#[derive(Debug, Clone, Serialize)]
pub struct CellReport {
    pub name: String,
    pub file: String,
    pub line: usize,
    pub source: String,
    pub target: String,
    pub policy: Policy,
    /// Whether the policy accepted the checkpointed image (absent: no image).
    pub accepted: Option<bool>,
    pub verdict: Option<Verdict>,
    pub outcome: Option<Outcome>,
    /// The runner's evidence, or why the harness failed.
    pub detail: String,
    pub class: Class,
    pub expected: Class,
    pub expected_outcome: Option<Outcome>,
    /// Class equals the expectation, and the outcome too when one is expected.
    pub matches: bool,
}

impl CellReport {
    fn new(cell: &Cell) -> Self {
        CellReport {
            name: cell.name.clone(),
            file: cell.file.display().to_string(),
            line: cell.line,
            source: cell.source.label(),
            target: cpu_label(&cell.target).to_string(),
            policy: cell.policy,
            accepted: None,
            verdict: None,
            outcome: None,
            detail: String::new(),
            class: Class::Error,
            expected: cell.expect,
            expected_outcome: cell.expect_outcome,
            matches: false,
        }
    }

    fn finish(mut self) -> Self {
        self.class = match self.accepted {
            Some(a) => Class::of(a, self.outcome),
            None => Class::Error,
        };
        self.matches = self.class == self.expected
            && self
                .expected_outcome
                .is_none_or(|o| Some(o) == self.outcome);
        debug_assert!(!self.matches || self.outcome.is_some_and(|o| class_allows(self.class, o)));
        self
    }

    /// One line saying how the cell differs from its expectation.
    pub fn difference(&self) -> String {
        let mut s = format!("{}: expected {}", self.name, self.expected);
        if let Some(o) = self.expected_outcome {
            s.push_str(&format!(" (outcome {o})"));
        }
        s.push_str(&format!(", got {}", self.class));
        if let Some(o) = self.outcome {
            s.push_str(&format!(" (outcome {o})"));
        }
        if !self.detail.is_empty() {
            s.push_str(&format!(": {}", self.detail.lines().next().unwrap_or("")));
        }
        s
    }
}

/// Every cell's result and the overall verdict.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The JSON schema: `ppcr-scenario-report/1`.
    pub schema: &'static str,
    /// True when every cell matched and there was at least one.
    pub passed: bool,
    pub cells_total: usize,
    pub differences: usize,
    pub cells: Vec<CellReport>,
}

impl Report {
    pub fn new(cells: Vec<CellReport>) -> Self {
        let differences = cells.iter().filter(|c| !c.matches).count();
        Report {
            schema: "ppcr-scenario-report/1",
            passed: !cells.is_empty() && differences == 0,
            cells_total: cells.len(),
            differences,
            cells,
        }
    }

    /// Plain text: differences first, one line each; then every cell with
    /// its verdict and reasons; then a summary line.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let diffs: Vec<_> = self.cells.iter().filter(|c| !c.matches).collect();
        if !diffs.is_empty() {
            out.push_str(&format!("differences ({}):\n", diffs.len()));
            for c in &diffs {
                out.push_str(&format!("  DIFF {}\n", c.difference()));
            }
            out.push('\n');
        }
        out.push_str("cells:\n");
        for c in &self.cells {
            let verdict = match c.accepted {
                Some(true) => "accept",
                Some(false) => "refuse",
                None => "-",
            };
            let outcome = c.outcome.map_or("-", |o| o.name());
            out.push_str(&format!(
                "  {} {}  verdict {verdict}  outcome {outcome}  class {}  expected {}\n",
                if c.matches { "ok  " } else { "DIFF" },
                c.name,
                c.class,
                c.expected
            ));
            if let Some(v) = &c.verdict {
                for r in &v.reasons {
                    out.push_str(&format!("        reason: {r}\n"));
                }
                for conv in &v.conversions {
                    out.push_str(&format!("        convert: {conv}\n"));
                }
            }
            if !c.detail.is_empty() {
                out.push_str(&format!("        detail: {}\n", c.detail));
            }
        }
        out.push_str(&format!(
            "\n{} cells, {} match, {} differ: {}\n",
            self.cells_total,
            self.cells_total - self.differences,
            self.differences,
            if self.passed { "PASS" } else { "FAIL" }
        ));
        out
    }
}
