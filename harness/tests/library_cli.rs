//! `ppcr library put|ls|show|gc` end to end: output, JSON, exit statuses.

use std::path::Path;
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

fn new_image(dir: &Path, cpu: &str, flavour: &str, records: &str, seed: u64) -> String {
    let out = dir.join(format!("{cpu}-{flavour}-{seed}.img"));
    let o = ppcr(&[
        "image",
        "new",
        "--cpu",
        cpu,
        "--flavour",
        flavour,
        "--records",
        records,
        "--seed",
        &seed.to_string(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    out.to_string_lossy().into_owned()
}

#[test]
fn put_ls_show_gc() {
    let dir = tempfile::tempdir().unwrap();
    let lib = dir.path().join("lib");
    let lib = lib.to_str().unwrap();
    let a = new_image(dir.path(), "power9", "ppc64le", "fpr,vmx,vsx", 1);
    let b = new_image(dir.path(), "e500v2", "ppc32", "spe", 2);

    let o = ppcr(&["library", "put", "--library", lib, &a, &b, &a]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let ids: Vec<String> = text(&o.stdout)
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids[0], ids[2], "the same image has the same id");
    assert_ne!(ids[0], ids[1]);

    // Table, filtered by an alias of the model.
    let o = ppcr(&["library", "ls", "--library", lib, "--cpu", "power9"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("ID "), "{out}");
    assert!(
        out.contains(&ids[0][..16]) && !out.contains(&ids[1][..16]),
        "{out}"
    );
    assert!(
        out.contains("ppc64le") && out.contains("main,fpr,vmx,vsx"),
        "{out}"
    );
    assert!(out.ends_with("1 image\n"), "{out}");

    // JSON, all of it.
    let o = ppcr(&["library", "ls", "--library", lib, "--json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["entries"].as_array().unwrap().len(), 2);
    assert_eq!(v["quarantined"].as_array().unwrap().len(), 0);
    let o = ppcr(&[
        "library",
        "ls",
        "--library",
        lib,
        "--json",
        "--flavour",
        "ppc32",
        "--format",
        "1.0",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["entries"][0]["id"], ids[1]);
    assert_eq!(v["entries"][0]["format_version"], "1.0");

    // show: the entry, then the image as `image inspect` prints it.
    let o = ppcr(&["library", "show", "--library", lib, &ids[1][..8]]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let inspect = ppcr(&["image", "inspect", &b]);
    let out = text(&o.stdout);
    assert!(out.starts_with(&format!("id:       {}\n", ids[1])), "{out}");
    assert!(out.ends_with(&text(&inspect.stdout)), "{out}");
    let o = ppcr(&["library", "show", "--library", lib, &ids[1], "--json"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["entry"]["id"], ids[1]);
    assert_eq!(v["image"]["flavour"], "ppc32");

    // Bad ids are bad input.
    for bad in ["../../etc/passwd", "xyz", "ffffffff"] {
        let o = ppcr(&["library", "show", "--library", lib, bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", text(&o.stderr));
        assert!(text(&o.stderr).contains(bad), "{}", text(&o.stderr));
    }

    // A corrupt object: reported, quarantined, exit 1; the rest still lists.
    let v: serde_json::Value =
        serde_json::from_slice(&ppcr(&["library", "ls", "--library", lib, "--json"]).stdout)
            .unwrap();
    let path = v["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == ids[0])
        .unwrap()["path"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.truncate(bytes.len() - 8);
    std::fs::write(&path, bytes).unwrap();
    let o = ppcr(&["library", "ls", "--library", lib]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains(&ids[0]), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains("quarantine"),
        "{}",
        text(&o.stderr)
    );
    assert!(text(&o.stdout).ends_with("1 image\n"));
    let o = ppcr(&["library", "show", "--library", lib, &ids[0]]);
    assert_eq!(o.status.code(), Some(2), "gone: not found");

    let o = ppcr(&["library", "gc", "--library", lib]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).starts_with("1 images ok, 0 quarantined"),
        "{}",
        text(&o.stdout)
    );

    // put refuses a file that is not an image.
    let junk = dir.path().join("junk.img");
    std::fs::write(&junk, b"not an image").unwrap();
    let o = ppcr(&["library", "put", "--library", lib, junk.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("invalid image"),
        "{}",
        text(&o.stderr)
    );
}
