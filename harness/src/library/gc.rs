//! Garbage collection: stale temporary files, corrupt objects, the index.

use super::entry::{Entry, GcReport};
use super::error::{LibraryError, Result};
use super::fsio;
use super::id;
use super::store::{Check, Library, INDEX_DIR};
use std::time::{Duration, SystemTime};

/// How old a temporary file must be before `gc` removes it. Writers keep a
/// temporary file for the time of one write; an hour leaves room for a slow
/// filesystem and never races a live writer.
pub const DEFAULT_GRACE: Duration = Duration::from_secs(3600);

impl Library {
    /// [`Library::gc_with`] with [`DEFAULT_GRACE`].
    pub fn gc(&self) -> Result<GcReport> {
        self.gc_with(DEFAULT_GRACE)
    }

    /// Removes temporary files older than `grace`, checks every object
    /// (hash and image) and quarantines the corrupt ones, and rebuilds the
    /// index from the objects: missing or wrong entries are written,
    /// entries without an object are removed. Safe to run while others
    /// write: it never removes a directory, a temporary file younger than
    /// `grace`, or an object that checks out.
    pub fn gc_with(&self, grace: Duration) -> Result<GcReport> {
        let mut report = GcReport::default();
        let now = SystemTime::now();
        let tmp = self.tmp_dir();
        for name in fsio::dir_names(&tmp)? {
            let path = tmp.join(&name);
            let meta = match std::fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(LibraryError::Read { path, source }),
            };
            if !meta.is_file() {
                continue;
            }
            let age = meta
                .modified()
                .ok()
                .and_then(|m| now.duration_since(m).ok())
                .unwrap_or_default();
            if age > grace && fsio::remove_if_present(&path)? {
                report.temp_removed.push(path);
            }
        }

        let ids = self.object_ids()?;
        for id in &ids {
            match self.check_object(id)? {
                Check::Missing => {}
                Check::Corrupt(reason) => report.quarantined.extend(self.quarantine(id, &reason)),
                Check::Good(image, bytes) => {
                    report.objects_ok += 1;
                    let entry = Entry::describe(
                        id.as_str(),
                        self.object_path(id),
                        &image,
                        bytes.len() as u64,
                    );
                    if self.write_index(id, &entry)? {
                        report.index_written += 1;
                    }
                }
            }
        }

        let index = self.root().join(INDEX_DIR);
        for name in fsio::dir_names(&index)? {
            let Some(id) = id::from_index_name(&name) else {
                continue;
            };
            // Writers rename the object in before its index entry, so an
            // entry whose object is absent now is stale.
            if !self.object_path(&id).exists() && fsio::remove_if_present(&index.join(&name))? {
                report.index_removed += 1;
            }
        }
        Ok(report)
    }
}
