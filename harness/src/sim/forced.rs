//! The forced restore of an encoded image, as the scenario runner and the
//! matrix both need it: the truth about a (source image, target) pair,
//! policy aside, shared by every policy of the pair.

use super::{restore, restore_pooled, Mode, Pool, RestoreOptions, SimError};
use ppcr_core::class::Outcome;
use ppcr_core::format::{DecodeError, Image};

/// What a forced restore really did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub outcome: Outcome,
    /// Evidence: exception vector, checksum difference, timeout, and the
    /// conversions applied.
    pub detail: String,
}

/// Why the truth could not be learned (the cell's class becomes `error`).
#[derive(Debug, thiserror::Error)]
pub enum ForcedError {
    /// The bytes are not a valid image.
    #[error("image: {0}")]
    Image(DecodeError),
    /// Booting or driving the target failed.
    #[error("restore: {0}")]
    Restore(SimError),
    /// The restore ran but decided nothing.
    #[error("forced restore gave no outcome: {0}")]
    NoOutcome(String),
}

/// Restores `image` on `target` regardless of any policy (`opts.mode` is
/// ignored), on a warm guest from `pool` when one is given.
pub async fn forced_outcome(
    image: &[u8],
    target: &str,
    opts: &RestoreOptions,
    pool: Option<&Pool>,
) -> Result<Observed, ForcedError> {
    let image = Image::decode(image).map_err(ForcedError::Image)?;
    let opts = RestoreOptions {
        mode: Mode::Forced,
        ..opts.clone()
    };
    let r = match pool {
        Some(p) => restore_pooled(&image, target, &opts, p).await,
        None => restore(&image, target, &opts).await,
    }
    .map_err(ForcedError::Restore)?;
    let outcome = r
        .outcome
        .ok_or_else(|| ForcedError::NoOutcome(r.detail.clone()))?;
    let mut detail = r.detail;
    if !r.conversions.is_empty() {
        detail = format!("{detail} [converted: {}]", r.conversions.join("; "));
    }
    Ok(Observed { outcome, detail })
}
