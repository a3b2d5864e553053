//! Writing a [`Repro`] to its directory, and its one-screen summary.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use super::{Baseline, Repro};
use crate::sim::GuestTrace;

/// `YYYYMMDD-HHMMSS` (UTC) of now.
pub(crate) fn timestamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// The default parent of repro directories: `target/ppcr/`.
pub fn default_dir() -> PathBuf {
    PathBuf::from("target/ppcr")
}

fn put(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> std::io::Result<()> {
    std::fs::write(dir.join(name), text)
}

fn trace_files(dir: &Path, t: &GuestTrace) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let files = dir.join("files");
    std::fs::create_dir_all(&files)?;
    // The payloads, so the command line can be replayed by hand.
    let replayable = match t.plan.write_files(&files) {
        Ok(()) => t.plan.display(&files),
        Err(e) => format!("(payloads not written: {e})"),
    };
    put(
        dir,
        "command-line.txt",
        format!(
            "# as run (payloads were in a private run directory):\n{}\n\
             # with the payloads kept in files/ (starts paused, -S; add -s for gdb on TCP :1234):\n{}\n",
            t.command_line, replayable
        ),
    )?;
    put(dir, "qemu.txt", &t.qemu)?;
    put(dir, "gdb-transcript.txt", &t.gdb_transcript)?;
    put(dir, "info-registers.txt", &t.info_registers)?;
    let mut regs = String::new();
    for r in &t.registers {
        let _ = writeln!(regs, "{:<10} {:<8} {}", r.name, r.class.name(), r.hex());
    }
    put(dir, "registers.txt", regs)?;
    if !t.errors.is_empty() {
        put(dir, "errors.txt", t.errors.join("\n") + "\n")?;
    }
    Ok(())
}

fn verdict_line(r: &Repro) -> String {
    match &r.verdict {
        Some(v) if v.accepted() => format!("accept (policy {})", r.policy),
        Some(v) => format!(
            "refuse (policy {}): {} reason(s)",
            r.policy,
            v.reasons.len()
        ),
        None => "-".into(),
    }
}

fn baseline_name(r: &Repro) -> &'static str {
    match r.baseline {
        Baseline::ReferenceRun => "reference run at its exit",
        Baseline::SourceRestore => "same image restored on its source",
    }
}

/// The one-screen summary (≤ ~30 lines) for a bug report.
pub fn summary_text(r: &Repro, dir: &Path) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "ppcr repro {}", r.name);
    let _ = writeln!(s, "  source    {}", r.source);
    if let Some(img) = &r.image {
        let recs: Vec<&str> = img.cpu.records().iter().map(|k| k.name()).collect();
        let _ = writeln!(
            s,
            "  image     records {}, facilities {}, nip {:#x}, hwcap {:#010x}/{:#010x}",
            recs.join(","),
            match img.header.facilities.names() {
                n if n.is_empty() => "none".to_string(),
                n => n.join(","),
            },
            img.cpu.main.nip,
            img.header.source.caps.hwcap,
            img.header.source.caps.hwcap2
        );
    }
    let _ = writeln!(s, "  target    {}", r.target);
    let _ = writeln!(s, "  verdict   {}", verdict_line(r));
    if let Some(v) = &r.verdict {
        for reason in v.reasons.iter().take(4) {
            let _ = writeln!(s, "    - {reason}");
        }
        if v.reasons.len() > 4 {
            let _ = writeln!(s, "    - ... {} more in verdict.txt", v.reasons.len() - 4);
        }
    }
    for c in r.conversions.iter().take(2) {
        let _ = writeln!(s, "  convert   {c}");
    }
    match &r.restore {
        Some(rep) => {
            let _ = writeln!(
                s,
                "  outcome   {} (forced): {}",
                rep.outcome.map_or("-", |o| o.name()),
                rep.detail
            );
            if let (Some(sum), Some(reference)) = (rep.checksum, rep.reference) {
                let _ = writeln!(s, "  checksum  {sum:#x}, reference {reference:#x}");
            }
        }
        None => {
            let _ = writeln!(s, "  outcome   -");
        }
    }
    for e in &r.errors {
        let _ = writeln!(s, "  ERROR     {}", e.lines().next().unwrap_or(""));
    }
    let expect = match r.expected {
        Some(c) => {
            let mut e = format!("expected {c}");
            if let Some(o) = r.expected_outcome {
                let _ = write!(e, " (outcome {o})");
            }
            e
        }
        None => "image mode: a match is outcome ok".into(),
    };
    let _ = writeln!(
        s,
        "  class     {}; {expect}: {}",
        r.class,
        if r.matches { "MATCH" } else { "DIFFERS" }
    );
    let both: Vec<_> = r
        .registers
        .iter()
        .filter(|d| d.expected.is_some() && d.observed.is_some())
        .collect();
    let only_expected = r.registers.iter().filter(|d| d.observed.is_none()).count();
    let only_observed = r.registers.iter().filter(|d| d.expected.is_none()).count();
    let _ = writeln!(
        s,
        "  registers {} differ, {} only expected, {} only observed ({} vs the restored run at its stop)",
        both.len(),
        only_expected,
        only_observed,
        baseline_name(r)
    );
    let shown: Vec<String> = both
        .iter()
        .take(6)
        .map(|d| {
            format!(
                "{} {}→{}",
                d.name,
                d.expected.as_deref().unwrap_or("-"),
                d.observed.as_deref().unwrap_or("-")
            )
        })
        .collect();
    for chunk in shown.chunks(2) {
        let _ = writeln!(s, "    {}", chunk.join("   "));
    }
    let _ = writeln!(s, "  kept in   {}/", dir.display());
    let _ = writeln!(
        s,
        "  replay    ppcr restore {}/checkpoint.img --cpu {} --force",
        dir.display(),
        r.target
    );
    s
}

