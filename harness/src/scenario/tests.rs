//! Unit tests: enumeration, naming, expectations, running through a fake
//! runner (sharing of checkpoints and outcomes), reports.

use super::*;
use ppcr_core::class::{Class, Outcome};
use ppcr_core::cpu::CATALOGUE;
use ppcr_core::policy::Policy;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

fn parse(text: &str) -> Scenario {
    parse_str(text, Path::new("scenarios/smoke.toml")).unwrap_or_else(|e| panic!("{e}"))
}

const SMOKE: &str = r#"
description = "smoke"
[[set]]
sources = [{ cpu = ["power9", "power8"], flavour = ["ppc64", "ppc64le"], workload = "vsx" }]
targets = ["e6500", "power10"]
policies = ["records", "hwcap"]
[[set.expect]]
class = "pass"
[[set.expect]]
target = "e6500"
class = "refuse"
outcome = "crash"
[[set.expect]]
cpu = "power8"
flavour = "ppc64le"
target = "e6500"
policy = "hwcap"
class = "refuse"
"#;

#[test]
fn cells_come_in_file_order_with_filterable_names() {
    let s = parse(SMOKE);
    assert_eq!(s.name, "smoke");
    assert_eq!(s.description, "smoke");
    let names: Vec<_> = s.cells.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), 16);
    assert_eq!(
        &names[..5],
        [
            "smoke::power9/ppc64/vsx->e6500::records",
            "smoke::power9/ppc64/vsx->e6500::hwcap",
            "smoke::power9/ppc64/vsx->power10::records",
            "smoke::power9/ppc64/vsx->power10::hwcap",
            "smoke::power9/ppc64le/vsx->e6500::records",
        ]
    );
    assert_eq!(names[8], "smoke::power8/ppc64/vsx->e6500::records");
    // Same text, same cells: the order is deterministic.
    assert_eq!(parse(SMOKE), s);
}

#[test]
fn later_rules_win_and_outcomes_follow_their_rules() {
    let s = parse(SMOKE);
    let cell = |n: &str| s.cells.iter().find(|c| c.name == n).unwrap();
    let c = cell("smoke::power9/ppc64/vsx->power10::hwcap");
    assert_eq!((c.expect, c.expect_outcome), (Class::Pass, None));
    let c = cell("smoke::power9/ppc64/vsx->e6500::records");
    assert_eq!(
        (c.expect, c.expect_outcome),
        (Class::Refuse, Some(Outcome::Crash))
    );
    assert_eq!(c.line, 3);
    assert_eq!(c.policy, Policy::Records);
    assert_eq!(c.target.model.name, "e6500");
    assert_eq!(c.source.workload, "vsx");
}

#[test]
fn all_expands_targets_and_policies() {
    let s = parse(
        r#"
name = "everything"
[[set]]
sources = [{ cpu = "power10", flavour = "ppc64", workload = "int" }]
targets = "all"
policies = "all"
expect = "pass"
"#,
    );
    assert_eq!(s.cells.len(), CATALOGUE.len() * 3);
    assert_eq!(
        s.cells[0].name,
        "everything::power10/ppc64/int->750::strict"
    );
}

#[test]
fn versioned_names_keep_their_variant() {
    let s = parse(
        r#"
[[set]]
sources = [{ cpu = "power9_v2.0", flavour = "ppc64", workload = "int" }]
targets = "POWER9"
policies = "strict"
expect = "pass"
"#,
    );
    assert_eq!(
        s.cells[0].name,
        "smoke::power9_v2.0/ppc64/int->power9::strict"
    );
}

#[test]
fn select_filters_by_substring() {
    let s = vec![parse(SMOKE)];
    assert_eq!(select(&s, None).len(), 16);
    assert_eq!(select(&s, Some("power8/ppc64le")).len(), 4);
    assert_eq!(select(&s, Some("::hwcap")).len(), 8);
    assert!(select(&s, Some("nothing")).is_empty());
}

/// A fake simulator: synthetic images; VSX crashes on CPUs without VSX.
#[derive(Default)]
struct Fake {
    checkpoints: AtomicUsize,
    restores: AtomicUsize,
}

