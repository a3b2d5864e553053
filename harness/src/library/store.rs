//! The library itself: open, put, get, list.

use super::entry::{Entry, IndexRecord, Listing, Query, INDEX_SCHEMA};
use super::error::{LibraryError, Result};
use super::fsio::{self, ReadOutcome};
use super::id::{self, IdPrefix, ObjectId, FANOUT_LEN};
use ppcr_core::format::{Image, MAX_IMAGE_LEN};
use std::path::{Path, PathBuf};

/// File name suffix of objects.
pub(crate) const OBJECT_EXT: &str = ".ppcr";
/// Content-addressed objects: `objects/<2 hex>/<62 hex>.ppcr`.
pub const OBJECTS_DIR: &str = "objects";
/// One index file per object: `index/<64 hex>.json`.
pub const INDEX_DIR: &str = "index";
/// Corrupt objects, each with a `.reason` note.
pub const QUARANTINE_DIR: &str = "quarantine";
/// Temporary files of writers in progress (same filesystem as the rest).
pub const TMP_DIR: &str = "tmp";

/// An image library rooted at a directory. It owns only the four
/// subdirectories above; anything else under the root (such as `golden/`)
/// is never read, written or collected.
#[derive(Debug, Clone)]
pub struct Library {
    root: PathBuf,
}

/// An object read back and checked, with its bytes.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub entry: Entry,
    pub image: Image,
    pub bytes: Vec<u8>,
}

/// Result of checking an object's bytes against its id.
pub(crate) enum Check {
    Good(Box<Image>, Vec<u8>),
    Missing,
    Corrupt(String),
}

impl Library {
    /// Opens (creating if needed) the library at `root`.
    pub fn open(root: impl Into<PathBuf>) -> Result<Library> {
        let root = root.into();
        if root.exists() && !root.is_dir() {
            return Err(LibraryError::NotADirectory { path: root });
        }
        for sub in [OBJECTS_DIR, INDEX_DIR, QUARANTINE_DIR, TMP_DIR] {
            let path = root.join(sub);
            std::fs::create_dir_all(&path)
                .map_err(|source| LibraryError::CreateDir { path, source })?;
        }
        Ok(Library { root })
    }

    /// The library's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the object with this id lives (whether or not it exists).
    pub fn object_path(&self, id: &ObjectId) -> PathBuf {
        let (fan, rest) = id.split();
        self.root
            .join(OBJECTS_DIR)
            .join(fan)
            .join(format!("{rest}{OBJECT_EXT}"))
    }

    /// Where the index entry of this id lives.
    pub fn index_path(&self, id: &ObjectId) -> PathBuf {
        self.root.join(INDEX_DIR).join(format!("{id}.json"))
    }

    pub(crate) fn tmp_dir(&self) -> PathBuf {
        self.root.join(TMP_DIR)
    }

    pub(crate) fn quarantine_dir(&self) -> PathBuf {
        self.root.join(QUARANTINE_DIR)
    }

