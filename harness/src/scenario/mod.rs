//! Scenario files (`scenarios/**/*.toml`, `docs/SCENARIOS.md`): sets of
//! sources × targets × policies with the expected class of each cell,
//! validated with file:line:column errors, enumerated into named cells, run
//! through a [`CellRunner`] and compared with their expectations.

mod cell;
mod error;
mod parse;
mod pure;
mod run;
mod runner;
mod schema;
mod simulator;
pub mod workload;

pub use cell::{class_allows, select, Cell, Scenario};
pub use error::{ScenarioError, ScenarioErrors};
pub use parse::{parse_file, parse_files, parse_str};
pub use pure::{check_verdict, VerdictCheck};
pub use run::{run, CellReport, Report, Session};
pub use runner::{
    cpu_label, CellRunner, CellSpec, Checkpoint, Observed, RunError, SourceSpec, Unavailable,
    UNAVAILABLE,
};
pub use simulator::Simulator;
pub use workload::Workload;

#[cfg(test)]
mod tests;
