//! The `records` rules: each present record must be restorable on the
//! target (DESIGN §4 table), plus the flavour checks.

use super::convert::{dabr_to_dawr, dawr_to_dabr};
use super::verdict::{Conversion, Reason, Subject};
use crate::cpu::CapabilitySet;
use crate::format::{DabrRecord, DawrRecord, Image, RecordKind};

/// Checks flavour and records; returns reasons and the conversions an
/// accepting restore needs.
pub(crate) fn check(image: &Image, target: &CapabilitySet) -> (Vec<Reason>, Vec<Conversion>) {
    let mut reasons = Vec::new();
    let mut conversions = Vec::new();
    let flavour = image.header.flavour;
    if flavour.is_64bit() && !target.cpu64 {
        reasons.push(Reason {
            subject: Subject::Flavour,
            image: format!("is a 64-bit {flavour} process"),
            target: "is a 32-bit CPU (no PPC_FEATURE_64)".into(),
        });
    }
    if flavour.is_little_endian() && !target.true_le {
        reasons.push(Reason {
            subject: Subject::Flavour,
            image: format!("is a little-endian {flavour} process"),
            target: "has no true little-endian mode (no PPC_FEATURE_TRUE_LE)".into(),
        });
    }
    let cpu = &image.cpu;
    let mut facility = |kind: RecordKind, has: bool, what: &str, cap: &str| {
        if cpu.has(kind) && !has {
            reasons.push(Reason {
                subject: Subject::Record(kind),
                image: format!("has {what} state"),
                target: format!("lacks {cap}"),
            });
        }
    };
    facility(
        RecordKind::Fpr,
        target.has_fpu(),
        "FP",
        "PPC_FEATURE_HAS_FPU",
    );
    facility(
        RecordKind::Vmx,
        target.has_vmx(),
        "VMX",
        "PPC_FEATURE_HAS_ALTIVEC",
    );
    facility(
        RecordKind::Vsx,
        target.has_vsx(),
        "VSX",
        "PPC_FEATURE_HAS_VSX",
    );
    facility(
        RecordKind::Spe,
        target.has_spe(),
        "SPE",
        "PPC_FEATURE_HAS_SPE",
    );
    if let Some(d) = &cpu.dabr {
        check_dabr(d, target, &mut reasons, &mut conversions);
    }
    if let Some(d) = &cpu.dawr {
        check_dawr(d, target, &mut reasons, &mut conversions);
    }
    if let Some(b) = &cpu.booke_debug {
        let needs = [
            ("IAC", b.highest_iac(), target.debug.iac),
            ("DAC", b.highest_dac(), target.debug.dac),
            ("DVC", b.highest_dvc(), target.debug.dvc),
        ];
        for (name, used, has) in needs {
            if used > has {
                reasons.push(Reason {
                    subject: Subject::Record(RecordKind::BookeDebug),
                    image: format!("uses {name}{used}"),
                    target: format!(
                        "has {}",
                        match has {
                            0 => format!("no {name} registers"),
                            1 => format!("only {name}1"),
                            n => format!("only {name}1-{name}{n}"),
                        }
                    ),
                });
            }
        }
    }
    (reasons, conversions)
}

fn check_dabr(
    d: &DabrRecord,
    target: &CapabilitySet,
    reasons: &mut Vec<Reason>,
    conversions: &mut Vec<Conversion>,
) {
    if !d.is_armed() || target.debug.dabr >= 1 {
        return;
    }
    if target.debug.dawr == 0 {
        reasons.push(Reason {
            subject: Subject::Record(RecordKind::Dabr),
            image: format!("has an armed DABR watch ({:#x})", d.dabr),
            target: "has no DABR and no DAWR slot".into(),
        });
        return;
    }
    // The same function the restore converts with: accept only what converts.
    match dabr_to_dawr(d) {
        Ok(_) => conversions.push(Conversion {
            record: RecordKind::Dabr,
            description: format!(
                "DABR watch of {:#x}+8 becomes DAWR0 with the same range and access bits",
                d.dabr & crate::format::dabr_bits::ADDR_MASK
            ),
        }),
        Err(why) => reasons.push(Reason {
            subject: Subject::Record(RecordKind::Dabr),
            image: why,
            target: "has only DAWR slots".into(),
        }),
    }
}

fn check_dawr(
    d: &DawrRecord,
    target: &CapabilitySet,
    reasons: &mut Vec<Reason>,
    conversions: &mut Vec<Conversion>,
) {
    let armed: Vec<_> = d.used().iter().filter(|s| s.is_armed()).collect();
    let used = armed.len();
    if used == 0 || usize::from(target.debug.dawr) >= used {
        return;
    }
    // A single watch may fall back to a DABR when its range fits the DABR's
    // one-doubleword granule.
    if used == 1 && target.debug.dabr >= 1 && target.debug.dawr == 0 {
        let s = armed[0];
        // The same function the restore converts with: accept only what converts.
        match dawr_to_dabr(s) {
            Ok(_) => conversions.push(Conversion {
                record: RecordKind::Dawr,
                description: format!(
                    "DAWR watch of {:#x}+{} becomes a DABR watch of the same doubleword",
                    s.start(),
                    s.range_len()
                ),
            }),
            Err(why) => reasons.push(Reason {
                subject: Subject::Record(RecordKind::Dawr),
                image: why,
                target: "has only a DABR".into(),
            }),
        }
        return;
    }
    reasons.push(Reason {
        subject: Subject::Record(RecordKind::Dawr),
        image: format!("uses {used} DAWR slot{}", if used == 1 { "" } else { "s" }),
        target: format!(
            "has {} DAWR slot{}{}",
            target.debug.dawr,
            if target.debug.dawr == 1 { "" } else { "s" },
            if target.debug.dabr > 0 && used > 1 {
                " and one DABR, which holds a single watch"
            } else {
                ""
            }
        ),
    });
}
