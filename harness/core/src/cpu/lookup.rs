//! Resolving a user's CPU name against the catalogue.

use super::catalogue::CATALOGUE;
use super::model::{CpuModel, ResolvedCpu};
use thiserror::Error;

/// A name the catalogue does not know.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown CPU model '{name}'{}; `ppcr cpus` lists the catalogue", suggestion(.closest))]
pub struct UnknownCpu {
    pub name: String,
    /// The closest known names, best first.
    pub closest: Vec<&'static str>,
}

fn suggestion(closest: &[&'static str]) -> String {
    if closest.is_empty() {
        String::new()
    } else {
        format!(" (did you mean {}?)", closest.join(", "))
    }
}

/// Every name that resolves: catalogue names, QEMU versioned names, aliases.
fn names(model: &'static CpuModel) -> impl Iterator<Item = &'static str> {
    std::iter::once(model.name)
        .chain(model.variants.iter().map(|v| v.qemu_name))
        .chain(model.aliases.iter().copied())
}

/// Resolves a catalogue name, QEMU alias or versioned QEMU name
/// (case-insensitive; `_` and `.` as QEMU spells them).
pub fn resolve(name: &str) -> Result<ResolvedCpu, UnknownCpu> {
    let wanted = name.trim().to_ascii_lowercase();
    for model in CATALOGUE {
        if let Some(variant) = model.variants.iter().find(|v| v.qemu_name == wanted) {
            return Ok(ResolvedCpu {
                model,
                variant: *variant,
            });
        }
        if model.name == wanted || model.aliases.contains(&wanted.as_str()) {
            return Ok(ResolvedCpu {
                model,
                variant: model.variants[0],
            });
        }
    }
    Err(UnknownCpu {
        name: name.to_string(),
        closest: closest(&wanted),
    })
}

/// The catalogue model named `name` (see [`resolve`]).
pub fn lookup(name: &str) -> Result<&'static CpuModel, UnknownCpu> {
    resolve(name).map(|r| r.model)
}

fn closest(wanted: &str) -> Vec<&'static str> {
    let mut scored: Vec<(f64, &'static str)> = CATALOGUE
        .iter()
        .flat_map(|m| names(m).map(move |n| (n, m.name)))
        .map(|(n, model)| (strsim::jaro_winkler(wanted, n), model))
        .filter(|(score, _)| *score >= 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut out: Vec<&'static str> = Vec::new();
    for (_, model) in scored {
        if !out.contains(&model) {
            out.push(model);
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_aliases_and_versions() {
        assert_eq!(lookup("power9").unwrap().name, "power9");
        let r = resolve("power9_v2.0").unwrap();
        assert_eq!((r.model.name, r.variant.pvr), ("power9", 0x004e_1200));
        assert_eq!(lookup("G4").unwrap().name, "7400");
        assert_eq!(lookup("e500").unwrap().name, "e500v2");
        assert_eq!(lookup("e500_v20").unwrap().name, "e500v1");
        assert_eq!(lookup("power5gs").unwrap().name, "power5+");
    }

    #[test]
    fn unknown_names_suggest_the_closest() {
        let e = lookup("power99").unwrap_err();
        assert_eq!(e.closest.first(), Some(&"power9"));
        assert!(e.to_string().contains("did you mean power9"), "{e}");
        let e = lookup("e550").unwrap_err();
        assert!(e.closest.contains(&"e5500"), "{e}");
        let e = lookup("zzzzzz").unwrap_err();
        assert!(e.closest.is_empty());
    }
}
