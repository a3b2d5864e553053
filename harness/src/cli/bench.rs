//! `ppcr bench`: the matrix's cost per cell with the warm guest pool and
//! with one fresh QEMU per restore, against QEMU's own start+quit measured
//! in the same run; and, for one same-model cell, QEMU's own whole-VM
//! alternative (`migrate` to `file:` and an `-incoming file:` restore) next
//! to ppcr's restore of that cell.
//!
//! Baseline start+quit: `qemu-system-ppc64 -nodefaults -no-user-config
//! -nographic -qmp stdio -M pseries ... -S` with `qmp_capabilities` + `quit`
//! on stdin, spawn to exit (as `benches/boot.rs`).

use super::exit::ExitStatus;
use crate::matrix::{self as mx, Event, QemuSimulator, RunOptions, Selection, Sink};
use crate::sim::{self, Mode, Pool, RestoreOptions, Workload};
use anyhow::Context;
use clap::Args;
use ppcr_core::cpu::QemuSystem;
use ppcr_core::format::{Flavour, Image};
use ppcr_qemu::{Guest, LaunchConfig, QemuBinary, QemuKind};
use serde::Serialize;
use std::collections::HashSet;

use std::sync::Arc;
use std::time::{Duration, Instant};

/// `ppcr bench`
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Sources of the sub-matrix (every workload of each, × every target).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "MODEL,..",
        default_value = "7400,e500v2,power9"
    )]
    pub sources: Vec<String>,
    /// Cells run at once (default: the number of cores).
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// QEMU start+quit samples (half before, half after the sub-matrices).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub rounds: usize,
    /// The same-model cell: MODEL/FLAVOUR/WORKLOAD, restored on MODEL.
    #[arg(long, value_name = "CELL", default_value = "power9/ppc64/int")]
    pub cell: String,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// One sub-matrix run.
#[derive(Debug, Serialize)]
struct MatrixTiming {
    wall_ms: f64,
    cells_per_s: f64,
    per_cell_ms: f64,
    per_pair_ms: f64,
    errors: usize,
}

/// The same-model cell.
#[derive(Debug, Serialize)]
struct CellTiming {
    cell: String,
    /// ppcr restore on a warm guest: reset, write the image, run to the exit.
    ppcr_warm_ms: f64,
    /// ppcr restore on a fresh QEMU: launch, boot, write, run to the exit.
    ppcr_fresh_ms: f64,
    /// QEMU `migrate` to `file:` of the target guest at its user entry.
    qemu_migrate_ms: f64,
    /// Size of the migration file.
    qemu_migrate_bytes: u64,
    /// A second QEMU with `-incoming file:`: spawn to migration completed.
    qemu_incoming_ms: f64,
    /// `query-status` of the incoming QEMU afterwards.
    qemu_incoming_status: String,
}

#[derive(Debug, Serialize)]
struct Report {
    sources: Vec<String>,
    jobs: usize,
    rows: usize,
    pairs: usize,
    cells: usize,
    qemu_start_quit_ms: f64,
    pool: MatrixTiming,
    no_pool: MatrixTiming,
    ratio_pool: f64,
    ratio_no_pool: f64,
    speedup: f64,
    pool_launched: u64,
    pool_reused: u64,
    same_model: CellTiming,
}

