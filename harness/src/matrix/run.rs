//! The engine: runs the pairs of a plan on a [`Simulator`] and sends one
//! [`Event`] per happening to the sinks (progress, journal), which never
//! call back.
//!
//! - Each row is checkpointed once; its pairs are then force-restored in
//!   parallel. At most `jobs` simulator calls run at once and at most `jobs`
//!   rows (so `jobs` images) are in flight: memory stays bounded however
//!   large the matrix.
//! - Every simulator call has a deadline and runs in its own task: a call
//!   that fails, overruns or panics is retried up to `retries` more times;
//!   a pair that needed a retry is `flaky`, one that never answered is an
//!   `error` cell with the failures as its reason, and the run goes on.
//! - A sink that fails (the journal on a full disk) stops the run; what was
//!   journalled stays, and `--resume` finishes the rest.

use super::cells::{pair_name, Plan, SourceSpec};
use super::schema::{CellResult, PairResult, RowKey};
use super::shard::{in_shard, Shard};
use super::simulator::{Observed, SimFailure, Simulator};
use ppcr_core::class::Class;
use ppcr_core::cpu::CpuModel;
use ppcr_core::format::Image;
use ppcr_core::policy::{evaluate, Policy};
use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;

/// How a run behaves.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    /// Simulator calls at once.
    pub jobs: usize,
    /// Deadline of one simulator call.
    pub deadline: Duration,
    /// Extra attempts after a failed call.
    pub retries: u32,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            jobs: std::thread::available_parallelism().map_or(1, |n| n.get()),
            deadline: Duration::from_secs(300),
            retries: 2,
        }
    }
}

/// What the engine tells its sinks.
#[derive(Debug, Clone)]
pub enum Event {
    /// The run starts: `pairs` to run, `skipped` already journalled.
    Started { pairs: usize, skipped: usize },
    /// A simulator call failed and will be tried again.
    Retrying {
        what: String,
        attempt: u32,
        error: String,
    },
    /// A pair has its result.
    Finished(Box<PairResult>),
}

/// Receives the events of a run, in order, on the calling task.
pub trait Sink {
    /// Handles one event; an error stops the run.
    fn event(&mut self, event: &Event) -> std::io::Result<()>;
}

/// Counts of a finished run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    pub finished: usize,
    pub skipped: usize,
    pub errors: usize,
    pub flaky: usize,
}

/// A run that stopped early.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("{sink} failed: {error}; the finished cells are journalled, run again with --resume")]
    Sink {
        sink: &'static str,
        error: std::io::Error,
    },
}