fn registers_diff(r: &Repro) -> String {
    let mut s = format!(
        "# register diff: expected = {}, observed = the forced restore on {} where it stopped\n\
         # (exit, crash handler or interrupted hang); left out as time, not state: {}\n",
        baseline_name(r),
        r.target,
        super::VOLATILE.join(" ")
    );
    let _ = writeln!(s, "# {}", r.baseline_detail);
    let _ = writeln!(
        s,
        "{:<10} {:<8} {:<36} observed",
        "register", "class", "expected"
    );
    for d in &r.registers {
        let _ = writeln!(
            s,
            "{:<10} {:<8} {:<36} {}",
            d.name,
            d.class,
            d.expected.as_deref().unwrap_or("(absent)"),
            d.observed.as_deref().unwrap_or("(absent)")
        );
    }
    if r.registers.is_empty() {
        if r.source_trace.is_none() || r.target_trace.is_none() {
            s.push_str("(no diff: a run has no register dump, see errors in summary.md)\n");
        } else {
            s.push_str("(no register differs)\n");
        }
    }
    s
}

/// Writes every artefact of `r` into `dir` (which exists) and returns the
/// file names written, for the summary.
pub fn write_all(r: &Repro, dir: &Path) -> anyhow::Result<Vec<String>> {
    let mut written = Vec::new();
    let mut note = |n: &str| written.push(n.to_string());
    if let Some(img) = &r.image {
        std::fs::write(dir.join("checkpoint.img"), img.encode()?)?;
        note("checkpoint.img");
    }
    if let Some(img) = &r.converted {
        std::fs::write(dir.join("converted.img"), img.encode()?)?;
        note("converted.img");
    }
    if let Some(v) = &r.verdict {
        put(dir, "verdict.txt", format!("{v}\n"))?;
        note("verdict.txt");
    }
    if let Some(rep) = &r.restore {
        put(
            dir,
            "outcome.json",
            serde_json::to_string_pretty(rep)? + "\n",
        )?;
        note("outcome.json");
    }
    put(dir, "repro.json", serde_json::to_string_pretty(r)? + "\n")?;
    note("repro.json");
    put(dir, "registers.diff", registers_diff(r))?;
    note("registers.diff");
    if let Some(t) = &r.source_trace {
        trace_files(&dir.join("source"), t)?;
        note("source/");
    }
    if let Some(t) = &r.target_trace {
        trace_files(&dir.join("target"), t)?;
        note("target/");
    }
    let input_copy = match r.input.extension().and_then(|e| e.to_str()) {
        Some("toml") => "scenario.toml",
        _ => "input.img",
    };
    if std::fs::copy(&r.input, dir.join(input_copy)).is_ok() {
        note(input_copy);
    }
    let replay = format!(
        "#!/bin/sh\n# Replays this repro (docs/REPRO.md). Run from the directory it is in.\n\
         set -x\nppcr image inspect checkpoint.img\n\
         ppcr check checkpoint.img --target {t} --policy {p}\n\
         ppcr restore checkpoint.img --cpu {t} --force\n",
        t = r.target,
        p = r.policy
    );
    put(dir, "replay.sh", replay)?;
    note("replay.sh");
    Ok(written)
}

/// `summary.md`: the summary, then the details and an index of the files.
pub fn summary_md(r: &Repro, dir: &Path, files: &[String]) -> String {
    let mut s = format!(
        "# ppcr repro: `{}`\n\n```\n{}```\n\n",
        r.name,
        summary_text(r, dir)
    );
    if let Some(v) = &r.verdict {
        let _ = writeln!(s, "## Verdict\n\n```\n{v}\n```\n");
    }
    if let Some(rep) = &r.restore {
        let _ = writeln!(
            s,
            "## Outcome (forced restore)\n\n- outcome: {}\n- detail: {}\n- crash: {}\n- boot {} ms, run {} ms\n",
            rep.outcome.map_or("-", |o| o.name()),
            rep.detail,
            rep.crash.map_or("-".into(), |c| format!(
                "vector {:#x} at {:#x}, SRR1 {:#x}, DSISR/ESR {:#x}",
                c.vector, c.address, c.srr1, c.dsisr
            )),
            rep.boot_ms,
            rep.run_ms
        );
    }
    if !r.errors.is_empty() {
        let _ = writeln!(
            s,
            "## Harness errors\n\n```\n{}\n```\n",
            r.errors.join("\n")
        );
    }
    let _ = writeln!(
        s,
        "## Register diff\n\nExpected: {}. {}\n\n```\n{}```\n",
        baseline_name(r),
        r.baseline_detail,
        registers_diff(r)
    );
    let _ = writeln!(s, "## Files\n");
    for f in files {
        let what = match f.as_str() {
            "checkpoint.img" => "the image as checkpointed (or as given)",
            "converted.img" => "the image as rewritten for the target (DABR ↔ DAWR)",
            "image.txt" => "`ppcr image inspect` of it",
            "verdict.txt" => "the policy's verdict with every reason",
            "outcome.json" => "the forced restore's report",
            "repro.json" => "all of this, machine-readable",
            "registers.diff" => "registers that differ, expected vs observed",
            "source/" => "source guest (or the baseline restore on the source model): command line and payloads, QEMU diagnostics with the QMP transcript, gdb transcript, `info registers`, every register at its stop",
            "target/" => "the same for the target guest",
            "scenario.toml" => "the scenario file the cell came from",
            "input.img" => "the image file given",
            "replay.sh" => "the commands that replay it",
            _ => "",
        };
        let _ = writeln!(s, "- `{f}`: {what}");
    }
    s
}