struct Null;
impl Sink for Null {
    fn event(&mut self, _: &Event) -> std::io::Result<()> {
        Ok(())
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// QEMU's own start+quit of a pseries POWER9 (no payload run).
fn start_quit() -> anyhow::Result<Duration> {
    let spec = crate::guest::GuestSpec::resolve("power9", Flavour::Ppc64)?;
    let plan = crate::guest::LaunchPlan::new(spec, None)?;
    let dir = tempfile::tempdir()?;
    plan.write_files(dir.path())?;
    let kind = match spec.system() {
        QemuSystem::Ppc => ppcr_qemu::QemuKind::Ppc,
        QemuSystem::Ppc64 => ppcr_qemu::QemuKind::Ppc64,
    };
    let bin = ppcr_qemu::QemuBinary::find(kind)?;
    Ok(ppcr_qemu::baseline::start_quit(
        &bin,
        &plan.args(dir.path()),
    )?)
}

async fn sub_matrix(
    selection: &Selection,
    jobs: usize,
    pooled: bool,
) -> anyhow::Result<(MatrixTiming, usize, Option<crate::sim::PoolStats>)> {
    let plan = Arc::new(selection.plan()?);
    let sim = if pooled {
        QemuSimulator::pooled(jobs)
    } else {
        QemuSimulator::default()
    };
    let pool = sim.pool.clone();
    let t = Instant::now();
    let stats = mx::run(
        Arc::new(sim),
        plan.clone(),
        None,
        Arc::new(HashSet::new()),
        RunOptions {
            jobs,
            ..RunOptions::default()
        },
        &mut [&mut Null],
    )
    .await?;
    if let Some(p) = &pool {
        p.shutdown().await;
    }
    let wall = t.elapsed();
    let pairs = stats.finished;
    let cells = pairs * plan.policies.len();
    Ok((
        MatrixTiming {
            wall_ms: ms(wall),
            cells_per_s: cells as f64 / wall.as_secs_f64(),
            per_cell_ms: ms(wall) / cells.max(1) as f64,
            per_pair_ms: ms(wall) / pairs.max(1) as f64,
            errors: stats.errors,
        },
        pairs,
        pool.map(|p| p.stats()),
    ))
}

async fn same_model(cell: &str) -> anyhow::Result<CellTiming> {
    let mut parts = cell.split('/');
    let (Some(model), Some(flavour), Some(workload), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        anyhow::bail!("--cell wants MODEL/FLAVOUR/WORKLOAD, not '{cell}'");
    };
    let flavour =
        Flavour::from_name(flavour).with_context(|| format!("unknown flavour '{flavour}'"))?;
    let target = ppcr_core::cpu::resolve(model)?.model.qemu_cpu();
    let c = sim::checkpoint(target, flavour, workload).await?;
    let image: Image = c.image;
    let opts = RestoreOptions {
        mode: Mode::Forced,
        ..RestoreOptions::default()
    };
    let rounds = 5;
    // Fresh: one QEMU per restore.
    let mut fresh = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let r = sim::restore(&image, target, &opts).await?;
        fresh.push(ms(t.elapsed()));
        anyhow::ensure!(r.outcome.is_some(), "no outcome: {}", r.detail);
    }
    // Warm: the first restore fills the pool, the next ones reuse it.
    let pool = Pool::new(1);
    sim::restore_pooled(&image, target, &opts, &pool).await?;
    let mut warm = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        sim::restore_pooled(&image, target, &opts, &pool).await?;
        warm.push(ms(t.elapsed()));
    }
    pool.shutdown().await;
    // QEMU's own: migrate the target guest (at its user entry) to a file,
    // then a second QEMU restores it with -incoming.
    let wl = Workload::get(workload)?;
    let carrier = wl.payload(flavour)?;
    let mut t = sim::boot_target(target, flavour, carrier, None).await?;
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("vm.mig");
    let uri = format!("file:{}", file.display());
    // A VM stopped by the gdb stub is in runstate `debug`, which the
    // destination cannot enter (QEMU 10.0 aborts: "invalid runstate
    // transition: 'inmigrate' -> 'debug'"): QMP `cont` + `stop` first, as a
    // user pausing the VM would (the vCPU runs a few instructions).
    t.guest.qemu.cont().await?;
    t.guest.qemu.stop().await?;
    let t0 = Instant::now();
    let migrated = async {
        t.guest.qemu.migrate(&uri).await?;
        t.guest
            .qemu
            .wait_for_migration(Duration::from_secs(60))
            .await
    }
    .await;
    let migrate = t0.elapsed();
    let args = t.guest.plan.args(t.guest.qemu.run_dir());
    let kind = match t.guest.plan.spec.system() {
        QemuSystem::Ppc => QemuKind::Ppc,
        QemuSystem::Ppc64 => QemuKind::Ppc64,
    };
    let incoming = async {
        let config = LaunchConfig::new(QemuBinary::find(kind)?)
            .args(args)
            .arg("-incoming")
            .arg(uri.clone())
            .label("bench-incoming");
        let t1 = Instant::now();
        let mut g = Guest::launch(config).await?;
        let r = async {
            g.wait_for_migration(Duration::from_secs(60)).await?;
            let took = t1.elapsed();
            let status = g.query_status().await?;
            Ok::<_, ppcr_qemu::QemuError>((took, format!("{:?}", status.status)))
        }
        .await;
        let _ = g.kill().await;
        r
    }
    .await;
    let _ = t.guest.kill().await;
    migrated.context("QEMU migrate to file")?;
    let (incoming, status) = incoming.context("QEMU -incoming restore")?;
    Ok(CellTiming {
        cell: format!("{cell}@{model}"),
        ppcr_warm_ms: median(warm),
        ppcr_fresh_ms: median(fresh),
        qemu_migrate_ms: ms(migrate),
        qemu_migrate_bytes: std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0),
        qemu_incoming_ms: ms(incoming),
        qemu_incoming_status: status,
    })
}

