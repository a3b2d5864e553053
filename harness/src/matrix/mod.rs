//! Layer 7 — the matrix: every source model × flavour × workload against
//! every target model under every policy, the verdict and the true outcome
//! of each cell, and the reports made from them (DESIGN §8).
//!
//! Data flows one way: [`run`] drives a [`Simulator`] and emits [`Event`]s;
//! sinks ([`Journal`], [`Progress`]) consume them; the journal becomes a
//! [`Matrix`] (`matrix.json`), the single source of the Markdown, HTML and
//! JUnit reports and of [`merge`] and [`diff`].

pub mod cells;
mod diff;
mod journal;
mod merge;
mod progress;
mod qemu;
pub mod report;
mod run;
mod schema;
pub mod shard;
mod simulator;
pub mod testing;

pub use cells::{Plan, Selection, SelectionError, SourceSpec, Workload, WORKLOADS};
pub use diff::{diff, Change, Diff};
pub use journal::{Header as JournalHeader, Journal, JournalError, FILE as JOURNAL_FILE};
pub use merge::{merge, MergeError};
pub use progress::Progress;
pub use qemu::QemuSimulator;
pub use run::{pair_result, run, Event, RunError, RunOptions, RunStats, Sink};
pub use schema::{
    is_failure, CellResult, Matrix, PairResult, PolicySummary, RowKey, SchemaError, SCHEMA_VERSION,
};
pub use shard::Shard;
pub use simulator::{Observed, SimFailure, Simulator};
