//! `ppcr check FILE --target MODEL [--policy P]`.

use super::args::CheckArgs;
use super::exit::ExitStatus;
use super::files::read_image;
use ppcr_core::{cpu, policy};

pub fn run(a: &CheckArgs) -> anyhow::Result<ExitStatus> {
    let image = read_image(&a.file)?;
    let target = cpu::lookup(&a.target)?;
    let verdict = policy::evaluate(a.policy.into(), &image, target.name, &target.caps);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&verdict)?);
    } else {
        println!("{verdict}");
    }
    Ok(if verdict.accepted() {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    })
}
