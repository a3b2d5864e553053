//! Bug reproduction (`ppcr repro`, docs/REPRO.md): run one cell — a
//! one-cell scenario, or an image plus a target and policy — with guest
//! traces on, and keep everything a maintainer needs in a directory: the
//! QEMU command lines and payloads, the QMP and gdb transcripts, the images,
//! a register-level diff of expected and observed state, the verdict, the
//! outcome and a `summary.md`.

mod write;

use ppcr_core::class::{Class, Outcome};
use ppcr_core::cpu::ResolvedCpu;
use ppcr_core::format::Image;
use ppcr_core::policy::{self, Policy, Verdict};
use serde::Serialize;
use std::path::{Path, PathBuf};

use crate::guest::regs::RegisterReading;
use crate::scenario::{cpu_label, Cell};
use crate::sim::{self, CheckpointOptions, GuestTrace, Mode, RestoreOptions, RestoreReport};

pub use write::{default_dir, summary_md, summary_text, write_all};

/// What to reproduce.
#[derive(Debug, Clone)]
pub enum Input {
    /// A scenario cell: checkpoint its source, then restore.
    Cell(Box<Cell>),
    /// An image file's contents, a target and a policy.
    Image {
        image: Box<Image>,
        file: PathBuf,
        target: ResolvedCpu,
        policy: Policy,
    },
}

/// Where the expected side of the register diff comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Baseline {
    /// The source run continued from the checkpoint to its exit (the
    /// reference run), scenario mode.
    ReferenceRun,
    /// The same image force-restored on its own source model, image mode.
    SourceRestore,
}

/// One register whose value differs between the expected and the observed
/// run (or exists in only one of them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RegDiff {
    pub name: String,
    pub class: String,
    /// Hex, or `None` when the register does not exist on that side.
    pub expected: Option<String>,
    pub observed: Option<String>,
}

/// Registers left out of the diff: they count time, not state.
pub const VOLATILE: &[&str] = &[
    "tbl", "tbu", "dec", "decar", "atbl", "atbu", "purr", "spurr", "vtb", "ic", "tbu40",
];

/// Everything one repro learnt.
#[derive(Debug, Serialize)]
pub struct Repro {
    /// The cell name (scenario mode) or `image::<file>-><target>::<policy>`.
    pub name: String,
    /// `cpu/flavour/workload` of the image's source.
    pub source: String,
    pub target: String,
    pub policy: Policy,
    #[serde(skip)]
    pub image: Option<Image>,
    /// The image rewritten for the target, when a conversion applied.
    #[serde(skip)]
    pub converted: Option<Image>,
    pub conversions: Vec<String>,
    pub verdict: Option<Verdict>,
    /// The forced restore on the target.
    pub restore: Option<RestoreReport>,
    pub outcome: Option<Outcome>,
    pub class: Class,
    /// Scenario mode: the expected class and outcome.
    pub expected: Option<Class>,
    pub expected_outcome: Option<Outcome>,
    /// Exit 0 or 1: the class matches the expectation (scenario mode), or
    /// the restore is `ok` (image mode).
    pub matches: bool,
    pub baseline: Baseline,
    /// The expected side: reference run or source restore.
    pub baseline_detail: String,
    #[serde(skip)]
    pub source_trace: Option<GuestTrace>,
    #[serde(skip)]
    pub target_trace: Option<GuestTrace>,
    pub registers: Vec<RegDiff>,
    /// Harness failures (the `error` class), in order.
    pub errors: Vec<String>,
    /// The scenario file (scenario mode) or image file (image mode).
    pub input: PathBuf,
}

