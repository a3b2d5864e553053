//! Every cell of every scenario file under `scenarios/` (recursively) is a
//! test named by the cell, so `cargo test --test scenarios -- power9` runs
//! the cells whose name contains `power9`.
//!
//! Each trial (kind `[run]`) runs its cell through the restore simulator
//! (QEMU guests; checkpoints and outcomes shared across trials by one
//! [`Session`]) and compares the class and outcome with the expectation.
//!
//! `PPCR_SCENARIOS_VERDICT_ONLY=1` runs no guest: each trial (kind
//! `[verdict-only]`) checks only what is pure, and says so: the file parses,
//! and the policy's verdict on a synthetic image of the source agrees with
//! the expected class (`pass`/`unsafe` need acceptance, `refuse`/`needless`
//! need refusal). The outcome half of an expectation is never reported as
//! checked without an outcome.

use libtest_mimic::{Arguments, Failed, Trial};
use ppcr::scenario::{self, CellRunner, Scenario, Session, Simulator};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The runner of the trials: the restore simulator, unless
/// `PPCR_SCENARIOS_VERDICT_ONLY` asks for the pure checks only.
fn runner() -> Option<impl CellRunner + Send + 'static> {
    match std::env::var_os("PPCR_SCENARIOS_VERDICT_ONLY") {
        Some(v) if !v.is_empty() && v != "0" => None,
        _ => Some(Simulator::default()),
    }
}

fn scenario_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        if path.is_dir() {
            toml_files(&path, out)?;
        } else if path.extension().is_some_and(|x| x == "toml") {
            out.push(path);
        }
    }
    Ok(())
}

fn relative(path: &Path) -> String {
    let root = scenario_root();
    format!(
        "scenarios/{}",
        path.strip_prefix(&root).unwrap_or(path).display()
    )
}

fn main() {
    let args = Arguments::from_args();
    let mut files = Vec::new();
    let mut trials = Vec::new();
    if let Err(e) = toml_files(&scenario_root(), &mut files) {
        trials.push(Trial::test("scenarios::read", move || {
            Err(format!("cannot read the scenarios directory: {e}").into())
        }));
    }
    if files.is_empty() {
        trials.push(Trial::test("scenarios::none", || {
            Err("no scenario files under scenarios/: an empty set is a failure".into())
        }));
    }
    let mut scenarios: Vec<Scenario> = Vec::new();
    for path in &files {
        let name = format!("parse::{}", relative(path));
        match scenario::parse_file(path) {
            Ok(s) => {
                if let Some(first) = scenarios.iter().find(|o| o.name == s.name) {
                    let msg = format!(
                        "scenario name '{}' is also used by {}",
                        s.name,
                        relative(&first.file)
                    );
                    trials.push(Trial::test(name, move || Err(msg.into())));
                } else {
                    trials.push(Trial::test(name, || Ok(())));
                    scenarios.push(s);
                }
            }
            Err(e) => {
                let msg = e.to_string();
                trials.push(Trial::test(name, move || Err(msg.into())));
            }
        }
    }
    match runner() {
        Some(r) => run_trials(r, &scenarios, &mut trials),
        None => {
            // Not in --list output: tools parse that line by line.
            if !args.list {
                println!(
                    "scenarios: PPCR_SCENARIOS_VERDICT_ONLY is set: each cell checks its \
                 verdict on a synthetic image only (kind [verdict-only]); outcomes are NOT checked"
                );
            }
            verdict_trials(&scenarios, &mut trials);
        }
    }
    libtest_mimic::run(&args, trials).exit();
}

fn verdict_trials(scenarios: &[Scenario], trials: &mut Vec<Trial>) {
    for cell in scenarios.iter().flat_map(|s| s.cells.iter().cloned()) {
        let name = cell.name.clone();
        trials.push(
            Trial::test(name, move || {
                let check = scenario::check_verdict(&cell).map_err(Failed::from)?;
                if check.consistent {
                    Ok(())
                } else {
                    Err(format!(
                        "{}:{}: expectation inconsistent with the verdict: {}",
                        cell.file.display(),
                        cell.line,
                        check.describe(&cell)
                    )
                    .into())
                }
            })
            .with_kind("verdict-only"),
        );
    }
}

fn run_trials<R: CellRunner + Send + 'static>(
    runner: R,
    scenarios: &[Scenario],
    trials: &mut Vec<Trial>,
) {
    let runtime = Arc::new(
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("tokio runtime"),
    );
    // One session for all trials: each source is checkpointed once.
    let runner: &'static R = Box::leak(Box::new(runner));
    let session: &'static Session<'static, R> = Box::leak(Box::new(Session::new(runner)));
    for cell in scenarios.iter().flat_map(|s| s.cells.iter().cloned()) {
        let runtime = runtime.clone();
        trials.push(
            Trial::test(cell.name.clone(), move || {
                let report = runtime.block_on(session.cell(&cell));
                if report.matches {
                    Ok(())
                } else {
                    Err(report.difference().into())
                }
            })
            .with_kind("run"),
        );
    }
}
