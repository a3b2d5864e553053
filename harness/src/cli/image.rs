//! `ppcr image new|inspect|verify|diff|convert`.

use super::args::{ConvertArgs, DiffArgs, InspectArgs, NewArgs, VerifyArgs};
use super::exit::ExitStatus;
use super::files::{read_bytes, read_image, write_atomic};
use super::render;
use anyhow::Context;
use ppcr_core::format::Image;
use ppcr_core::{cpu, policy, synth};

pub fn new(a: &NewArgs) -> anyhow::Result<ExitStatus> {
    let model = cpu::lookup(&a.cpu)?;
    let image = synth::image(model, a.flavour, &a.records.0, a.seed)?;
    let bytes = image.encode()?;
    write_atomic(&a.output, &bytes)?;
    println!(
        "wrote {} ({} bytes): {} {} records {}",
        a.output.display(),
        bytes.len(),
        model.name,
        a.flavour,
        image
            .cpu
            .records()
            .iter()
            .map(|k| k.name())
            .collect::<Vec<_>>()
            .join(",")
    );
    Ok(ExitStatus::Success)
}

pub fn inspect(a: &InspectArgs) -> anyhow::Result<ExitStatus> {
    let bytes = read_bytes(&a.file)?;
    let image = Image::decode(&bytes)
        .with_context(|| format!("{} is not a valid image", a.file.display()))?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&render::inspect_json(&image))?
        );
    } else {
        print!("{}", render::inspect_text(&image, &bytes));
    }
    Ok(ExitStatus::Success)
}

pub fn verify(a: &VerifyArgs) -> anyhow::Result<ExitStatus> {
    let bytes = read_bytes(&a.file)?;
    match Image::decode(&bytes) {
        Ok(image) => {
            println!(
                "ok: {} is a valid ppcr image (format {}, {} bytes, {} records, {} segments)",
                a.file.display(),
                image.header.version,
                bytes.len(),
                image.cpu.records().len(),
                image.segments.len()
            );
            Ok(ExitStatus::Success)
        }
        Err(e) => {
            println!("invalid: {}: {e}", a.file.display());
            Ok(ExitStatus::CheckFailed)
        }
    }
}

pub fn diff(a: &DiffArgs) -> anyhow::Result<ExitStatus> {
    let x = read_image(&a.a)?;
    let y = read_image(&a.b)?;
    let lines = render::diff_lines(&x, &y);
    if lines.is_empty() {
        println!("identical");
        return Ok(ExitStatus::Success);
    }
    for l in &lines {
        println!("{l}");
    }
    println!(
        "{} difference{}",
        lines.len(),
        if lines.len() == 1 { "" } else { "s" }
    );
    Ok(ExitStatus::CheckFailed)
}

pub fn convert(a: &ConvertArgs) -> anyhow::Result<ExitStatus> {
    let image = read_image(&a.file)?;
    let target = cpu::lookup(&a.target)?;
    match policy::convert(&image, target.name, &target.caps) {
        Ok((out, conversions)) => {
            write_atomic(&a.output, &out.encode()?)?;
            if conversions.is_empty() {
                println!(
                    "no conversion needed for {}; wrote {}",
                    target.name,
                    a.output.display()
                );
            }
            for c in &conversions {
                println!("converted {c}");
            }
            Ok(ExitStatus::Success)
        }
        Err(e) => {
            println!("{e}");
            Ok(ExitStatus::CheckFailed)
        }
    }
}
