//! `ppcr checkpoint --cpu MODEL --flavour F --workload W [--library DIR] [-o FILE]`:
//! run a workload under QEMU to its checkpoint label and write its image.

use clap::Args;
use ppcr_core::format::Flavour;
use std::path::PathBuf;

use super::exit::ExitStatus;
use super::files::write_atomic;

#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// The source CPU model.
    #[arg(long)]
    pub cpu: String,
    /// Process flavour: ppc32, ppc64, ppc64le.
    #[arg(long, value_parser = parse_flavour)]
    pub flavour: Flavour,
    /// The workload (docs/WORKLOADS.md): int, fp, vmx, vsx, mix, spe,
    /// efp-double, dabr, dawr, booke-debug, isa300, isa31, dispatch.
    #[arg(long)]
    pub workload: String,
    /// Store the image in this image library.
    #[arg(long)]
    pub library: Option<PathBuf>,
    /// Write the image to this file.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Print what was done as JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_flavour(s: &str) -> Result<Flavour, String> {
    Flavour::from_name(s).ok_or_else(|| format!("unknown flavour '{s}' (ppc32, ppc64, ppc64le)"))
}

pub fn run(a: &CheckpointArgs) -> anyhow::Result<ExitStatus> {
    if a.library.is_none() && a.output.is_none() {
        anyhow::bail!("say where the image goes: --library DIR and/or -o FILE");
    }
    let c = super::runtime()?.block_on(crate::sim::checkpoint(&a.cpu, a.flavour, &a.workload))?;
    let bytes = c.image.encode()?;
    let mut stored = serde_json::Map::new();
    if let Some(out) = &a.output {
        write_atomic(out, &bytes)?;
        stored.insert("file".into(), out.display().to_string().into());
    }
    if let Some(dir) = &a.library {
        let entry = crate::library::Library::open(dir)?.put(&bytes)?;
        stored.insert("library_id".into(), entry.id.clone().into());
        stored.insert(
            "library_path".into(),
            entry.path.display().to_string().into(),
        );
    }
    let records: Vec<&str> = c.image.cpu.records().iter().map(|r| r.name()).collect();
    if a.json {
        let v = serde_json::json!({
            "cpu": a.cpu,
            "flavour": a.flavour.name(),
            "workload": a.workload,
            "records": records,
            "facilities": c.image.header.facilities.names(),
            "nip": format!("{:#x}", c.image.cpu.main.nip),
            "reference": format!("{:#x}", c.reference),
            "bytes": bytes.len(),
            "stored": stored,
            "boot_ms": c.boot.as_millis() as u64,
            "capture_ms": c.capture.as_millis() as u64,
        });
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        println!(
            "checkpointed {} on {} ({}) at nip {:#x}: records {}, facilities {}, {} bytes",
            a.workload,
            a.cpu,
            a.flavour.name(),
            c.image.cpu.main.nip,
            records.join(","),
            c.image.header.facilities.names().join(","),
            bytes.len()
        );
        for (k, v) in &stored {
            println!("  {k}: {}", v.as_str().unwrap_or_default());
        }
        println!(
            "  reference checksum {:#x}; boot {} ms, capture {} ms",
            c.reference,
            c.boot.as_millis(),
            c.capture.as_millis()
        );
    }
    Ok(ExitStatus::Success)
}
