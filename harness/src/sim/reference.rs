//! Reference runs: the workload run uninterrupted on the source model,
//! cached per (model, flavour, workload, hwcap word) for this process.

use ppcr_core::format::Flavour;
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::checkpoint::hwcap_word;
use super::workload::Workload;
use super::SimError;
use crate::guest::mailbox::{offset, MAILBOX};
use crate::guest::{boot_with, BootOptions, GuestSpec, State, UserOutcome};

/// What a reference checksum depends on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ReferenceKey {
    /// Catalogue model name.
    pub model: String,
    /// Flavour.
    pub flavour: Flavour,
    /// Workload.
    pub workload: String,
    /// `MB_HWCAP` when it is not the model's own.
    pub hwcap: Option<u64>,
}

impl ReferenceKey {
    /// A key.
    pub fn new(model: &str, flavour: Flavour, workload: &str, hwcap: Option<u64>) -> Self {
        ReferenceKey {
            model: model.to_string(),
            flavour,
            workload: workload.to_string(),
            hwcap,
        }
    }
}

fn cache() -> &'static Mutex<HashMap<ReferenceKey, u64>> {
    static C: OnceLock<Mutex<HashMap<ReferenceKey, u64>>> = OnceLock::new();
    C.get_or_init(Default::default)
}

pub(crate) fn store(key: ReferenceKey, checksum: u64) {
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(key, checksum);
}

/// The cached reference, if any.
pub fn reference_cached(key: &ReferenceKey) -> Option<u64> {
    cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(key)
        .copied()
}

/// The reference checksum of `workload` on `model` (cached): boots the
/// model with the workload, hands it the model's hwcaps (or `hwcap`), runs
/// it to the exit without stopping.
pub async fn reference(
    model: &str,
    flavour: Flavour,
    workload: &str,
    hwcap: Option<u64>,
) -> Result<u64, SimError> {
    let spec = GuestSpec::resolve(model, flavour)?;
    let key = ReferenceKey::new(spec.name, flavour, workload, hwcap);
    if let Some(c) = reference_cached(&key) {
        return Ok(c);
    }
    let wl = Workload::get(workload)?;
    let payload = wl.payload(flavour)?;
    let mut guest = boot_with(
        spec,
        BootOptions {
            user: Some(payload),
            ..BootOptions::default()
        },
    )
    .await?;
    let word = hwcap.unwrap_or_else(|| hwcap_word(&spec.model.caps));
    let order = guest.order();
    let run = async {
        guest
            .gdb
            .write_memory(MAILBOX + offset::HWCAP as u64, &order.u64_bytes(word))
            .await?;
        Ok::<_, SimError>(guest.run_user_part(Duration::from_secs(10)).await?)
    }
    .await;
    guest.kill().await?;
    let sum = match run? {
        UserOutcome::Exited(mb) if mb.state == State::Done => mb.checksum,
        other => {
            return Err(SimError::Source(format!(
                "reference run of {workload} on {model} did not finish: {other:?}"
            )))
        }
    };
    store(key, sum);
    Ok(sum)
}
