//! `ppcr cpus`: the catalogue as a table or JSON.

use super::args::CpusArgs;
use super::exit::ExitStatus;
use ppcr_core::cpu::{short_names, Hwcap, Hwcap2, CATALOGUE};
use serde_json::json;

pub fn run(a: &CpusArgs) -> anyhow::Result<ExitStatus> {
    if a.json {
        let models: Vec<_> = CATALOGUE
            .iter()
            .map(|m| {
                json!({
                    "name": m.name,
                    "qemu_cpu": m.qemu_cpu(),
                    "pvr": format!("{:#010x}", m.pvr()),
                    "variants": m.variants.iter().map(|v| v.qemu_name).collect::<Vec<_>>(),
                    "aliases": m.aliases,
                    "family": m.family.name(),
                    "qemu": m.qemu.program(),
                    "machine": m.machine,
                    "flavours": m.flavours.iter().map(|f| f.name()).collect::<Vec<_>>(),
                    "hwcap": format!("{:#010x}", m.caps.hwcap.bits()),
                    "hwcap2": format!("{:#010x}", m.caps.hwcap2.bits()),
                    "hwcap_names": short_names(m.caps.hwcap, Hwcap2::empty()),
                    "hwcap2_names": short_names(Hwcap::empty(), m.caps.hwcap2),
                    "cpu64": m.caps.cpu64,
                    "true_le": m.caps.true_le,
                    "debug": m.caps.debug,
                    "sources": m.sources.iter().map(|s| json!({"fact": s.fact, "reference": s.reference})).collect::<Vec<_>>(),
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({ "models": models }))?
        );
        return Ok(ExitStatus::Success);
    }
    println!(
        "{:<8} {:<13} {:<10} {:<8} {:<20} {:>3} {:>3} {:>3} {:>3} {:>3} {:>3} {:>3}  DEBUG",
        "MODEL",
        "QEMU -cpu",
        "PVR",
        "MACHINE",
        "FLAVOURS",
        "64",
        "LE",
        "FPU",
        "VMX",
        "VSX",
        "SPE",
        "3.0"
    );
    for m in CATALOGUE {
        let c = &m.caps;
        let mark = |b: bool| if b { "Y" } else { "-" };
        let d = c.debug;
        let mut debug = Vec::new();
        for (n, name) in [
            (d.dabr, "DABR"),
            (d.dawr, "DAWR"),
            (d.iac, "IAC"),
            (d.dac, "DAC"),
            (d.dvc, "DVC"),
        ] {
            if n > 0 {
                debug.push(format!("{name}×{n}"));
            }
        }
        println!(
            "{:<8} {:<13} {:#010x} {:<8} {:<20} {:>3} {:>3} {:>3} {:>3} {:>3} {:>3} {:>3}  {}",
            m.name,
            m.qemu_cpu(),
            m.pvr(),
            m.machine,
            m.flavours
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(","),
            mark(c.cpu64),
            mark(c.true_le),
            mark(c.has_fpu()),
            mark(c.has_vmx()),
            mark(c.has_vsx()),
            mark(c.has_spe()),
            mark(c.hwcap2.contains(Hwcap2::ARCH_3_00)),
            debug.join(" ")
        );
        if a.sources {
            for s in m.sources {
                println!("           {}: {}", s.fact, s.reference);
            }
        }
    }
    Ok(ExitStatus::Success)
}
