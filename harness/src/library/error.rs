//! Why a library operation failed. Every message names the path (or id) and
//! what is wrong with it.

use ppcr_core::format::DecodeError;
use std::path::PathBuf;
use thiserror::Error;

/// A failed library operation.
#[derive(Debug, Error)]
pub enum LibraryError {
    /// The library root or one of its subdirectories cannot be created.
    #[error("cannot create library directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The library root exists but is not a directory.
    #[error("library root {path} is not a directory")]
    NotADirectory { path: PathBuf },
    /// A directory of the library cannot be listed.
    #[error("cannot list {path}: {source}")]
    ReadDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file of the library cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file of the library cannot be written (temporary file, data, fsync).
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A finished temporary file cannot be moved to its place.
    #[error("cannot move {from} to {to}: {source}")]
    Rename {
        from: PathBuf,
        to: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file of the library cannot be removed.
    #[error("cannot remove {path}: {source}")]
    Remove {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The bytes given to `put` are not a valid image.
    #[error("refusing to store an invalid image: {0}")]
    InvalidImage(#[source] DecodeError),
    /// The bytes given to `put` exceed the format's size limit.
    #[error("refusing to store {len} bytes: more than the {max}-byte image limit")]
    TooLarge { len: u64, max: u64 },
    /// A file given to `put_file` exceeds the format's size limit.
    #[error("{path}: {len} bytes, more than the {max}-byte image limit")]
    FileTooLarge { path: PathBuf, len: u64, max: u64 },
    /// An id or id prefix given by a user is malformed.
    #[error("invalid image id '{id}': {why}")]
    InvalidId { id: String, why: &'static str },
    /// No object has that id or prefix.
    #[error("no image with id {id} in library {root}")]
    NotFound { id: String, root: PathBuf },
    /// A prefix names more than one object.
    #[error("image id prefix {prefix} is ambiguous in library {root}: {} match ({})", matches.len(), matches.join(", "))]
    Ambiguous {
        prefix: String,
        root: PathBuf,
        matches: Vec<String>,
    },
    /// The object was corrupt; it has been moved to the quarantine.
    #[error("image {id} at {path} is corrupt ({reason}); moved to {quarantined_to}")]
    Corrupt {
        id: String,
        path: PathBuf,
        reason: String,
        quarantined_to: PathBuf,
    },
    /// The object kept changing between corrupt and good while it was read
    /// (writers replacing it faster than it can be checked).
    #[error("image {id} at {path} kept changing while it was read; try again")]
    Unstable { id: String, path: PathBuf },
}

/// Results of library operations.
pub type Result<T, E = LibraryError> = std::result::Result<T, E>;