/// Runs the cell with traces on (no files written: see [`write_all`]).
pub async fn run(input: &Input, timeout: std::time::Duration) -> Repro {
    let (name, policy, target, file) = match input {
        Input::Cell(c) => (c.name.clone(), c.policy, c.target, c.file.clone()),
        Input::Image {
            file,
            target,
            policy,
            image,
        } => (
            format!(
                "image::{}/{}/{}->{}::{policy}",
                image.header.source.model,
                image.header.flavour.name(),
                image.header.workload,
                cpu_label(target)
            ),
            *policy,
            *target,
            file.clone(),
        ),
    };
    let mut r = Repro {
        name,
        source: String::new(),
        target: cpu_label(&target).to_string(),
        policy,
        image: None,
        converted: None,
        conversions: Vec::new(),
        verdict: None,
        restore: None,
        outcome: None,
        class: Class::Error,
        expected: None,
        expected_outcome: None,
        matches: false,
        baseline: Baseline::ReferenceRun,
        baseline_detail: String::new(),
        source_trace: None,
        target_trace: None,
        registers: Vec::new(),
        errors: Vec::new(),
        input: file,
    };
    let forced = RestoreOptions {
        mode: Mode::Forced,
        timeout,
        machine: None,
    };

    // 1. The image: checkpoint (traced), or the file's.
    let image = match input {
        Input::Cell(c) => {
            r.source = c.source.label();
            r.expected = Some(c.expect);
            r.expected_outcome = c.expect_outcome;
            let (res, trace) = sim::checkpoint_traced(
                c.source.cpu.variant.qemu_name,
                c.source.flavour,
                &c.source.workload,
                &CheckpointOptions::default(),
            )
            .await;
            r.source_trace = trace;
            match res {
                Ok(ck) => {
                    r.baseline_detail = format!(
                        "reference run: the source continued from the checkpoint to its exit \
                         (checksum {:#x})",
                        ck.reference
                    );
                    ck.image
                }
                Err(e) => {
                    r.errors
                        .push(format!("checkpoint of {} failed: {e}", c.source.label()));
                    return r;
                }
            }
        }
        Input::Image { image, .. } => {
            let h = &image.header;
            r.source = format!("{}/{}/{}", h.source.model, h.flavour.name(), h.workload);
            r.baseline = Baseline::SourceRestore;
            let (res, trace) = sim::restore_traced(image, &h.source.model, &forced).await;
            r.source_trace = trace;
            match res {
                Ok(b) => {
                    r.baseline_detail = format!(
                        "the same image force-restored on its source model {}: {} ({})",
                        h.source.model,
                        b.outcome.map_or("no outcome", |o| o.name()),
                        b.detail
                    )
                }
                Err(e) => r.baseline_detail = format!("baseline restore on the source failed: {e}"),
            }
            (**image).clone()
        }
    };

    // 2. Verdict and conversion (what a policy restore would write).
    let model = target.model;
    let verdict = policy::evaluate(policy, &image, model.name, &model.caps);
    match policy::convert(&image, model.name, &model.caps) {
        Ok((converted, convs)) if !convs.is_empty() => {
            r.conversions = convs.iter().map(|c| c.to_string()).collect();
            r.converted = Some(converted);
        }
        Ok(_) => {}
        Err(e) => r.conversions.push(format!("none: {e}")),
    }

    // 3. The forced restore, traced.
    let (res, trace) = sim::restore_traced(&image, target.variant.qemu_name, &forced).await;
    r.target_trace = trace;
    match res {
        Ok(rep) => {
            r.outcome = rep.outcome;
            r.restore = Some(rep);
        }
        Err(e) => r.errors.push(format!(
            "forced restore on {} failed: {e}",
            target.variant.qemu_name
        )),
    }
    r.class = if r.errors.is_empty() && r.outcome.is_some() {
        Class::of(verdict.accepted(), r.outcome)
    } else {
        Class::Error
    };
    r.matches = match r.expected {
        Some(exp) => r.class == exp && r.expected_outcome.is_none_or(|o| Some(o) == r.outcome),
        None => r.outcome == Some(Outcome::Ok),
    };
    r.verdict = Some(verdict);
    r.image = Some(image);
    if let (Some(s), Some(t)) = (&r.source_trace, &r.target_trace) {
        r.registers = diff(&s.registers, &t.registers);
    }
    r
}

/// The registers that differ between two dumps, in the expected dump's
/// order, then those only the observed one has; [`VOLATILE`] left out.
pub fn diff(expected: &[RegisterReading], observed: &[RegisterReading]) -> Vec<RegDiff> {
    let find = |v: &[RegisterReading], n: &str| v.iter().find(|r| r.name == n).map(|r| r.hex());
    let mut out = Vec::new();
    for e in expected {
        if VOLATILE.contains(&e.name.as_str()) {
            continue;
        }
        let o = find(observed, &e.name);
        let x = Some(e.hex());
        if o != x {
            out.push(RegDiff {
                name: e.name.clone(),
                class: e.class.name().to_string(),
                expected: x,
                observed: o,
            });
        }
    }
    for o in observed {
        if VOLATILE.contains(&o.name.as_str()) || expected.iter().any(|e| e.name == o.name) {
            continue;
        }
        out.push(RegDiff {
            name: o.name.clone(),
            class: o.class.name().to_string(),
            expected: None,
            observed: Some(o.hex()),
        });
    }
    out
}

/// The directory `ppcr repro` keeps things in by default, made unique.
pub fn new_dir(base: &Path) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(base)?;
    let stamp = write::timestamp();
    for n in 0.. {
        let name = if n == 0 {
            format!("repro-{stamp}")
        } else {
            format!("repro-{stamp}-{n}")
        };
        let p = base.join(name);
        match std::fs::create_dir(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guest::regs::RegisterClass;

    fn reg(name: &str, v: Option<u128>) -> RegisterReading {
        RegisterReading {
            name: name.into(),
            regnum: 0,
            bits: 64,
            class: RegisterClass::Core,
            value: v,
            error: None,
        }
    }

    #[test]
    fn diff_lists_changed_missing_and_extra_registers_but_not_time() {
        let e = [
            reg("r3", Some(1)),
            reg("r4", Some(2)),
            reg("vs0h", Some(3)),
            reg("tbl", Some(9)),
        ];
        let o = [
            reg("r3", Some(1)),
            reg("r4", Some(5)),
            reg("tbl", Some(10)),
            reg("spefscr", Some(0)),
        ];
        let d = diff(&e, &o);
        let names: Vec<_> = d.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["r4", "vs0h", "spefscr"]);
        assert_eq!(d[1].observed, None);
        assert_eq!(d[2].expected, None);
    }
}
