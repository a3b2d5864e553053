//! `ppcr matrix [run options]`, `ppcr matrix merge DIR... --out DIR`,
//! `ppcr matrix diff BASE NEW`. The grammar lives here, beside the
//! handlers; `args.rs` only names [`MatrixArgs`].
//!
//! Exit status: 0 the matrix is complete and has no `error` cell and no
//! `unsafe` cell under the recommended policy (merge: the merged matrix;
//! diff: nothing newly unsafe or failing); 1 otherwise, including an empty
//! or partial matrix and a merge with missing or duplicated cells; 2 bad
//! input or a run that could not go on (the journal keeps what finished).

use super::exit::ExitStatus;
use crate::matrix::report::{self, MATRIX_JSON};
use crate::matrix::testing::FakeSimulator;
use crate::matrix::{
    self as mx, Journal, JournalHeader, Matrix, Progress, QemuSimulator, RunOptions, Selection,
    Shard, Simulator, JOURNAL_FILE,
};
use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// `ppcr matrix ...`
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct MatrixArgs {
    #[command(subcommand)]
    pub command: Option<MatrixCommand>,
    #[command(flatten)]
    pub run: MatrixRunArgs,
}

/// `ppcr matrix merge|diff`
#[derive(Debug, Subcommand)]
pub enum MatrixCommand {
    /// Merge the output directories of the shards of one run into the whole
    /// matrix (refuses missing, duplicated or foreign cells by name).
    Merge(MergeArgs),
    /// List every changed verdict and outcome between a baseline and a new
    /// matrix (exit 1 on any new unsafe or error cell, or a partial NEW).
    Diff(DiffArgs),
}

/// Running a matrix.
#[derive(Debug, Args)]
pub struct MatrixRunArgs {
    /// Source models (default: the whole catalogue).
    #[arg(long, value_delimiter = ',', value_name = "MODEL,..")]
    pub sources: Vec<String>,
    /// Target models (default: the whole catalogue).
    #[arg(long, value_delimiter = ',', value_name = "MODEL,..")]
    pub targets: Vec<String>,
    /// Workloads (default: every workload that applies to a source).
    #[arg(long, value_delimiter = ',', value_name = "WORKLOAD,..")]
    pub workloads: Vec<String>,
    /// Policies (default: strict, records, hwcap).
    #[arg(long, value_delimiter = ',', value_name = "POLICY,..")]
    pub policies: Vec<String>,
    /// Run only slice K of N (deterministic, by row name); `merge` joins them.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<Shard>,
    /// Output directory (matrix.json, index.html, summary.md, junit.xml, journal).
    #[arg(long, value_name = "DIR", default_value = "target/ppcr/report")]
    pub out: PathBuf,
    /// Finish an interrupted run from its journal instead of starting afresh.
    #[arg(long)]
    pub resume: bool,
    /// Cells run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// Deadline of one checkpoint or forced restore, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub deadline: u64,
    /// Extra attempts for a checkpoint or restore that failed (then: error).
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub retries: u32,
    /// Launch a fresh target QEMU for every restore instead of resetting
    /// warm guests from a pool (for comparison and benchmarks).
    #[arg(long)]
    pub no_pool: bool,
    /// Test only: `fake`, honoured only with PPCR_TEST_FAKE_SIMULATOR=1.
    #[arg(long, hide = true)]
    pub simulator: Option<String>,
}

#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Output directories of the shards (or their matrix.json files).
    #[arg(required = true, value_name = "DIR")]
    pub inputs: Vec<PathBuf>,
    /// Where the merged reports go.
    #[arg(long, value_name = "DIR", default_value = "target/ppcr/report")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The baseline (a report directory or its matrix.json).
    pub base: PathBuf,
    /// The new matrix (a report directory or its matrix.json).
    pub new: PathBuf,
}

/// The environment variable that unlocks the test-only fake simulator.
pub const FAKE_ENV: &str = "PPCR_TEST_FAKE_SIMULATOR";

/// Runs `ppcr matrix ...`.
pub fn run(a: &MatrixArgs) -> anyhow::Result<ExitStatus> {
    match &a.command {
        Some(MatrixCommand::Merge(m)) => merge(m),
        Some(MatrixCommand::Diff(d)) => diff(d),
        None => run_matrix(&a.run),
    }
}

fn run_matrix(a: &MatrixRunArgs) -> anyhow::Result<ExitStatus> {
    let selection = Selection {
        sources: a.sources.clone(),
        targets: a.targets.clone(),
        workloads: a.workloads.clone(),
        policies: a.policies.clone(),
    }
    .canonical()?;
    match a.simulator.as_deref() {
        None if a.no_pool => execute(QemuSimulator::default(), selection, a, None),
        None => {
            let jobs = a.jobs.unwrap_or(RunOptions::default().jobs).max(1);
            let sim = QemuSimulator::pooled(jobs);
            let pool = sim.pool.clone();
            execute(sim, selection, a, pool)
        }
        Some("fake") if std::env::var(FAKE_ENV).as_deref() == Ok("1") => {
            execute(FakeSimulator::from_env(), selection, a, None)
        }
        Some("fake") => bail!("--simulator fake is for ppcr's own tests only (needs {FAKE_ENV}=1)"),
        Some(other) => bail!("unknown simulator '{other}'"),
    }
}

