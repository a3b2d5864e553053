//! The `ppcr` binary, end to end, for the commands that need no guest:
//! golden images, exit codes, error messages.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ppcr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(args)
        .output()
        .expect("run ppcr")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../images/golden")
}

fn golden(name: &str) -> String {
    golden_dir().join(name).to_string_lossy().into_owned()
}

const GOLDEN: [&str; 12] = [
    "ppc32-e500v2-spe-booke.img",
    "ppc32-440epb-fpr-booke.img",
    "ppc64-970-fpr-vmx-dabr.img",
    "ppc64le-power10-fpr-vmx-vsx-dawr.img",
    // Checkpointed from real guests (`ppcr checkpoint`, QEMU 10.0.2 TCG);
    // byte-identical when checkpointed twice.
    "real-book3s64-power9-ppc64-vsx.img",
    "real-book3s64-power10-ppc64le-mix.img",
    "real-book3s64-970-ppc64-dabr.img",
    "real-book3s64-power8-ppc64-dawr.img",
    "real-book3s32-7400-ppc32-vmx.img",
    "real-booke-e500v2-ppc32-spe.img",
    "real-booke-e5500-ppc64-booke-debug.img",
    "real-ppc440-440epb-ppc32-booke-debug.img",
];

/// Format 1.0 golden images must read, and print the same, in every later version.
#[test]
fn golden_images_inspect_unchanged() {
    let mut all_records = std::collections::BTreeSet::new();
    for name in GOLDEN {
        let out = ppcr(&["image", "inspect", &golden(name)]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let text = stdout(&out);
        for line in text.lines().filter(|l| l.starts_with("records")) {
            all_records.extend(
                line.split(':')
                    .nth(1)
                    .unwrap()
                    .split_whitespace()
                    .map(String::from),
            );
        }
        insta::assert_snapshot!(name.trim_end_matches(".img"), text);
        let json = ppcr(&["image", "inspect", "--json", &golden(name)]);
        assert!(json.status.success());
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(v["format"], "1.0");
    }
    let want = [
        "main",
        "fpr",
        "vmx",
        "vsx",
        "spe",
        "dabr",
        "dawr",
        "booke-debug",
    ];
    assert!(
        want.iter().all(|r| all_records.contains(*r)),
        "golden images lack a record: {all_records:?}"
    );
}

#[test]
fn golden_images_reencode_byte_for_byte() {
    for name in GOLDEN {
        let bytes = std::fs::read(golden(name)).unwrap();
        let image = ppcr_core::format::Image::decode(&bytes).unwrap();
        assert_eq!(image.encode().unwrap(), bytes, "{name}");
    }
}

#[test]
fn check_exit_codes_and_reasons() {
    let img = golden("ppc64le-power10-fpr-vmx-vsx-dawr.img");
    let ok = ppcr(&["check", &img, "--target", "power11"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).starts_with("accept on power11 (policy hwcap)"));

    let refused = ppcr(&["check", &img, "--target", "e6500", "--policy", "records"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(stdout(&refused)
        .contains("VSX record: image has VSX state; target lacks PPC_FEATURE_HAS_VSX"));

    let json = ppcr(&["check", &img, "--target", "power9", "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["policy"], "hwcap");
    assert_eq!(v["reasons"][0]["subject"]["name"], "PPC_FEATURE2_ARCH_3_1");
}

#[test]
fn unknown_cpu_is_bad_input_with_suggestions() {
    let img = golden("ppc64-970-fpr-vmx-dabr.img");
    let o = ppcr(&["check", &img, "--target", "power99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown CPU model 'power99' (did you mean power9"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn verify_reports_corruption_precisely() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(golden("ppc64-970-fpr-vmx-dabr.img")).unwrap();
    let bad = dir.path().join("bad.img");
    bytes[300] ^= 1;
    std::fs::write(&bad, &bytes).unwrap();
    let o = ppcr(&["image", "verify", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("checksum mismatch"), "{}", stdout(&o));

    let short = dir.path().join("short.img");
    std::fs::write(&short, &bytes[..1000]).unwrap();
    let o = ppcr(&["image", "verify", short.to_str().unwrap()]);
    assert!(
        stdout(&o).contains("image truncated: header declares 1708 bytes, only 1000 present"),
        "{}",
        stdout(&o)
    );

    // Any other command treats a corrupt image as bad input.
    let o = ppcr(&["check", short.to_str().unwrap(), "--target", "power9"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ppcr(&[
        "image",
        "verify",
        dir.path().join("missing").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn new_refuses_what_the_model_cannot_produce() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.img");
    let o = ppcr(&[
        "image",
        "new",
        "--cpu",
        "970",
        "--flavour",
        "ppc64",
        "--records",
        "vsx",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("970 cannot produce a VSX record: no VSX (PPC_FEATURE_HAS_VSX)"),
        "{}",
        stderr(&o)
    );
    let o = ppcr(&[
        "image",
        "new",
        "--cpu",
        "e500mc",
        "--flavour",
        "ppc64",
        "--records",
        "none",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("e500mc cannot run a ppc64 process"),
        "{}",
        stderr(&o)
    );
    assert!(!out.exists(), "nothing is written on error");
    let o = ppcr(&[
        "image",
        "new",
        "--cpu",
        "power9",
        "--flavour",
        "ppc64",
        "--records",
        "fpr,bogus",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("unknown record 'bogus'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn diff_and_convert() {
    let dir = tempfile::tempdir().unwrap();
    let a = golden("ppc64-970-fpr-vmx-dabr.img");
    let same = ppcr(&["image", "diff", &a, &a]);
    assert_eq!(same.status.code(), Some(0));
    assert_eq!(stdout(&same).trim(), "identical");

    let converted = dir.path().join("for-p9.img");
    let o = ppcr(&[
        "image",
        "convert",
        &a,
        "--for",
        "power9",
        "-o",
        converted.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("DABR record: DABR watch of"),
        "{}",
        stdout(&o)
    );
    let d = ppcr(&["image", "diff", &a, converted.to_str().unwrap()]);
    assert_eq!(d.status.code(), Some(1));
    let text = stdout(&d);
    assert!(
        text.contains("[DABR] only in A") && text.contains("[DAWR] only in B"),
        "{text}"
    );

    let o = ppcr(&[
        "image",
        "convert",
        &a,
        "--for",
        "e500mc",
        "-o",
        dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("cannot convert for e500mc"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn cpus_lists_the_catalogue_with_sources() {
    let o = ppcr(&["cpus", "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let models = v["models"].as_array().unwrap();
    assert_eq!(models.len(), 17);
    assert!(models
        .iter()
        .all(|m| !m["sources"].as_array().unwrap().is_empty()));
    let table = stdout(&ppcr(&["cpus"]));
    assert!(table
        .lines()
        .any(|l| l.starts_with("e6500") && l.contains("ppc32,ppc64")));
}
