//! `ppcr run FILE... [--json] [--filter SUBSTR]`: run scenario files and
//! compare every cell's class with its expectation.

use super::args::RunArgs;
use super::exit::ExitStatus;
use crate::scenario::{self, CellRunner, Unavailable};

/// The runner behind `ppcr run`. This is where the restore simulator plugs
/// in: return it here instead of the stand-in, which fails every cell with
/// "restore simulator not available yet" (class `error`, never a pass).
fn runner() -> impl CellRunner {
    Unavailable
}

pub fn run(a: &RunArgs) -> anyhow::Result<ExitStatus> {
    let scenarios = match scenario::parse_files(&a.files) {
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
