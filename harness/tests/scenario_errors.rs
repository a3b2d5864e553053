//! Bad scenario files (`tests/data/bad-scenarios/`): every error names the
//! file, line, column and field. The expected messages are exact.

use ppcr::scenario::parse_str;
use std::path::Path;
use std::process::Command;

fn bad_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/bad-scenarios")
}

fn errors(name: &str) -> String {
    let text = std::fs::read_to_string(bad_dir().join(name)).expect("read bad scenario");
    match parse_str(&text, &Path::new("bad-scenarios").join(name)) {
        Ok(s) => panic!("{name} parsed: {} cells", s.cells.len()),
        Err(e) => e.to_string(),
    }
}

const CASES: &[(&str, &str)] = &[
    ("class-outcome-conflict.toml", "bad-scenarios/class-outcome-conflict.toml:6:18: set[0].expect_outcome: cell class-outcome-conflict::power9/ppc64/vsx->power10::records expects class pass with outcome crash: pass needs outcome ok"),
    ("duplicate-cell.toml", "bad-scenarios/duplicate-cell.toml:8:12: set[1].sources[0]: duplicate cell duplicate-cell::power9/ppc64/vsx->power10::hwcap (already defined by the set at line 1)"),
    ("duplicate-target.toml", "bad-scenarios/duplicate-target.toml:3:32: set[0].targets[2]: duplicate cell duplicate-target::power9/ppc64/vsx->power10::records (already defined by the set at line 1)"),
    ("empty-sources.toml", "bad-scenarios/empty-sources.toml:2:11: set[0].sources: empty: a set needs at least one source"),
    ("empty-targets.toml", "bad-scenarios/empty-targets.toml:3:11: set[0].targets: empty: a set needs at least one target"),
    ("error-class.toml", "bad-scenarios/error-class.toml:5:10: set[0].expect: 'error' cannot be expected: a harness failure is always a difference; expect one of pass, refuse, unsafe, needless"),
    ("flavour-not-run.toml", "bad-scenarios/flavour-not-run.toml:2:50: set[0].sources[0].flavour[1]: e500v2 cannot run a ppc64 process (it runs ppc32)"),
    ("missing-targets.toml", "bad-scenarios/missing-targets.toml:1:1: set[0].targets: missing field `targets`"),
    ("no-expect.toml", "bad-scenarios/no-expect.toml:6:1: set[0].expect: no expected class for cell no-expect::power9/ppc64/vsx->power10::records: add a rule without selectors (class = \"...\") or one that matches"),
    ("no-set.toml", "bad-scenarios/no-set.toml:1:1: set: a scenario needs at least one [[set]]"),
    ("rule-matches-nothing.toml", "bad-scenarios/rule-matches-nothing.toml:9:1: set[0].expect[1]: this expectation matches no cell of the set"),
    ("syntax.toml", "bad-scenarios/syntax.toml:3:1: missing comma between array elements, expected `,`"),
    ("unknown-class.toml", "bad-scenarios/unknown-class.toml:11:9: set[0].expect[1].class: unknown class 'refused' (expected one of pass, refuse, unsafe, needless)"),
    ("unknown-cpu.toml", "bad-scenarios/unknown-cpu.toml:4:20: set[0].sources[0].cpu: unknown CPU model 'power99' (did you mean power9, power7, power8?); `ppcr cpus` lists the catalogue"),
    ("unknown-key-source.toml", "bad-scenarios/unknown-key-source.toml:4:21: set[0].sources[1].flavor: unknown field `flavor`, expected one of `cpu`, `flavour`, `workload`"),
    ("unknown-key.toml", "bad-scenarios/unknown-key.toml:6:1: set[0].expected_outcome: unknown field `expected_outcome`, expected one of `name`, `sources`, `targets`, `policies`, `expect`, `expect_outcome`"),
    ("unknown-policy.toml", "bad-scenarios/unknown-policy.toml:4:24: set[0].policies[1]: unknown policy 'lenient' (strict, records, hwcap, or \"all\")"),
    ("unknown-target.toml", "bad-scenarios/unknown-target.toml:3:21: set[0].targets[1]: unknown CPU model 'e550' (did you mean e5500, e500v2, e6500?); `ppcr cpus` lists the catalogue"),
    ("unknown-workload.toml", "bad-scenarios/unknown-workload.toml:2:60: set[0].sources[0].workload: unknown workload 'vsxx' (did you mean vsx, vmx?); known: int, fp, vmx, vsx, mix, spe, efp-double, dabr, dawr, booke-debug, isa300, isa31, dispatch"),
    ("workload-not-run.toml", "bad-scenarios/workload-not-run.toml:2:60: set[0].sources[0].workload: power9 cannot run workload spe: no SPE (PPC_FEATURE_HAS_SPE)"),
    ("workload-hwcap.toml", "bad-scenarios/workload-hwcap.toml:2:73: set[0].sources[0].workload[1]: power9 cannot run workload isa31: no ARCH_3_1 (AT_HWCAP/AT_HWCAP2)"),
    ("workload-flavour.toml", "bad-scenarios/workload-flavour.toml:2:60: set[0].sources[0].workload: power9 cannot run workload vsx: it is built for ppc64, ppc64le only"),
    ("wrong-type.toml", "bad-scenarios/wrong-type.toml:5:10: set[0].expect: invalid type: integer `3`, expected a class name or an array of expectation tables"),
    ("policy-outcome.toml", "bad-scenarios/policy-outcome.toml:10:11: set[0].expect[1].outcome: the outcome does not depend on the policy: drop `policy = \"records\"` from this rule or state only `class`"),
    ("bad-name.toml", "bad-scenarios/bad-name.toml:1:8: name: 'my smoke' is not a valid scenario name: use letters, digits, '-', '_' and '.'"),
];

