//! `ppcr repro` end to end (real QEMU guests): what it keeps, what it
//! prints, and its exit codes (docs/REPRO.md).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn ppcr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(args)
        .output()
        .expect("run ppcr")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn repo(p: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(p)
        .to_string_lossy()
        .into_owned()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn scenario_cell_keeps_everything_a_report_needs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().join("r");
    let out = ppcr(&[
        "repro",
        &repo("scenarios/bugs/bug-hwcap-efp-double.toml"),
        "--keep",
        dir.to_str().unwrap(),
    ]);
    let so = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{so}{}", text(&out.stderr));
    assert!(so.lines().count() <= 30, "{so}");
    assert!(so.contains("bug-hwcap-efp-double::e500v2/ppc32/efp-double->e500v1::hwcap"));
    assert!(so.contains("outcome   crash (forced)"), "{so}");
    assert!(so.contains("class     refuse; expected refuse (outcome crash): MATCH"));
    for f in [
        "summary.md",
        "checkpoint.img",
        "image.txt",
        "verdict.txt",
        "outcome.json",
        "repro.json",
        "registers.diff",
        "scenario.toml",
        "replay.sh",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    for side in ["source", "target"] {
        let d = dir.join(side);
        assert!(read(&d, "command-line.txt").contains("qemu-system-ppc -M ppce500"));
        assert!(read(&d, "qemu.txt").contains("--- QMP transcript ---"));
        assert!(read(&d, "gdb-transcript.txt").contains("-> $"));
        assert!(read(&d, "info-registers.txt").contains("NIP"));
        assert!(read(&d, "registers.txt").contains("spefscr"));
        assert!(d.join("files/user.bin").is_file());
    }
    // The crash is at the efdadd; the diff shows the handler's view.
    let json: serde_json::Value = serde_json::from_str(&read(&dir, "outcome.json")).unwrap();
    assert_eq!(json["outcome"], "crash");
    assert_eq!(json["crash"]["vector"], 0x1006);
    assert!(read(&dir, "registers.diff").contains("\nr3 "));
    assert!(read(&dir, "verdict.txt").contains("PPC_FEATURE_HAS_EFP_DOUBLE"));
    assert!(read(&dir, "summary.md").contains("## Register diff"));
    // The kept image is the checkpoint: it verifies.
    let v = ppcr(&[
        "image",
        "verify",
        dir.join("checkpoint.img").to_str().unwrap(),
    ]);
    assert_eq!(v.status.code(), Some(0));
}

#[test]
fn image_mode_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    let img = repo("images/golden/real-book3s64-970-ppc64-dabr.img");
    // DABR on 970 -> POWER9 converts to DAWR0 and restores: exit 0.
    let dir = tmp.path().join("ok");
    let out = ppcr(&[
        "repro",
        &img,
        "--target",
        "power9",
        "--policy",
        "records",
        "--keep",
        dir.to_str().unwrap(),
    ]);
    let so = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{so}{}", text(&out.stderr));
    assert!(so.contains("convert   DABR record"), "{so}");
    assert!(so.contains("outcome   ok (forced)"), "{so}");
    assert!(dir.join("converted.img").is_file());
    assert!(dir.join("input.img").is_file());
    assert!(read(&dir, "registers.diff").contains("same image restored on its source"));

    // A class that differs from the expectation: exit 1, still kept.
    let toml = tmp.path().join("wrong.toml");
    std::fs::write(
        &toml,
        "[[set]]\nsources = [{ cpu = \"power9\", flavour = \"ppc64\", workload = \"dispatch\" }]\n\
         targets = [\"970\"]\npolicies = [\"records\"]\nexpect = \"pass\"\n",
    )
    .unwrap();
    let dir = tmp.path().join("differs");
    let out = ppcr(&[
        "repro",
        toml.to_str().unwrap(),
        "--keep",
        dir.to_str().unwrap(),
    ]);
    let so = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{so}");
    assert!(
        so.contains("class     unsafe; expected pass: DIFFERS"),
        "{so}"
    );
    assert!(dir.join("summary.md").is_file());

    // Bad input: 2.
    let bad = |args: &[&str], msg: &str| {
        let o = ppcr(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stdout));
        assert!(
            text(&o.stderr).contains(msg),
            "{args:?}: {}",
            text(&o.stderr)
        );
    };
    bad(&["repro", &img], "say where to restore it with --target");
    bad(
        &["repro", &repo("scenarios/smoke.toml")],
        "cells selected; ppcr repro runs one",
    );
    bad(
        &[
            "repro",
            &repo("scenarios/smoke.toml"),
            "--filter",
            "nothing-like-this",
        ],
        "no cell selected",
    );
    bad(&["repro", &img, "--target", "powr9"], "did you mean");
    bad(
        &[
            "repro",
            &img,
            "--target",
            "power9",
            "--keep",
            dir.to_str().unwrap(),
        ],
        "is not empty",
    );
    bad(&["repro", "/nonexistent.img"], "cannot read");
}
