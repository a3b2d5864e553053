//! The committed baseline (`scenarios/baseline/matrix.json`, the full
//! default matrix measured in QEMU) is a complete, passing matrix that the
//! nightly run diffs against.

use std::path::Path;
use std::process::Command;

fn baseline() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/baseline/matrix.json")
}

#[test]
fn the_baseline_is_complete_and_safe_under_hwcap() {
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(baseline()).unwrap()).unwrap();
    assert_eq!(m["schema_version"], 1);
    assert_eq!(m["complete"], true);
    assert!(m["shard"].is_null());
    let pairs = m["pairs"].as_array().unwrap();
    assert_eq!(
        pairs.len(),
        m["rows"].as_array().unwrap().len() * m["targets"].as_array().unwrap().len()
    );
    for p in pairs {
        assert!(!p["outcome"].is_null(), "{}", p["name"]);
        for c in p["cells"].as_array().unwrap() {
            assert_ne!(c["class"], "error", "{}", p["name"]);
            if c["policy"] == "hwcap" {
                assert_ne!(c["class"], "unsafe", "{}", p["name"]);
            }
        }
    }
}

#[test]
fn the_baseline_diffs_clean_against_itself() {
    let b = baseline();
    let o = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(["matrix", "diff"])
        .arg(&b)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
}

#[test]
fn the_baseline_has_exactly_the_rows_of_the_default_plan() {
    // The workload table changes what the default matrix covers; the
    // committed baseline must then be measured again.
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(baseline()).unwrap()).unwrap();
    let baseline_rows: Vec<String> = m["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    let plan = ppcr::matrix::Selection::default().plan().unwrap();
    let rows: Vec<String> = plan.rows.iter().map(|r| r.name()).collect();
    assert_eq!(rows, baseline_rows);
}
