//! The catalogue is checked against the emulator: `ppcr cpus --probe` boots
//! every model, runs the probe payload and must agree with the catalogue;
//! `ppcr regs` prints every register the stub offers. Real QEMU.

use std::process::Command;

fn ppcr(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(args)
        .output()
        .expect("run ppcr")
}

#[test]
fn probe_agrees_with_the_catalogue_for_every_model() {
    let out = ppcr(&["cpus", "--probe", "--json"]);
    let text = String::from_utf8_lossy(&out.stdout);
    let doc: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{e}: {text}\n{}", String::from_utf8_lossy(&out.stderr)));
    let models = doc["models"].as_array().unwrap();
    assert_eq!(models.len(), ppcr_core::cpu::CATALOGUE.len());
    for m in models {
        assert!(m.get("error").is_none(), "{m}");
        assert_eq!(m["mismatches"].as_array().unwrap().len(), 0, "{m}");
    }
    assert_eq!(doc["disagreements"], 0);
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn probe_of_one_model_prints_a_table() {
    let out = ppcr(&["cpus", "--probe", "--only", "e500v2"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("e500v2") && text.contains("agrees"), "{text}");
    assert!(text.contains("1 models probed, 0 disagree"), "{text}");
}

#[test]
fn regs_prints_every_register_normalised() {
    // POWER10 little-endian: 274 registers (FACTS: 137 SPRs), values normalised
    // from the stub's LE byte order.
    let out = ppcr(&["regs", "--cpu", "power10", "--flavour", "ppc64le", "--json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let regs = doc["registers"].as_array().unwrap();
    assert_eq!(regs.len(), 274);
    let find = |n: &str| {
        regs.iter()
            .find(|r| r["name"] == n)
            .unwrap_or_else(|| panic!("no {n}"))
    };
    // The mailbox pointer the boot part keeps in r31, read as a number.
    assert_eq!(find("r31")["value"], "0x400000");
    // MSR: 64-bit (SF) and little-endian (LE) at the ready point.
    let msr = u128::from_str_radix(
        find("msr")["value"]
            .as_str()
            .unwrap()
            .trim_start_matches("0x"),
        16,
    )
    .unwrap();
    assert_eq!(msr >> 63, 1, "SF");
    assert_eq!(msr & 1, 1, "LE");
    assert!(regs.iter().any(|r| r["name"] == "dawr1"));

    let text = ppcr(&["regs", "--cpu", "e500v2"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("[spe]") && text.contains("ev31h") && text.contains("spefscr"),
        "{text}"
    );
    let bad = ppcr(&["regs", "--cpu", "e500v2", "--flavour", "ppc64"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn missing_qemu_names_the_program_and_the_install_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ppcr"))
        .args(["regs", "--cpu", "power9"])
        .env("PPCR_QEMU_DIR", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("qemu-system-ppc64 not found"), "{err}");
    assert_eq!(
        err.matches("run 'sudo bash ci/setup'").count(),
        1,
        "said once: {err}"
    );
}
