//! `ppcr checkpoint` and `ppcr restore` end to end (real QEMU).

use std::process::Command;

fn ppcr(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(args)
        .output()
        .expect("run ppcr");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn checkpoint_into_file_and_library_then_restore() {
    let dir = tempfile::tempdir().unwrap();
    let img = dir.path().join("fp.img");
    let lib = dir.path().join("lib");
    let (rc, out) = ppcr(&[
        "checkpoint",
        "--cpu",
        "e500mc",
        "--flavour",
        "ppc32",
        "--workload",
        "fp",
        "-o",
        img.to_str().unwrap(),
        "--library",
        lib.to_str().unwrap(),
    ]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.contains("records main,fpr"), "{out}");
    assert!(out.contains("library_id"), "{out}");
    let img = img.to_str().unwrap();

    let (rc, out) = ppcr(&["restore", img, "--cpu", "440epb", "--policy", "records"]);
    assert_eq!(rc, 0, "{out}");
    assert!(out.starts_with("ok: fp from e500mc"), "{out}");

    // e500v2 has no FPU: refused by records, unrestorable when forced
    let (rc, out) = ppcr(&["restore", img, "--cpu", "e500v2", "--policy", "records"]);
    assert_eq!(rc, 1, "{out}");
    assert!(out.starts_with("refused:"), "{out}");
    let (rc, out) = ppcr(&["restore", img, "--cpu", "e500v2", "--force", "--json"]);
    assert_eq!(rc, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["outcome"], "unrestorable", "{out}");
    assert_eq!(v["mode"], "forced", "{out}");

    let (rc, out) = ppcr(&[
        "checkpoint",
        "--cpu",
        "e500mc",
        "--flavour",
        "ppc32",
        "--workload",
        "nope",
        "-o",
        "/dev/null",
    ]);
    assert_eq!(rc, 2, "{out}");
    assert!(out.contains("unknown workload"), "{out}");
}
