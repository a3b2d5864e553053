//! `ppcr repro FILE [--filter SUBSTR] [--target MODEL] [--policy P] [--keep DIR]`:
//! run one cell with guest traces and keep everything a bug report needs
//! (docs/REPRO.md).

use anyhow::Context;
use clap::Args;
use ppcr_core::format::Image;
use std::path::PathBuf;
use std::time::Duration;

use super::args::PolicyArg;
use super::exit::ExitStatus;
use super::files::read_bytes;
use crate::repro::{self, Input};

#[derive(Debug, Args)]
pub struct ReproArgs {
    /// A scenario file with one cell (or --filter selecting one), or an image file (with --target).
    pub file: PathBuf,
    /// Image mode: the target CPU model.
    #[arg(long)]
    pub target: Option<String>,
    /// Image mode: the policy whose verdict is recorded (default: hwcap).
    #[arg(long, value_enum)]
    pub policy: Option<PolicyArg>,
    /// Scenario mode: the cell whose name contains this text (must select exactly one).
    #[arg(long)]
    pub filter: Option<String>,
    /// Keep everything in this directory (created; must be empty). Default:
    /// a new target/ppcr/repro-<timestamp>/.
    #[arg(long)]
    pub keep: Option<PathBuf>,
    /// Deadline for the restored process to finish, in milliseconds (`hang` after it).
    #[arg(long, default_value_t = 5000)]
    pub timeout_ms: u64,
}

fn bad(msg: impl std::fmt::Display) -> anyhow::Result<ExitStatus> {
    eprintln!("ppcr: error: {msg}");
    Ok(ExitStatus::BadInput)
}

/// Exit 0 when the class matches the scenario's expectation (image mode:
/// the forced restore is `ok`), 1 otherwise, 2 on bad input.
pub fn run(a: &ReproArgs) -> anyhow::Result<ExitStatus> {
    let bytes = match read_bytes(&a.file) {
        Ok(b) => b,
        Err(e) => return bad(format!("{e:#}")),
    };
    let input = match Image::decode(&bytes) {
        Ok(image) => {
            if a.filter.is_some() {
                return bad("--filter selects a scenario cell; an image takes --target");
            }
            let Some(t) = &a.target else {
                return bad(format!(
                    "{} is an image: say where to restore it with --target MODEL",
                    a.file.display()
                ));
            };
            let target = match ppcr_core::cpu::resolve(t) {
                Ok(r) => r,
                Err(e) => return bad(e),
            };
            Input::Image {
                image: Box::new(image),
                file: a.file.clone(),
                target,
                policy: a.policy.unwrap_or(PolicyArg::Hwcap).into(),
            }
        }
        Err(image_err) => {
            if std::str::from_utf8(&bytes).is_err() {
                return bad(format!(
                    "{} is neither an image ({image_err}) nor a scenario file (not text)",
                    a.file.display()
                ));
            }
            if a.target.is_some() || a.policy.is_some() {
                return bad(
                    "--target and --policy are for an image; a scenario cell names its own",
                );
            }
            let scenario = match crate::scenario::parse_file(&a.file) {
                Ok(s) => s,
                Err(errors) => return bad(format!("{errors}")),
            };
            let cells: Vec<_> = scenario
                .cells
                .iter()
                .filter(|c| a.filter.as_deref().is_none_or(|f| c.name.contains(f)))
                .collect();
            match cells.as_slice() {
                [one] => Input::Cell(Box::new((*one).clone())),
                [] => return bad("no cell selected (check --filter)"),
                many => {
                    let mut msg = format!(
                        "{} cells selected; ppcr repro runs one (narrow it with --filter):",
                        many.len()
                    );
                    for c in many.iter().take(10) {
                        msg.push_str(&format!("\n  {}", c.name));
                    }
                    if many.len() > 10 {
                        msg.push_str("\n  ...");
                    }
                    return bad(msg);
                }
            }
        }
    };
    let dir = match &a.keep {
        Some(d) => {
            std::fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
            if std::fs::read_dir(d)?.next().is_some() {
                return bad(format!("{} is not empty", d.display()));
            }
            d.clone()
        }
        None => repro::new_dir(&repro::default_dir())
            .context("cannot create a directory under target/ppcr")?,
    };
    let r = super::runtime()?.block_on(repro::run(&input, Duration::from_millis(a.timeout_ms)));
    let mut files = repro::write_all(&r, &dir)?;
    if let Some(img) = &r.image {
        let b = img.encode()?;
        std::fs::write(dir.join("image.txt"), super::render::inspect_text(img, &b))?;
        files.insert(1, "image.txt".into());
    }
    std::fs::write(dir.join("summary.md"), repro::summary_md(&r, &dir, &files))?;
    print!("{}", repro::summary_text(&r, &dir));
    Ok(if r.matches {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}
