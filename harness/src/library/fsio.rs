//! The file operations the library's safety rests on: atomic replacement
//! (temporary file in the library's `tmp/`, same filesystem, fsync, rename,
//! fsync of the directory) and size-limited reads.

use super::error::{LibraryError, Result};
use std::fs::File;
use std::io::{ErrorKind, Read, Write};
use std::path::Path;

/// Writes `bytes` to `dest` atomically. The temporary file is created in
/// `tmp_dir`, which must be on the same filesystem as `dest`, so the final
/// `rename` is atomic: a reader sees the old file, no file, or the whole new
/// file, never a part. A writer killed midway leaves only a temporary file,
/// which `gc` removes once it is older than its grace period.
pub(crate) fn write_atomic(tmp_dir: &Path, dest: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix("put-")
        .suffix(".tmp")
        .tempfile_in(tmp_dir)
        .map_err(|source| LibraryError::Write {
            path: tmp_dir.to_owned(),
            source,
        })?;
    let tmp_path = tmp.path().to_owned();
    let werr = |source| LibraryError::Write {
        path: tmp_path.clone(),
        source,
    };
    // Library files are shared artefacts: readable by others like any file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .map_err(werr)?;
    }
    tmp.write_all(bytes).map_err(werr)?;
    tmp.as_file().sync_all().map_err(werr)?;
    tmp.persist(dest).map_err(|e| LibraryError::Rename {
        from: tmp_path.clone(),
        to: dest.to_owned(),
        source: e.error,
    })?;
    if let Some(dir) = dest.parent() {
        sync_dir(dir)?;
    }
    Ok(())
}

/// Makes a rename in `dir` durable.
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|source| LibraryError::Write {
            path: dir.to_owned(),
            source,
        })
}

/// An object file's bytes, or why there are none.
pub(crate) enum ReadOutcome {
    Missing,
    /// Larger than `limit` (its length).
    TooLarge(u64),
    Bytes(Vec<u8>),
}

/// Reads a whole file of at most `limit` bytes.
pub(crate) fn read_limited(path: &Path, limit: u64) -> Result<ReadOutcome> {
    let rerr = |source| LibraryError::Read {
        path: path.to_owned(),
        source,
    };
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(ReadOutcome::Missing),
        Err(e) => return Err(rerr(e)),
    };
    let len = file.metadata().map_err(rerr)?.len();
    if len > limit {
        return Ok(ReadOutcome::TooLarge(len));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(rerr)?;
    if bytes.len() as u64 > limit {
        return Ok(ReadOutcome::TooLarge(bytes.len() as u64));
    }
    Ok(ReadOutcome::Bytes(bytes))
}

/// Reads a small file, `None` when it does not exist.
pub(crate) fn read_optional(path: &Path) -> Result<Option<Vec<u8>>> {
    match std::fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(source) => Err(LibraryError::Read {
            path: path.to_owned(),
            source,
        }),
    }
}

/// Removes a file; one that is already gone is not an error.
pub(crate) fn remove_if_present(path: &Path) -> Result<bool> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
        Err(source) => Err(LibraryError::Remove {
            path: path.to_owned(),
            source,
        }),
    }
}

/// The names in a directory; a missing directory has none.
pub(crate) fn dir_names(dir: &Path) -> Result<Vec<String>> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(LibraryError::ReadDir {
                path: dir.to_owned(),
                source,
            })
        }
    };
    let mut out = Vec::new();
    for ent in rd {
        let ent = ent.map_err(|source| LibraryError::ReadDir {
            path: dir.to_owned(),
            source,
        })?;
        if let Some(name) = ent.file_name().to_str() {
            out.push(name.to_owned());
        }
    }
    out.sort();
    Ok(out)
}
