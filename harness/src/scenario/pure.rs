//! What can be checked without the restore simulator: whether a cell's
//! expected class agrees with the policy's verdict on a synthetic image of
//! its source (`pass`/`unsafe` need acceptance, `refuse`/`needless` need
//! refusal). The outcome half of the expectation is not checked here.

use super::cell::Cell;
use super::workload;
use ppcr_core::policy::{evaluate, Verdict};
use ppcr_core::synth;

/// The seed of synthetic images for verdict checks (fixed: reproducible).
pub const SEED: u64 = 0x5ce0;

/// A verdict on a synthetic image of a cell's source.
#[derive(Debug, Clone)]
pub struct VerdictCheck {
    pub verdict: Verdict,
    /// Whether the verdict agrees with the expected class.
    pub consistent: bool,
}

impl VerdictCheck {
    /// One line for test output.
    pub fn describe(&self, cell: &Cell) -> String {
        let decision = if self.verdict.accepted() {
            "accepts"
        } else {
            "refuses"
        };
        let mut s = format!(
            "{} {decision} a synthetic {} image on {}; expected class {} needs it to {}",
            cell.policy,
            cell.source.label(),
            cell.target.model.name,
            cell.expect,
            if cell.expects_accept() {
                "accept"
            } else {
                "refuse"
            },
        );
        for r in &self.verdict.reasons {
            s.push_str(&format!("\n  reason: {r}"));
        }
        s
    }
}

/// Evaluates the cell's policy on a synthetic image of its source.
pub fn check_verdict(cell: &Cell) -> Result<VerdictCheck, String> {
    let w = workload::find(&cell.source.workload)
        .ok_or_else(|| format!("unknown workload {}", cell.source.workload))?;
    let image = synth::image(cell.source.cpu.model, cell.source.flavour, w.records, SEED)
        .map_err(|e| format!("no synthetic image of {}: {e}", cell.source.label()))?;
    let target = cell.target.model;
    let verdict = evaluate(cell.policy, &image, target.name, &target.caps);
    Ok(VerdictCheck {
        consistent: verdict.accepted() == cell.expects_accept(),
        verdict,
    })
}