#[test]
fn each_bad_file_gives_its_exact_error() {
    let mut failures = Vec::new();
    for (name, want) in CASES {
        let got = errors(name);
        if got != *want {
            failures.push(format!("{name}:\n  want {want:?}\n  got  {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_bad_file_has_a_case() {
    for e in std::fs::read_dir(bad_dir()).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(
            CASES.iter().any(|(n, _)| *n == name),
            "{name} has no expected message in CASES"
        );
    }
}

#[test]
fn several_errors_in_one_file_are_all_reported() {
    let text = r#"
[[set]]
sources = [{ cpu = "power99", flavour = "ppc64", workload = "vsx" }]
targets = ["e6500", "zzz"]
policies = ["records", "lenient"]
expect = "refuse"
"#;
    let e = parse_str(text, Path::new("multi.toml")).unwrap_err();
    let fields: Vec<_> = e.0.iter().map(|e| (e.line, e.field.as_str())).collect();
    assert_eq!(
        fields,
        [
            (3, "set[0].sources[0].cpu"),
            (4, "set[0].targets[1]"),
            (5, "set[0].policies[1]")
        ]
    );
}

#[test]
fn cli_exit_2_on_bad_input_with_location() {
    let out = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(["run"])
        .arg(bad_dir().join("unknown-cpu.toml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown-cpu.toml:4:20: set[0].sources[0].cpu: unknown CPU model 'power99'"),
        "{err}"
    );
}

fn examples() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/examples");
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    v.sort();
    v
}

/// The examples run in QEMU through the simulator and match; `--filter`
/// selects by substring (`=` form for a filter starting with `-`).
#[test]
fn cli_run_examples_match_under_the_simulator() {
    let out = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .arg("run")
        .args(examples())
        // The bug reproduction that used to be an example (scenarios/bugs/).
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/bugs/bug-hwcap-dispatch.toml"),
        )
        .args(["--json", "--filter=->970::"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{v:#}");
    assert_eq!(v["passed"], true);
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 4);
    for c in cells {
        assert!(c["name"].as_str().unwrap().contains("->970::"));
        assert_eq!(c["outcome"], "crash");
        assert_eq!(c["matches"], true);
    }
}

/// A wrong expectation is a difference: exit 1, listed first, one line.
#[test]
fn cli_run_reports_a_difference_first() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("wrong.toml");
    std::fs::write(
        &file,
        r#"
[[set]]
sources = [{ cpu = "power9", flavour = "ppc64", workload = "vsx" }]
targets = ["power10"]
policies = ["records", "strict"]
expect = "pass"
"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .arg("run")
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("differences (1):"));
    assert!(lines.next().unwrap().starts_with(
        "  DIFF wrong::power9/ppc64/vsx->power10::strict: expected pass, got needless (outcome ok)"
    ), "{text}");
    assert!(
        text.ends_with("2 cells, 1 match, 1 differ: FAIL\n"),
        "{text}"
    );
}

#[test]
fn cli_filter_matching_nothing_is_bad_input() {
    let out = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .arg("run")
        .args(examples())
        .args(["--filter", "no-such-cell"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no cell name contains 'no-such-cell'"));
}

#[test]
fn cli_run_takes_directories() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/examples");
    let out = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .arg("run")
        .arg(&dir)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let want: usize = examples()
        .iter()
        .map(|f| {
            ppcr::scenario::parse_file(Path::new(f))
                .unwrap()
                .cells
                .len()
        })
        .sum();
    assert_eq!(v["cells_total"], want);
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .arg("run")
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