/// Runs `ppcr bench`.
pub fn run(a: &BenchArgs) -> anyhow::Result<ExitStatus> {
    let jobs = a.jobs.unwrap_or(RunOptions::default().jobs).max(1);
    let selection = Selection {
        sources: a.sources.clone(),
        targets: Vec::new(),
        workloads: Vec::new(),
        policies: Vec::new(),
    }
    .canonical()?;
    let plan = selection.plan()?;
    let rounds = a.rounds.max(2);
    let rt = super::runtime()?;
    let mut base = Vec::new();
    for _ in 0..rounds / 2 {
        base.push(ms(start_quit()?));
    }
    let (no_pool, pairs, _) = rt.block_on(sub_matrix(&selection, jobs, false))?;
    let (pool, _, stats) = rt.block_on(sub_matrix(&selection, jobs, true))?;
    for _ in rounds / 2..rounds {
        base.push(ms(start_quit()?));
    }
    let same = rt.block_on(same_model(&a.cell))?;
    let sq = median(base);
    let stats = stats.unwrap_or_default();
    let r = Report {
        sources: a.sources.clone(),
        jobs,
        rows: plan.rows.len(),
        pairs,
        cells: pairs * plan.policies.len(),
        qemu_start_quit_ms: sq,
        ratio_pool: pool.per_cell_ms / sq,
        ratio_no_pool: no_pool.per_cell_ms / sq,
        speedup: no_pool.wall_ms / pool.wall_ms,
        pool,
        no_pool,
        pool_launched: stats.launched,
        pool_reused: stats.reused,
        same_model: same,
    };
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print_text(&r);
    }
    Ok(if r.pool.errors + r.no_pool.errors == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}

fn print_text(r: &Report) {
    println!(
        "sub-matrix: sources {} x {} targets: {} rows, {} pairs, {} cells, --jobs {}",
        r.sources.join(","),
        ppcr_core::cpu::CATALOGUE.len(),
        r.rows,
        r.pairs,
        r.cells,
        r.jobs
    );
    println!(
        "{:<22} {:>9} {:>9} {:>12} {:>12} {:>7}",
        "", "wall s", "cells/s", "per-cell ms", "per-pair ms", "errors"
    );
    for (name, m) in [("warm pool", &r.pool), ("fresh QEMU per pair", &r.no_pool)] {
        println!(
            "{:<22} {:>9.2} {:>9.1} {:>12.2} {:>12.2} {:>7}",
            name,
            m.wall_ms / 1e3,
            m.cells_per_s,
            m.per_cell_ms,
            m.per_pair_ms,
            m.errors
        );
    }
    println!(
        "pool: {} QEMU launched, {} restores on a reset guest",
        r.pool_launched, r.pool_reused
    );
    println!(
        "QEMU start+quit (pseries power9, -S, qmp_capabilities+quit, median): {:.1} ms",
        r.qemu_start_quit_ms
    );
    println!(
        "ratio per-cell / start+quit: warm pool {:.3}, fresh QEMU {:.3}",
        r.ratio_pool, r.ratio_no_pool
    );
    println!(
        "warm-pool speedup over a fresh QEMU per pair: {:.2}x",
        r.speedup
    );
    let s = &r.same_model;
    println!("same-model cell {}:", s.cell);
    println!(
        "  ppcr restore, warm guest (reset, write image, run to exit): {:>8.1} ms",
        s.ppcr_warm_ms
    );
    println!(
        "  ppcr restore, fresh QEMU (launch, boot, write, run to exit): {:>7.1} ms",
        s.ppcr_fresh_ms
    );
    println!(
        "  QEMU migrate to file: (whole VM, {:.1} MiB):                 {:>8.1} ms",
        s.qemu_migrate_bytes as f64 / (1 << 20) as f64,
        s.qemu_migrate_ms
    );
    println!(
        "  QEMU -incoming file: restore (spawn to completed, {}):  {:>8.1} ms",
        s.qemu_incoming_status, s.qemu_incoming_ms
    );
}