impl CellRunner for Fake {
    async fn checkpoint(&self, s: &SourceSpec) -> Result<Checkpoint, RunError> {
        self.checkpoints.fetch_add(1, Ordering::SeqCst);
        let w = workload::find(&s.workload).unwrap();
        let image = ppcr_core::synth::image(s.cpu.model, s.flavour, w.records, 7)
            .map_err(|e| RunError(e.to_string()))?;
        Ok(Checkpoint {
            image: image.encode().unwrap(),
            detail: "fake".into(),
        })
    }

    async fn outcome(&self, cell: &CellSpec, _c: &Checkpoint) -> Result<Observed, RunError> {
        self.restores.fetch_add(1, Ordering::SeqCst);
        if cell.target.model.name == "power10" && cell.source.flavour.is_little_endian() {
            return Err(RunError("guest hung at boot".into()));
        }
        let ok = cell.target.model.caps.has_vsx();
        Ok(Observed {
            outcome: if ok { Outcome::Ok } else { Outcome::Crash },
            detail: if ok {
                "checksum matches"
            } else {
                "illegal instruction at 0x500100"
            }
            .into(),
        })
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn each_source_is_checkpointed_once_and_outcomes_are_shared() {
    let s = vec![parse(SMOKE)];
    let fake = Fake::default();
    let report = block_on(run(&fake, &select(&s, None)));
    // 4 sources (2 cpus × 2 flavours), 8 (source, target) pairs, 16 cells.
    assert_eq!(fake.checkpoints.load(Ordering::SeqCst), 4);
    assert_eq!(fake.restores.load(Ordering::SeqCst), 8);
    assert_eq!(report.cells_total, 16);
    // power10 restores of LE images fail in the fake: error, a difference.
    let errors: Vec<_> = report
        .cells
        .iter()
        .filter(|c| c.class == Class::Error)
        .collect();
    assert_eq!(errors.len(), 4);
    assert!(errors
        .iter()
        .all(|c| c.name.contains("ppc64le/vsx->power10") && !c.matches));
    assert!(
        errors[0].verdict.is_some(),
        "the verdict is known even when the outcome is not"
    );
    assert_eq!(report.differences, 4);
    assert!(!report.passed);
    let e6500 = report
        .cells
        .iter()
        .find(|c| c.name == "smoke::power9/ppc64/vsx->e6500::records")
        .unwrap();
    assert_eq!(
        (e6500.class, e6500.outcome, e6500.matches),
        (Class::Refuse, Some(Outcome::Crash), true)
    );
    assert!(e6500.verdict.as_ref().unwrap().reasons[0]
        .to_string()
        .contains("VSX"));
    let text = report.render_text();
    assert!(text.starts_with("differences (4):\n  DIFF smoke::power9/ppc64le/vsx->power10::records: expected pass, got error: restore of power9/ppc64le/vsx on power10 failed: guest hung at boot\n"), "{text}");
    assert!(
        text.ends_with("16 cells, 12 match, 4 differ: FAIL\n"),
        "{text}"
    );
}

#[test]
fn a_wrong_expectation_is_a_difference() {
    let s = vec![parse(
        r#"
[[set]]
sources = [{ cpu = "power9", flavour = "ppc64", workload = "vsx" }]
targets = ["power8"]
policies = ["records", "strict"]
expect = "pass"
"#,
    )];
    let report = block_on(run(&Fake::default(), &select(&s, None)));
    let classes: Vec<_> = report.cells.iter().map(|c| (c.class, c.matches)).collect();
    assert_eq!(classes, [(Class::Pass, true), (Class::Needless, false)]);
    assert!(!report.passed);
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["schema"], "ppcr-scenario-report/1");
    assert_eq!(json["cells"][1]["class"], "needless");
    assert_eq!(json["cells"][1]["verdict"]["policy"], "strict");
}

#[test]
fn expected_outcome_must_match_too() {
    let s = vec![parse(
        r#"
[[set]]
sources = [{ cpu = "power9", flavour = "ppc64", workload = "vsx" }]
targets = "e6500"
policies = "records"
expect = "refuse"
expect_outcome = "hang"
"#,
    )];
    let report = block_on(run(&Fake::default(), &select(&s, None)));
    let c = &report.cells[0];
    assert_eq!(
        (c.class, c.expected, c.matches),
        (Class::Refuse, Class::Refuse, false)
    );
    assert!(
        c.difference()
            .contains("expected refuse (outcome hang), got refuse (outcome crash)"),
        "{}",
        c.difference()
    );
}

#[test]
fn without_the_simulator_every_cell_is_error() {
    let s = vec![parse(SMOKE)];
    let report = block_on(run(&Unavailable, &select(&s, None)));
    assert!(!report.passed);
    assert_eq!(report.differences, 16);
    for c in &report.cells {
        assert_eq!(c.class, Class::Error);
        assert!(c.verdict.is_none() && c.outcome.is_none());
        assert!(c.detail.ends_with(UNAVAILABLE), "{}", c.detail);
    }
}

#[test]
fn an_empty_run_is_not_a_pass() {
    let report = block_on(run(&Unavailable, &[]));
    assert!(!report.passed);
}

#[test]
fn a_garbage_checkpoint_is_an_error_not_a_crash() {
    struct Garbage;
    impl CellRunner for Garbage {
        async fn checkpoint(&self, _: &SourceSpec) -> Result<Checkpoint, RunError> {
            Ok(Checkpoint {
                image: b"not an image".to_vec(),
                detail: String::new(),
            })
        }
        async fn outcome(&self, _: &CellSpec, _: &Checkpoint) -> Result<Observed, RunError> {
            unreachable!("no outcome without an image")
        }
    }
    let s = vec![parse(SMOKE)];
    let report = block_on(run(
        &Garbage,
        &select(&s, Some("power9/ppc64/vsx->e6500::records")),
    ));
    assert_eq!(report.cells[0].class, Class::Error);
    assert!(
        report.cells[0].detail.contains("is not a valid image"),
        "{}",
        report.cells[0].detail
    );
}

#[test]
fn synthetic_verdicts_check_the_expected_decision() {
    let s = parse(SMOKE);
    for c in &s.cells {
        let check = check_verdict(c).unwrap();
        // In SMOKE, e6500 cells expect refuse and power10 cells pass.
        assert!(check.consistent, "{}", check.describe(c));
    }
    let wrong = parse(
        r#"
[[set]]
sources = [{ cpu = "power9", flavour = "ppc64", workload = "vsx" }]
targets = "e6500"
policies = "records"
expect = "needless"
"#,
    );
    let check = check_verdict(&wrong.cells[0]).unwrap();
    assert!(
        check.consistent,
        "needless needs a refusal, and records refuses"
    );
    let wrong = parse(
        r#"
[[set]]
sources = [{ cpu = "power9", flavour = "ppc64", workload = "vsx" }]
targets = "e6500"
policies = "records"
expect = "unsafe"
"#,
    );
    let check = check_verdict(&wrong.cells[0]).unwrap();
    assert!(!check.consistent);
    assert!(check.describe(&wrong.cells[0]).starts_with(
        "records refuses a synthetic power9/ppc64/vsx image on e6500; expected class unsafe needs it to accept"
    ));
}

#[test]
fn class_and_outcome_consistency() {
    assert!(class_allows(Class::Pass, Outcome::Ok));
    assert!(class_allows(Class::Needless, Outcome::Ok));
    assert!(!class_allows(Class::Refuse, Outcome::Ok));
    assert!(class_allows(Class::Unsafe, Outcome::Wrong));
    assert!(!class_allows(Class::Pass, Outcome::Hang));
    assert!(!class_allows(Class::Error, Outcome::Ok));
}

#[test]
fn scenario_names_must_be_unique_across_files() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    let body = "name = \"same\"\n[[set]]\nsources = [{ cpu = \"power9\", flavour = \"ppc64\", workload = \"int\" }]\ntargets = \"power9\"\npolicies = \"strict\"\nexpect = \"pass\"\n";
    std::fs::write(&a, body).unwrap();
    std::fs::write(&b, body).unwrap();
    let e = parse_files(&[a, b.clone()]).unwrap_err();
    assert_eq!(e.0.len(), 1);
    assert_eq!(e.0[0].file, b);
    let want = format!(
        ":1:1: name: scenario name 'same' is also the name of {}; cell names must be unique",
        dir.path().join("a.toml").display()
    );
    assert!(e.0[0].to_string().ends_with(&want), "{}", e.0[0]);
    let missing = parse_files(&[dir.path().join("missing.toml")]).unwrap_err();
    assert!(
        missing.to_string().contains("missing.toml: cannot read"),
        "{missing}"
    );
}
