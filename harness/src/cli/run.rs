//! `ppcr run FILE|DIR... [--json] [--filter SUBSTR]`: run scenario files and
//! compare every cell's class with its expectation.

use super::args::RunArgs;
use super::exit::ExitStatus;
use crate::scenario::{self, CellRunner, Simulator};
use anyhow::Context;
use std::path::{Path, PathBuf};

/// The runner behind `ppcr run`: the restore simulator (QEMU guests).
fn runner() -> impl CellRunner {
    Simulator::default()
}

/// The files named, with directories replaced by the `.toml` files under
/// them (recursively, in name order).
fn expand(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
        let mut entries = std::fs::read_dir(dir)
            .and_then(|d| d.collect::<Result<Vec<_>, _>>())
            .with_context(|| format!("cannot read {}", dir.display()))?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let path = e.path();
            if path.is_dir() {
                walk(&path, out)?;
            } else if path.extension().is_some_and(|x| x == "toml") {
                out.push(path);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

pub fn run(a: &RunArgs) -> anyhow::Result<ExitStatus> {
    let files = expand(&a.files)?;
    if files.is_empty() {
        eprintln!("ppcr: error: no .toml scenario files in the directories given");
        return Ok(ExitStatus::BadInput);
    }
    let scenarios = match scenario::parse_files(&files) {
        Ok(s) => s,
        Err(errors) => {
            eprintln!("{errors}");
            eprintln!(
                "ppcr: error: {} error{} in scenario files",
                errors.0.len(),
                if errors.0.len() == 1 { "" } else { "s" }
            );
            return Ok(ExitStatus::BadInput);
        }
    };
    let cells = scenario::select(&scenarios, a.filter.as_deref());
    if cells.is_empty() {
        match &a.filter {
            Some(f) => eprintln!("ppcr: error: no cell name contains '{f}'"),
            None => eprintln!("ppcr: error: the scenario files have no cells"),
        }
        return Ok(ExitStatus::BadInput);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let runner = runner();
    let report = runtime.block_on(scenario::run(&runner, &cells));
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", report.render_text());
    }
    Ok(if report.passed {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}
