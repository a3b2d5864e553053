//! Rewriting an image for a target where that is lossless.

use super::records;
use super::verdict::{Conversion, Reason};
use crate::cpu::CapabilitySet;
use crate::format::{dabr_bits, dawrx_bits, DabrRecord, DawrRecord, DawrSlot, Image, RecordKind};
use thiserror::Error;

/// Why an image cannot be rewritten for a target.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConvertError {
    /// The target cannot take the image even after every lossless rewrite.
    #[error("cannot convert for {target}: {}", reasons.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("; "))]
    NotRestorable {
        target: String,
        reasons: Vec<Reason>,
    },
    /// A rewrite the target needs would lose state.
    #[error("cannot convert the {record} record for {target} without loss: {why}")]
    Lossy {
        target: String,
        record: RecordKind,
        why: String,
    },
}

// The privilege bits share positions in DABRX and DAWRX (Linux reg.h:
// DABRX_USER/KERNEL/HYP = DAWRX_USER/KERNEL/HYP = bits 0-2).
const PRIV: u64 = dawrx_bits::USER | dawrx_bits::KERNEL | dawrx_bits::HYP;
const DABRX_BTI: u64 = 1 << 3;

/// DABR → DAWR slot: the same doubleword, access and translation bits.
pub fn dabr_to_dawr(d: &DabrRecord) -> Result<DawrSlot, String> {
    if d.dabrx & !(PRIV | DABRX_BTI) != 0 {
        return Err(format!(
            "DABRX {:#x} has bits DAWRX cannot express",
            d.dabrx
        ));
    }
    if d.dabrx & DABRX_BTI != 0 {
        return Err("DABRX[BTI] (breakpoint translation ignore) has no DAWRX equivalent".into());
    }
    let mut dawrx = d.dabrx & PRIV;
    if d.dabr & dabr_bits::READ != 0 {
        dawrx |= dawrx_bits::DR;
    }
    if d.dabr & dabr_bits::WRITE != 0 {
        dawrx |= dawrx_bits::DW;
    }
    if d.dabr & dabr_bits::TRANSLATE != 0 {
        dawrx |= dawrx_bits::WT;
    }
    Ok(DawrSlot {
        dawr: d.dabr & dabr_bits::ADDR_MASK,
        dawrx,
    })
}

/// DAWR slot → DABR: only a one-doubleword range without WTI. The error
/// says, of the image, why no DABR can express the watch (see [`dabr_to_dawr`]).
pub fn dawr_to_dabr(s: &DawrSlot) -> Result<DabrRecord, String> {
    if !s.fits_dabr() {
        return Err(format!(
            "watches {:#x}+{} bytes, longer than the DABR's 8-byte granule",
            s.start(),
            s.range_len()
        ));
    }
    if s.dawrx & dawrx_bits::WTI != 0 {
        return Err(format!(
            "watches {:#x}+{} with DAWRX[WTI] set (translation must match MSR[DR]), which a DABR cannot express",
            s.start(),
            s.range_len()
        ));
    }
    let mut dabr = s.start();
    if s.dawrx & dawrx_bits::DR != 0 {
        dabr |= dabr_bits::READ;
    }
    if s.dawrx & dawrx_bits::DW != 0 {
        dabr |= dabr_bits::WRITE;
    }
    if s.dawrx & dawrx_bits::WT != 0 {
        dabr |= dabr_bits::TRANSLATE;
    }
    Ok(DabrRecord {
        dabr,
        dabrx: s.dawrx & PRIV,
    })
}

/// Rewrites `image` for `target`: DABR → DAWR on a DAWR-only CPU, a single
/// DAWR watch → DABR on a DABR-only CPU. Returns the image unchanged (and
/// no conversions) when the target takes it as it is.
pub fn convert(
    image: &Image,
    target_name: &str,
    target: &CapabilitySet,
) -> Result<(Image, Vec<Conversion>), ConvertError> {
    let (reasons, conversions) = records::check(image, target);
    if !reasons.is_empty() {
        return Err(ConvertError::NotRestorable {
            target: target_name.to_string(),
            reasons,
        });
    }
    let mut out = image.clone();
    let lossy = |record, why| ConvertError::Lossy {
        target: target_name.to_string(),
        record,
        why,
    };
    for c in &conversions {
        match c.record {
            RecordKind::Dabr => {
                let dabr = out
                    .cpu
                    .dabr
                    .take()
                    .expect("conversion names a present record");
                let slot = dabr_to_dawr(&dabr).map_err(|why| lossy(RecordKind::Dabr, why))?;
                if out.cpu.dawr.is_some() {
                    return Err(lossy(
                        RecordKind::Dabr,
                        "the image already has a DAWR record".into(),
                    ));
                }
                out.cpu.dawr = Some(DawrRecord::from_slots(&[slot]));
            }
            RecordKind::Dawr => {
                let dawr = out
                    .cpu
                    .dawr
                    .take()
                    .expect("conversion names a present record");
                let slot = dawr
                    .used()
                    .iter()
                    .find(|s| s.is_armed())
                    .copied()
                    .unwrap_or_default();
                let dabr = dawr_to_dabr(&slot).map_err(|why| lossy(RecordKind::Dawr, why))?;
                out.cpu.dabr = Some(dabr);
            }
            other => {
                return Err(lossy(other, "no conversion exists for this record".into()));
            }
        }
    }
    Ok((out, conversions))
}