    /// Stores an image. The bytes must decode as an image; the id is their
    /// SHA-256. Storing an id that is already present and intact writes
    /// nothing and returns the same entry; an existing object with that id
    /// but other bytes is corrupt, and is quarantined and replaced.
    pub fn put(&self, bytes: &[u8]) -> Result<Entry> {
        if bytes.len() as u64 > MAX_IMAGE_LEN {
            return Err(LibraryError::TooLarge {
                len: bytes.len() as u64,
                max: MAX_IMAGE_LEN,
            });
        }
        let image = Image::decode(bytes).map_err(LibraryError::InvalidImage)?;
        let id = ObjectId::of(bytes);
        let path = self.object_path(&id);
        let entry = Entry::describe(id.as_str(), path.clone(), &image, bytes.len() as u64);
        let present = match fsio::read_limited(&path, MAX_IMAGE_LEN)? {
            ReadOutcome::Bytes(existing) if existing == bytes => true,
            ReadOutcome::Bytes(existing) => {
                let reason = match check_bytes(&id, &existing) {
                    Ok(_) => "content does not match its id".to_owned(),
                    Err(r) => r,
                };
                let _ = self.quarantine(&id, &reason);
                false
            }
            ReadOutcome::TooLarge(len) => {
                let _ = self.quarantine(&id, &too_large(len));
                false
            }
            ReadOutcome::Missing => false,
        };
        if !present {
            let dir = path.parent().expect("object paths have a parent");
            std::fs::create_dir_all(dir).map_err(|source| LibraryError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
            fsio::write_atomic(&self.tmp_dir(), &path, bytes)?;
        }
        // The object is in place before its index entry: an index entry
        // always names an object that was complete when it was written.
        self.write_index(&id, &entry)?;
        Ok(entry)
    }

    /// Reads an image file and stores it (see [`Library::put`]).
    pub fn put_file(&self, file: &Path) -> Result<Entry> {
        match fsio::read_limited(file, MAX_IMAGE_LEN)? {
            ReadOutcome::Bytes(b) => self.put(&b),
            ReadOutcome::TooLarge(len) => Err(LibraryError::FileTooLarge {
                path: file.to_owned(),
                len,
                max: MAX_IMAGE_LEN,
            }),
            ReadOutcome::Missing => Err(LibraryError::Read {
                path: file.to_owned(),
                source: std::io::ErrorKind::NotFound.into(),
            }),
        }
    }

    /// Finds the one object whose id is or starts with `id_or_prefix`
    /// (4 to 64 hex characters).
    pub fn resolve(&self, id_or_prefix: &str) -> Result<ObjectId> {
        let prefix = IdPrefix::parse(id_or_prefix)?;
        if let Some(full) = prefix.full() {
            return Ok(full);
        }
        let p = prefix.as_str();
        let (fan, rest) = p.split_at(FANOUT_LEN);
        let dir = self.root.join(OBJECTS_DIR).join(fan);
        let mut matches: Vec<ObjectId> = fsio::dir_names(&dir)?
            .iter()
            .filter_map(|name| id::from_object_name(fan, name))
            .filter(|id| id.as_str()[FANOUT_LEN..].starts_with(rest))
            .collect();
        match matches.len() {
            0 => Err(self.not_found(p)),
            1 => Ok(matches.remove(0)),
            _ => Err(LibraryError::Ambiguous {
                prefix: p.to_owned(),
                root: self.root.clone(),
                matches: matches.iter().map(|m| m.to_string()).collect(),
            }),
        }
    }

    /// Reads and checks an object (content hash equals its id, the image
    /// decodes). A corrupt object is quarantined and reported as
    /// [`LibraryError::Corrupt`].
    pub fn load(&self, id_or_prefix: &str) -> Result<Loaded> {
        let id = self.resolve(id_or_prefix)?;
        let path = self.object_path(&id);
        // A quarantine that finds a good copy put back meanwhile leaves it
        // in place; read again then (a few times at most).
        for _ in 0..3 {
            match self.check_object(&id)? {
                Check::Missing => return Err(self.not_found(id.as_str())),
                Check::Good(image, bytes) => {
                    let entry = Entry::describe(id.as_str(), path, &image, bytes.len() as u64);
                    self.repair_index(&id, &entry);
                    return Ok(Loaded {
                        entry,
                        image: *image,
                        bytes,
                    });
                }
                Check::Corrupt(reason) => {
                    if let Some(q) = self.quarantine(&id, &reason) {
                        return Err(LibraryError::Corrupt {
                            id: id.to_string(),
                            path,
                            reason: q.reason,
                            quarantined_to: q.path,
                        });
                    }
                }
            }
        }
        Err(LibraryError::Unstable {
            id: id.to_string(),
            path,
        })
    }

    /// The entry and image of an id or unique prefix (see [`Library::load`]).
    pub fn get(&self, id_or_prefix: &str) -> Result<(Entry, Image)> {
        let l = self.load(id_or_prefix)?;
        Ok((l.entry, l.image))
    }

    /// The entries matching `query`. The index filters; every entry
    /// returned has then been read and checked (hash and image), so a
    /// corrupt object is never listed: it is quarantined and reported in
    /// [`Listing::quarantined`]. Objects that have no index entry yet
    /// (a writer between its two renames, or a lost index file) are
    /// indexed here.
    pub fn list(&self, query: &Query) -> Result<Listing> {
        let mut out = Listing::default();
        for id in self.object_ids()? {
            let cached = self.read_index(&id);
            let candidate = match cached {
                Some(e) => e,
                None => {
                    // Unindexed: the object itself decides.
                    match self.check_object(&id)? {
                        Check::Missing => continue,
                        Check::Corrupt(reason) => {
                            out.quarantined.extend(self.quarantine(&id, &reason));
                            continue;
                        }
                        Check::Good(image, bytes) => {
                            let e = Entry::describe(
                                id.as_str(),
                                self.object_path(&id),
                                &image,
                                bytes.len() as u64,
                            );
                            self.repair_index(&id, &e);
                            if query.matches(&e) {
                                out.entries.push(e);
                            }
                            continue;
                        }
                    }
                }
            };
            if !query.matches(&candidate) {
                continue;
            }
            match self.check_object(&id)? {
                Check::Missing => continue,
                Check::Corrupt(reason) => out.quarantined.extend(self.quarantine(&id, &reason)),
                Check::Good(image, bytes) => {
                    let e = Entry::describe(
                        id.as_str(),
                        self.object_path(&id),
                        &image,
                        bytes.len() as u64,
                    );
                    if e != candidate {
                        // The index was wrong about this object; the object wins.
                        self.repair_index(&id, &e);
                    }
                    if query.matches(&e) {
                        out.entries.push(e);
                    }
                }
            }
        }
        out.entries.sort_by(|a, b| {
            (
                &a.source_model,
                a.flavour,
                &a.workload,
                a.format_version,
                &a.id,
            )
                .cmp(&(
                    &b.source_model,
                    b.flavour,
                    &b.workload,
                    b.format_version,
                    &b.id,
                ))
        });
        Ok(out)
    }

    /// Every object id present, sorted (the objects are the truth; the
    /// index only caches what their headers say).
    pub(crate) fn object_ids(&self) -> Result<Vec<ObjectId>> {
        let objects = self.root.join(OBJECTS_DIR);
        let mut ids = Vec::new();
        for fan in fsio::dir_names(&objects)? {
            if fan.len() != FANOUT_LEN || !fan.bytes().all(|b| b.is_ascii_hexdigit()) {
                continue;
            }
            let dir = objects.join(&fan);
            if !dir.is_dir() {
                continue;
            }
            ids.extend(
                fsio::dir_names(&dir)?
                    .iter()
                    .filter_map(|n| id::from_object_name(&fan, n)),
            );
        }
        ids.sort();
        Ok(ids)
    }

    /// Reads and checks one object.
    pub(crate) fn check_object(&self, id: &ObjectId) -> Result<Check> {
        let path = self.object_path(id);
        Ok(match fsio::read_limited(&path, MAX_IMAGE_LEN)? {
            ReadOutcome::Missing => Check::Missing,
            ReadOutcome::TooLarge(len) => Check::Corrupt(too_large(len)),
            ReadOutcome::Bytes(bytes) => match check_bytes(id, &bytes) {
                Ok(image) => Check::Good(Box::new(image), bytes),
                Err(reason) => Check::Corrupt(reason),
            },
        })
    }

    /// The cached index entry of an object, if present and readable.
    pub(crate) fn read_index(&self, id: &ObjectId) -> Option<Entry> {
        let bytes = fsio::read_optional(&self.index_path(id)).ok()??;
        let rec: IndexRecord = serde_json::from_slice(&bytes).ok()?;
        (rec.schema == INDEX_SCHEMA && rec.id == id.as_str())
            .then(|| rec.into_entry(self.object_path(id)))
    }

    /// Writes an index entry unless the file already holds exactly it.
    /// Returns whether it wrote.
    pub(crate) fn write_index(&self, id: &ObjectId, entry: &Entry) -> Result<bool> {
        let want = IndexRecord::from_entry(entry).to_bytes();
        let path = self.index_path(id);
        if fsio::read_optional(&path)?.as_deref() == Some(&want[..]) {
            return Ok(false);
        }
        fsio::write_atomic(&self.tmp_dir(), &path, &want)?;
        Ok(true)
    }

    /// Index upkeep on the read paths: best effort, so that a read-only
    /// library can still be listed.
    fn repair_index(&self, id: &ObjectId, entry: &Entry) {
        if let Err(e) = self.write_index(id, entry) {
            tracing::warn!("cannot update the index entry of {id}: {e}");
        }
    }

    fn not_found(&self, id: &str) -> LibraryError {
        LibraryError::NotFound {
            id: id.to_owned(),
            root: self.root.clone(),
        }
    }
}

fn too_large(len: u64) -> String {
    format!("{len} bytes, more than the {MAX_IMAGE_LEN}-byte image limit")
}

/// Checks an object's bytes: their hash is the id and they decode.
pub(crate) fn check_bytes(id: &ObjectId, bytes: &[u8]) -> std::result::Result<Image, String> {
    let actual = ObjectId::of(bytes);
    if actual != *id {
        return Err(format!(
            "content hash is {actual}, not its id (changed or truncated after it was stored; {} bytes)",
            bytes.len()
        ));
    }
    Image::decode(bytes).map_err(|e| format!("not a valid image: {e}"))
}
