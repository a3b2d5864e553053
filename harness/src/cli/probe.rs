//! `ppcr cpus --probe`: measure every catalogue model under QEMU and compare
//! with the catalogue. A disagreement is a bug in one of them.

use super::args::CpusArgs;
use super::exit::ExitStatus;
use crate::guest::{run_probe, Mismatch, ProbeReport};
use ppcr_core::cpu::{lookup, CpuModel, Flavour, CATALOGUE};
use serde_json::json;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// The flavour a model is probed in: 64-bit where it can, so the boot part
/// runs the way most of its images will.
pub(crate) fn default_flavour(m: &CpuModel) -> Flavour {
    if m.runs(Flavour::Ppc64) {
        Flavour::Ppc64
    } else {
        m.flavours[0]
    }
}

struct Row {
    model: &'static CpuModel,
    result: Result<(ProbeReport, Vec<Mismatch>), String>,
}

pub fn run(a: &CpusArgs) -> anyhow::Result<ExitStatus> {
    let models: Vec<&'static CpuModel> = if a.only.is_empty() {
        CATALOGUE.iter().collect()
    } else {
        a.only.iter().map(|n| lookup(n)).collect::<Result<_, _>>()?
    };
    let rows = super::runtime()?.block_on(async {
        // Each guest is one busy vCPU thread: one per core.
        let permits = Arc::new(Semaphore::new(
            std::thread::available_parallelism().map_or(2, |n| n.get()),
        ));
        let mut tasks = Vec::new();
        for &model in &models {
            let permits = permits.clone();
            tasks.push(tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                let flavour = default_flavour(model);
                let result = run_probe(model.name, flavour)
                    .await
                    .map(|report| {
                        let mismatches =
                            report.results.findings().compare(model.family, &model.caps);
                        (report, mismatches)
                    })
                    .map_err(|e| e.to_string());
                Row { model, result }
            }));
        }
        let mut rows = Vec::new();
        for t in tasks {
            rows.push(t.await?);
        }
        anyhow::Ok(rows)
    })?;

    let disagreements = rows
        .iter()
        .filter(|r| !matches!(&r.result, Ok((_, m)) if m.is_empty()))
        .count();
    if a.json {
        let doc: Vec<_> = rows
            .iter()
            .map(|r| match &r.result {
                Ok((report, mismatches)) => json!({
                    "model": r.model.name,
                    "flavour": report.spec.flavour.name(),
                    "findings": format!("{:?}", report.results.findings()),
                    "probe": report.results.iter().map(|(i, s)| json!({"probe": i.name(), "status": s.to_string()})).collect::<Vec<_>>(),
                    "mismatches": mismatches.iter().map(|m| json!({"what": m.what, "catalogue": m.catalogue, "probe": m.probe})).collect::<Vec<_>>(),
                    "boot_ms": report.boot.ready.as_millis(),
                    "probe_ms": report.probe_time.as_millis(),
                }),
                Err(e) => json!({"model": r.model.name, "error": e}),
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(
                &json!({ "models": doc, "disagreements": disagreements })
            )?
        );
    } else {
        println!(
            "{:<8} {:<7} {:>3} {:>3} {:>3} {:>3} {:>4} {:>3} {:>4} {:>3} {:>3} {:>3} {:>3}  VERDICT",
            "MODEL",
            "FLAVOUR",
            "FPU",
            "VMX",
            "VSX",
            "SPE",
            "EFPD",
            "64",
            "DABR",
            "DAWR",
            "IAC",
            "DAC",
            "DVC",
        );
        for r in &rows {
            match &r.result {
                Ok((report, mismatches)) => {
                    let f = report.results.findings();
                    let y = |b: bool| if b { "Y" } else { "-" };
                    println!(
                        "{:<8} {:<7} {:>3} {:>3} {:>3} {:>3} {:>4} {:>3} {:>4} {:>3} {:>3} {:>3} {:>3}  {}",
                        r.model.name,
                        report.spec.flavour.name(),
                        y(f.fp),
                        y(f.vmx),
                        y(f.vsx),
                        y(f.spe),
                        y(f.efp_double),
                        y(f.mode64),
                        f.dabr,
                        f.dawr,
                        f.iac,
                        f.dac,
                        f.dvc,
                        if mismatches.is_empty() { "agrees".to_string() } else {
                            mismatches.iter().map(|m| m.to_string()).collect::<Vec<_>>().join("; ")
                        }
                    );
                }
                Err(e) => println!("{:<8} error: {e}", r.model.name),
            }
        }
        println!(
            "{} models probed, {} disagree with the catalogue",
            rows.len(),
            disagreements
        );
    }
    Ok(if disagreements == 0 {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}