/// Runs every pair of `plan` in `shard` whose name is not in `done`.
pub async fn run<S: Simulator>(
    sim: Arc<S>,
    plan: Arc<Plan>,
    shard: Option<Shard>,
    done: Arc<HashSet<String>>,
    options: RunOptions,
    sinks: &mut [&mut dyn Sink],
) -> Result<RunStats, RunError> {
    let rows: Vec<(SourceSpec, Vec<&'static CpuModel>)> = plan
        .rows
        .iter()
        .filter(|r| in_shard(shard, &r.name()))
        .map(|r| {
            let row = r.name();
            let todo = plan
                .targets
                .iter()
                .copied()
                .filter(|t| !done.contains(&pair_name(&row, t.name)))
                .collect();
            (*r, todo)
        })
        .collect();
    let total: usize = rows.iter().map(|(_, t)| t.len()).sum();
    let in_scope = rows.len() * plan.targets.len();
    let mut stats = RunStats {
        skipped: in_scope - total,
        ..RunStats::default()
    };
    let jobs = options.jobs.max(1);
    let (tx, mut rx) = mpsc::channel::<Event>(2 * jobs);
    let started = Event::Started {
        pairs: total,
        skipped: stats.skipped,
    };
    dispatch(sinks, &started)?;
    let producer = AbortOnDrop(tokio::spawn(produce(
        sim,
        rows,
        plan.policies.clone(),
        options,
        tx,
    )));
    while let Some(event) = rx.recv().await {
        dispatch(sinks, &event)?;
        if let Event::Finished(p) = &event {
            stats.finished += 1;
            stats.errors += usize::from(p.outcome.is_none());
            stats.flaky += usize::from(p.flaky);
        }
    }
    drop(producer);
    Ok(stats)
}

fn dispatch(sinks: &mut [&mut dyn Sink], event: &Event) -> Result<(), RunError> {
    for s in sinks.iter_mut() {
        s.event(event).map_err(|error| RunError::Sink {
            sink: "the journal or the progress output",
            error,
        })?;
    }
    Ok(())
}

/// Aborts a task when dropped (a stopped run leaves nothing running).
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn produce<S: Simulator>(
    sim: Arc<S>,
    rows: Vec<(SourceSpec, Vec<&'static CpuModel>)>,
    policies: Vec<Policy>,
    options: RunOptions,
    tx: mpsc::Sender<Event>,
) {
    let jobs = options.jobs.max(1);
    let calls = Arc::new(Semaphore::new(jobs));
    let row_slots = Arc::new(Semaphore::new(jobs));
    let policies: Arc<[Policy]> = policies.into();
    let mut set = JoinSet::new();
    for (row, todo) in rows {
        if todo.is_empty() {
            continue;
        }
        let Ok(slot) = row_slots.clone().acquire_owned().await else {
            return;
        };
        let (sim, calls, policies, tx) = (sim.clone(), calls.clone(), policies.clone(), tx.clone());
        set.spawn(async move {
            run_row(sim, row, todo, policies, calls, options, tx).await;
            drop(slot);
        });
        while let Some(r) = set.try_join_next() {
            propagate(r);
        }
    }
    while let Some(r) = set.join_next().await {
        propagate(r);
    }
}

fn propagate(r: Result<(), tokio::task::JoinError>) {
    if let Err(e) = r {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
    }
}

async fn run_row<S: Simulator>(
    sim: Arc<S>,
    row: SourceSpec,
    todo: Vec<&'static CpuModel>,
    policies: Arc<[Policy]>,
    calls: Arc<Semaphore>,
    options: RunOptions,
    tx: mpsc::Sender<Event>,
) {
    let name = row.name();
    let checkpoint = {
        let sim = sim.clone();
        attempts(
            &format!("checkpoint {name}"),
            &calls,
            options,
            &tx,
            move || {
                let sim = sim.clone();
                async move { sim.checkpoint(&row).await }
            },
        )
        .await
    };
    let image = match checkpoint.result {
        Ok(bytes) => Image::decode(&bytes)
            .map(|i| (Arc::new(bytes), Arc::new(i)))
            .map_err(|e| format!("the checkpointed image does not decode: {e}")),
        Err(e) => Err(format!("checkpoint failed: {e}")),
    };
    let (bytes, image) = match image {
        Ok(x) => x,
        Err(reason) => {
            for t in todo {
                let mut p = pair_result(&row, t, &policies, None, Err(reason.clone()));
                p.attempts = checkpoint.attempts;
                p.failures = checkpoint.failures.clone();
                if tx.send(Event::Finished(Box::new(p))).await.is_err() {
                    return;
                }
            }
            return;
        }
    };
    let mut set = JoinSet::new();
    for target in todo {
        let (sim, bytes, image, policies, calls, tx) = (
            sim.clone(),
            bytes.clone(),
            image.clone(),
            policies.clone(),
            calls.clone(),
            tx.clone(),
        );
        set.spawn(async move {
            let pair = pair_name(&row.name(), target.name);
            let start = Instant::now();
            let a = attempts(&pair, &calls, options, &tx, move || {
                let (sim, bytes) = (sim.clone(), bytes.clone());
                async move { sim.forced_outcome(&row, &bytes, target).await }
            })
            .await;
            let mut p = pair_result(
                &row,
                target,
                &policies,
                Some(&image),
                a.result.map_err(|e| e.to_string()),
            );
            p.attempts = a.attempts;
            p.flaky = a.attempts > 1 && p.outcome.is_some();
            p.failures = a.failures;
            p.millis = start.elapsed().as_millis() as u64;
            let _ = tx.send(Event::Finished(Box::new(p))).await;
        });
    }
    while let Some(r) = set.join_next().await {
        propagate(r);
    }
}

struct Attempts<T> {
    result: Result<T, SimFailure>,
    attempts: u32,
    failures: Vec<String>,
}

/// Calls `call` (each attempt in its own task, under a deadline and a
/// simulator permit) until it answers or the retries are spent.
async fn attempts<T, F, Fut>(
    what: &str,
    calls: &Arc<Semaphore>,
    options: RunOptions,
    tx: &mpsc::Sender<Event>,
    call: F,
) -> Attempts<T>
where
    T: Send + 'static,
    F: Fn() -> Fut,
    Fut: Future<Output = Result<T, SimFailure>> + Send + 'static,
{
    let mut failures = Vec::new();
    let mut attempt = 0;
    loop {
        attempt += 1;
        let failure = {
            let Ok(_permit) = calls.acquire().await else {
                return Attempts {
                    result: Err(SimFailure("the run was stopped".into())),
                    attempts: attempt,
                    failures,
                };
            };
            let mut task = AbortOnDrop(tokio::spawn(call()));
            match tokio::time::timeout(options.deadline, &mut task.0).await {
                Ok(Ok(Ok(value))) => {
                    return Attempts {
                        result: Ok(value),
                        attempts: attempt,
                        failures,
                    }
                }
                Ok(Ok(Err(e))) => e.0,
                Ok(Err(join)) if join.is_panic() => {
                    format!(
                        "the simulator panicked: {}",
                        panic_message(join.into_panic())
                    )
                }
                Ok(Err(join)) => format!("the simulator task ended: {join}"),
                Err(_) => format!(
                    "no answer within the {:.0?} deadline (the call was stopped)",
                    options.deadline
                ),
            }
        };
        failures.push(format!("attempt {attempt}: {failure}"));
        if attempt > options.retries {
            return Attempts {
                result: Err(SimFailure(failures.join("; "))),
                attempts: attempt,
                failures,
            };
        }
        let _ = tx
            .send(Event::Retrying {
                what: what.to_string(),
                attempt,
                error: failure,
            })
            .await;
    }
}

fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".into())
}

/// The result of a pair: verdicts from the image (when there is one), the
/// class of each from the outcome (or `error`).
pub fn pair_result(
    row: &SourceSpec,
    target: &'static CpuModel,
    policies: &[Policy],
    image: Option<&Image>,
    observed: Result<Observed, String>,
) -> PairResult {
    let (outcome, detail) = match observed {
        Ok(o) => (Some(o.outcome), o.detail),
        Err(e) => (None, e),
    };
    let cells = policies
        .iter()
        .map(|&policy| match image {
            Some(image) => {
                let v = evaluate(policy, image, target.name, &target.caps);
                CellResult {
                    policy,
                    accepted: Some(v.accepted()),
                    class: Class::of(v.accepted(), outcome),
                    reasons: v.reasons,
                    conversions: v.conversions,
                }
            }
            None => CellResult {
                policy,
                accepted: None,
                reasons: Vec::new(),
                conversions: Vec::new(),
                class: Class::Error,
            },
        })
        .collect();
    PairResult {
        name: pair_name(&row.name(), target.name),
        source: RowKey {
            model: row.model.name.to_string(),
            flavour: row.flavour.name().to_string(),
            workload: row.workload.name.to_string(),
        },
        target: target.name.to_string(),
        outcome,
        detail,
        attempts: 1,
        flaky: false,
        failures: Vec::new(),
        millis: 0,
        cells,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::cells::Selection;
    use crate::matrix::testing::FakeSimulator;
    use ppcr_core::class::Outcome;

    struct Collect(Vec<Event>);
    impl Sink for Collect {
        fn event(&mut self, e: &Event) -> std::io::Result<()> {
            self.0.push(e.clone());
            Ok(())
        }
    }

    /// Panics on one target, fails the checkpoint of one row.
    struct Rough;
    impl Simulator for Rough {
        async fn checkpoint(&self, s: &SourceSpec) -> Result<Vec<u8>, SimFailure> {
            if s.workload.name == "fp" {
                return Err(SimFailure("QEMU spoke garbage on QMP".into()));
            }
            FakeSimulator::new().checkpoint(s).await
        }
        async fn forced_outcome(
            &self,
            s: &SourceSpec,
            image: &[u8],
            t: &'static CpuModel,
        ) -> Result<Observed, SimFailure> {
            if t.name == "e6500" {
                panic!("boom in the simulator");
            }
            FakeSimulator::new().forced_outcome(s, image, t).await
        }
    }

    fn selection() -> Selection {
        Selection {
            sources: vec!["7400".into()],
            targets: vec!["7450".into(), "e6500".into()],
            workloads: vec!["int".into(), "fp".into()],
            policies: Vec::new(),
        }
    }

    fn go<S: Simulator>(sim: S, options: RunOptions) -> (RunStats, Vec<PairResult>) {
        let plan = Arc::new(selection().plan().unwrap());
        let mut c = Collect(Vec::new());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let stats = rt
            .block_on(run(
                Arc::new(sim),
                plan,
                None,
                Arc::default(),
                options,
                &mut [&mut c],
            ))
            .unwrap();
        let pairs =
            c.0.into_iter()
                .filter_map(|e| match e {
                    Event::Finished(p) => Some(*p),
                    _ => None,
                })
                .collect();
        (stats, pairs)
    }

    fn options() -> RunOptions {
        RunOptions {
            jobs: 2,
            deadline: Duration::from_millis(200),
            retries: 1,
        }
    }

    #[test]
    fn failures_panics_and_hangs_become_error_cells_and_the_run_goes_on() {
        let (stats, pairs) = go(Rough, options());
        assert_eq!(stats.finished, 4);
        let get = |n: &str| pairs.iter().find(|p| p.name == n).unwrap();
        let ok = get("7400/ppc32/int@7450");
        assert_eq!(ok.outcome, Some(Outcome::Ok));
        let panicked = get("7400/ppc32/int@e6500");
        assert_eq!(panicked.outcome, None);
        assert!(
            panicked.detail.contains("panicked: boom"),
            "{}",
            panicked.detail
        );
        assert_eq!(panicked.attempts, 2);
        let no_image = get("7400/ppc32/fp@7450");
        assert!(
            no_image.detail.contains("checkpoint failed") && no_image.detail.contains("garbage")
        );
        assert!(no_image
            .cells
            .iter()
            .all(|c| c.class == Class::Error && c.accepted.is_none()));

        let hang = FakeSimulator::hanging(&["7400/ppc32/int@e6500"]);
        let start = Instant::now();
        let (stats, pairs) = go(hang, options());
        assert!(start.elapsed() < Duration::from_secs(5));
        assert_eq!((stats.finished, stats.errors), (4, 1));
        let hung = pairs.iter().find(|p| p.outcome.is_none()).unwrap();
        assert_eq!(hung.name, "7400/ppc32/int@e6500");
        assert!(hung.detail.contains("deadline"), "{}", hung.detail);
    }

    #[test]
    fn a_retried_success_is_flaky() {
        // Find a pair the fake fails once, and run just its row.
        let plan = Selection::default().plan().unwrap();
        let pair = plan
            .pair_names(plan.rows.iter())
            .find(|p| crate::matrix::testing::is_flaky(p))
            .unwrap();
        let (row, target) = pair.split_once('@').unwrap();
        let mut parts = row.split('/');
        let (model, _, workload) = (parts.next().unwrap(), parts.next(), parts.next().unwrap());
        let sel = Selection {
            sources: vec![model.into()],
            targets: vec![target.into()],
            workloads: vec![workload.into()],
            policies: Vec::new(),
        };
        let plan = Arc::new(sel.plan().unwrap());
        let mut c = Collect(Vec::new());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let stats = rt
            .block_on(run(
                Arc::new(FakeSimulator::new()),
                plan,
                None,
                Arc::default(),
                options(),
                &mut [&mut c],
            ))
            .unwrap();
        assert!(stats.flaky >= 1);
        let p =
            c.0.iter()
                .find_map(|e| match e {
                    Event::Finished(p) if p.name == pair => Some(p),
                    _ => None,
                })
                .unwrap();
        assert!(p.flaky && p.outcome.is_some() && p.attempts == 2);
        assert_eq!(p.failures.len(), 1);
        assert!(c.0.iter().any(|e| matches!(e, Event::Retrying { .. })));
    }

    #[test]
    fn a_failing_sink_stops_the_run() {
        struct Full(usize);
        impl Sink for Full {
            fn event(&mut self, e: &Event) -> std::io::Result<()> {
                if matches!(e, Event::Finished(_)) {
                    self.0 += 1;
                    if self.0 == 2 {
                        return Err(std::io::Error::other("No space left on device"));
                    }
                }
                Ok(())
            }
        }
        let plan = Arc::new(selection().plan().unwrap());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let r = rt.block_on(run(
            Arc::new(FakeSimulator::new()),
            plan,
            None,
            Arc::default(),
            options(),
            &mut [&mut Full(0)],
        ));
        let e = r.unwrap_err().to_string();
        assert!(e.contains("No space left") && e.contains("--resume"), "{e}");
    }
}
