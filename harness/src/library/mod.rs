//! Layer 6 — the image library: content-addressed image files shared by
//! parallel runs, shards and people, queryable by source model, flavour,
//! workload and format version.
//!
//! # Layout
//!
//! ```text
//! <root>/objects/<2 hex>/<62 hex>.ppcr   the images; name = SHA-256 of the bytes
//! <root>/index/<64 hex>.json            one index entry per object
//! <root>/quarantine/<id>-<time>-<pid>-<n>.ppcr (+ .reason)   corrupt objects
//! <root>/tmp/                           writers' temporary files
//! ```
//!
//! Anything else under the root — `images/golden/` in the default library —
//! is never read, written or collected.
//!
//! # Why this is safe with concurrent writers (no lock)
//!
//! - Every file is written to a temporary file in `tmp/` (same filesystem),
//!   fsynced, then renamed into place, and the directory fsynced. A rename
//!   is atomic, so a reader sees no file or a whole file, never a part.
//! - Objects are immutable and named by their content, so two writers of
//!   the same image write identical bytes and the second rename replaces a
//!   file with an equal one; writers of different images touch different
//!   names. Nothing is ever read-modified-written, so no update can be lost.
//! - The index is one small file per object, not a shared file: there is no
//!   global index to rewrite and so none to corrupt or lose entries from.
//!   Its content is a pure function of the object (no times, no pids), so
//!   concurrent writers of the same entry again write identical files.
//! - A writer renames the object in before its index entry, so an index
//!   entry never names an object that was not complete. The objects are the
//!   truth and the index is a cache of their headers: `list` enumerates the
//!   objects, uses the index to filter without reading them, indexes any
//!   object a writer has not indexed yet (or whose entry was lost), and
//!   checks every object it returns. `gc` rebuilds the index from the
//!   objects. A writer killed between its steps leaves at worst a temporary
//!   file (removed by `gc` after a grace period) or an unindexed object
//!   (indexed by the next `list`).
//! - `gc` never removes directories (a writer may have just created one)
//!   nor young temporary files (a writer may be about to rename one).
//!
//! The cost: `list` reads the objects it returns (hash + decode; images are
//! small), and a directory listing of `objects/`. No lock is ever held.
//!
//! # Corruption
//!
//! An object whose bytes do not hash to its name (bit rot, truncation, an
//! edit) or do not decode is moved to `quarantine/` with a note of the
//! error, its index entry is dropped, and it is reported: in
//! [`Listing::quarantined`], [`GcReport::quarantined`], or as
//! [`LibraryError::Corrupt`] from [`Library::get`]. It never panics and
//! never stops a listing. Ids given by users are validated as 4–64 hex
//! digits, so they cannot name a path outside the library.

mod entry;
mod error;
mod fsio;
mod gc;
mod id;
mod quarantine;
mod store;

pub use entry::{parse_format_version, Entry, GcReport, Listing, Quarantined, Query};
pub use error::{LibraryError, Result};
pub use gc::DEFAULT_GRACE;
pub use id::{IdPrefix, ObjectId, ID_LEN, MIN_PREFIX_LEN};
pub use store::{Library, Loaded, INDEX_DIR, OBJECTS_DIR, QUARANTINE_DIR, TMP_DIR};

#[cfg(test)]
mod tests;
