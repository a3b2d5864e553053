//! Moving corrupt objects out of the way, with a note of what was wrong.
//!
//! The move is a rename into `quarantine/` under a unique name, so two
//! processes that find the same corrupt object cannot clash: the second
//! finds it gone. A writer may have replaced the corrupt object with a good
//! copy between the check and the move; the moved file is therefore checked
//! again, and a good one is put back (without replacing anything).

use super::entry::Quarantined;
use super::fsio;
use super::id::ObjectId;
use super::store::{check_bytes, Library, OBJECT_EXT};
use ppcr_core::format::MAX_IMAGE_LEN;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static SERIAL: AtomicU64 = AtomicU64::new(0);

impl Library {
    /// Moves the object `id` to the quarantine with a `.reason` note, drops
    /// its index entry, and says what happened. Never fails: if the object
    /// cannot be moved, the report says so and names where it still is.
    /// `None` when the file found at the object's place was good after all
    /// (a writer replaced the corrupt one meanwhile): it stays.
    pub(crate) fn quarantine(&self, id: &ObjectId, reason: &str) -> Option<Quarantined> {
        let was = self.object_path(id);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!(
            "{id}-{nanos}-{}-{}",
            std::process::id(),
            SERIAL.fetch_add(1, Ordering::Relaxed)
        );
        let dest = self.quarantine_dir().join(format!("{name}{OBJECT_EXT}"));
        let report = |path: PathBuf, reason: String| Quarantined {
            id: id.to_string(),
            was: was.clone(),
            path,
            reason,
        };
        match std::fs::rename(&was, &dest) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {
                // Someone else moved or removed it first.
                return Some(report(
                    self.quarantine_dir(),
                    format!("{reason} (already moved by another process)"),
                ));
            }
            Err(e) => {
                tracing::warn!("cannot quarantine {}: {e}", was.display());
                return Some(report(
                    was.clone(),
                    format!("{reason}; could not move it to quarantine: {e}"),
                ));
            }
        }
        // Did a writer put a good copy in place just before the move?
        if let Ok(fsio::ReadOutcome::Bytes(b)) = fsio::read_limited(&dest, MAX_IMAGE_LEN) {
            if check_bytes(id, &b).is_ok() {
                match std::fs::hard_link(&dest, &was) {
                    Ok(()) => {}
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
                    Err(e) => tracing::warn!("cannot put {} back: {e}", was.display()),
                }
                if was.exists() {
                    let _ = std::fs::remove_file(&dest);
                    return None;
                }
            }
        }
        let note = self.quarantine_dir().join(format!("{name}.reason"));
        let text = format!("id: {id}\nwas: {}\nreason: {reason}\n", was.display());
        if let Err(e) = fsio::write_atomic(&self.tmp_dir(), &note, text.as_bytes()) {
            tracing::warn!("{e}");
        }
        if let Err(e) = fsio::remove_if_present(&self.index_path(id)) {
            tracing::warn!("{e}");
        }
        tracing::warn!(
            "quarantined corrupt image {id} ({reason}): moved to {}",
            dest.display()
        );
        Some(report(dest, reason.to_owned()))
    }
}
