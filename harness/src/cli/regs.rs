//! `ppcr regs --cpu MODEL [--flavour F]`: boot to the ready point and print
//! every register the gdb stub offers, normalised.

use super::args::RegsArgs;
use super::exit::ExitStatus;
use crate::guest::regs::{read_all, RegisterClass};
use crate::guest::{boot_with, BootOptions, GuestSpec};
use serde_json::json;

pub fn run(a: &RegsArgs) -> anyhow::Result<ExitStatus> {
    super::runtime()?.block_on(async {
        let model = ppcr_core::cpu::lookup(&a.cpu)?;
        let flavour = a.flavour.unwrap_or(super::probe::default_flavour(model));
        let spec = GuestSpec::resolve(&a.cpu, flavour)?;
        let mut guest = boot_with(spec, BootOptions::default()).await?;
        let regs = read_all(&mut guest).await?;
        let command_line = guest.command_line.clone();
        let ready = guest.timings.ready;
        guest.kill().await?;
        if a.json {
            let doc = json!({
                "cpu": model.name,
                "qemu_cpu": spec.qemu_cpu,
                "flavour": flavour.name(),
                "command_line": command_line,
                "registers": regs,
            });
            println!("{}", serde_json::to_string_pretty(&doc)?);
            return Ok(ExitStatus::Success);
        }
        println!(
            "{} ({}) {} at ppcr_ready after {:.0?}: {} registers",
            model.name,
            spec.qemu_cpu,
            flavour,
            ready,
            regs.len()
        );
        let mut class = None;
        let mut line = Vec::new();
        for r in &regs {
            if class != Some(r.class) {
                if !line.is_empty() {
                    println!("  {}", line.join("  "));
                    line.clear();
                }
                class = Some(r.class);
                println!("[{}]", r.class.name());
            }
            let per_line = match r.bits {
                0..=32 => 4,
                33..=64 => 3,
                _ => 2,
            };
            line.push(format!("{:>9} {}", r.name, r.hex()));
            if line.len() == per_line || r.class == RegisterClass::Other {
                println!("  {}", line.join("  "));
                line.clear();
            }
        }
        if !line.is_empty() {
            println!("  {}", line.join("  "));
        }
        Ok(ExitStatus::Success)
    })
}