fn execute<S: Simulator>(
    sim: S,
    selection: Selection,
    a: &MatrixRunArgs,
    pool: Option<Arc<crate::sim::Pool>>,
) -> anyhow::Result<ExitStatus> {
    let plan = Arc::new(selection.plan()?);
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    // Reports of an earlier run must not outlive this one's interruption.
    for f in [
        MATRIX_JSON,
        report::INDEX_HTML,
        report::SUMMARY_MD,
        report::JUNIT_XML,
    ] {
        match std::fs::remove_file(a.out.join(f)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(e).with_context(|| format!("removing the old {f}"))
            }
            _ => {}
        }
    }
    let path = a.out.join(JOURNAL_FILE);
    let header = JournalHeader::new(selection.clone(), a.shard);
    let (mut journal, done) = if a.resume {
        Journal::resume(&path, &header)?
    } else {
        (Journal::create(&path, &header)?, Vec::new())
    };
    let done: HashSet<String> = done.into_iter().map(|p| p.name).collect();
    let mut options = RunOptions {
        deadline: Duration::from_secs(a.deadline.max(1)),
        retries: a.retries,
        ..RunOptions::default()
    };
    if let Some(j) = a.jobs {
        options.jobs = j.max(1);
    }
    let mut progress = Progress::for_stderr();
    let stats = super::runtime()?.block_on(async {
        let stats = mx::run(
            Arc::new(sim),
            plan.clone(),
            a.shard,
            Arc::new(done),
            options,
            &mut [&mut journal, &mut progress],
        )
        .await;
        // Every warm guest is killed (and reaped) before the runtime goes.
        if let Some(p) = &pool {
            p.shutdown().await;
        }
        stats
    });
    progress.finish();
    if let Some(p) = &pool {
        let s = p.stats();
        eprintln!(
            "pool: {} QEMU launched, {} restores on a reset guest, {} retired, {} evicted",
            s.launched, s.reused, s.retired, s.evicted
        );
    }
    let stats = stats?;
    drop(journal);
    let (_, records) = Journal::read(&path)?;
    let m = Matrix::build(selection, &plan, a.shard, records);
    report::write_all(&a.out, &m)
        .with_context(|| format!("writing reports to {}", a.out.display()))?;
    eprintln!(
        "matrix: {} pair(s) run, {} resumed from the journal, {} error, {} flaky",
        stats.finished, stats.skipped, stats.errors, stats.flaky
    );
    Ok(conclude(&m, &a.out))
}

fn conclude(m: &Matrix, out: &Path) -> ExitStatus {
    print!("{}", report::markdown::render(m));
    println!("\nreports: {}", out.display());
    if m.passes() {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    }
}

fn load(path: &Path) -> anyhow::Result<Matrix> {
    let file = if path.is_dir() {
        path.join(MATRIX_JSON)
    } else {
        path.to_path_buf()
    };
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
    Matrix::from_json(&text).with_context(|| file.display().to_string())
}

fn merge(a: &MergeArgs) -> anyhow::Result<ExitStatus> {
    let inputs = a
        .inputs
        .iter()
        .map(|p| load(p))
        .collect::<anyhow::Result<Vec<_>>>()?;
    match mx::merge(inputs) {
        Ok(m) => {
            report::write_all(&a.out, &m)
                .with_context(|| format!("writing reports to {}", a.out.display()))?;
            Ok(conclude(&m, &a.out))
        }
        Err(e) => {
            eprintln!("ppcr: merge refused: {e}");
            Ok(ExitStatus::CheckFailed)
        }
    }
}

fn diff(a: &DiffArgs) -> anyhow::Result<ExitStatus> {
    let (base, new) = (load(&a.base)?, load(&a.new)?);
    let d = mx::diff(&base, &new);
    for c in &d.changes {
        println!("{c}");
    }
    if let Some(why) = &d.new_incomplete {
        println!("FAIL: {why}");
    }
    let count = |f: fn(&mx::Change) -> bool| d.changes.iter().filter(|c| f(c)).count();
    println!(
        "{} change(s), {} new unsafe/error cell(s), {} cell(s) missing from NEW{}",
        d.changes.len(),
        count(|c| c.fails() && !matches!(c, mx::Change::Removed { .. })),
        count(|c| matches!(c, mx::Change::Removed { .. })),
        if d.fails() { ": FAIL" } else { "" }
    );
    Ok(if d.fails() {
        ExitStatus::CheckFailed
    } else {
        ExitStatus::Success
    })
}
