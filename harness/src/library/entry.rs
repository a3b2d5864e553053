//! What the library says about its objects: entries, queries, listings and
//! the reports of quarantine and garbage collection.

use ppcr_core::format::{Flavour, FormatVersion, Image};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// One stored image, as the index describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Content id: lowercase hex SHA-256 of the object's bytes.
    pub id: String,
    /// Where the object lives (`<root>/objects/<2 hex>/<62 hex>.ppcr`).
    pub path: PathBuf,
    /// The QEMU model name of the checkpointed CPU (`source.model`, e.g.
    /// `power9_v2.2`).
    pub source_model: String,
    /// The catalogue model that name belongs to (e.g. `power9`), if any;
    /// resolved when read, so it follows the catalogue, not the index.
    pub catalogue_model: Option<String>,
    /// Its PVR.
    pub source_pvr: u32,
    /// Process flavour.
    pub flavour: Flavour,
    /// The checkpointed workload (may be empty).
    pub workload: String,
    /// The image's format version.
    #[serde(with = "version_text")]
    pub format_version: FormatVersion,
    /// Bytes in the object.
    pub size: u64,
    /// Present records in bit order, by name (`main` first).
    pub records: Vec<String>,
}

impl Entry {
    /// The entry for a decoded object.
    pub(crate) fn describe(id: &str, path: PathBuf, image: &Image, size: u64) -> Entry {
        Entry {
            id: id.to_owned(),
            path,
            catalogue_model: catalogue_model(&image.header.source.model),
            source_model: image.header.source.model.clone(),
            source_pvr: image.header.source.pvr,
            flavour: image.header.flavour,
            workload: image.header.workload.clone(),
            format_version: image.header.version,
            size,
            records: image
                .cpu
                .records()
                .iter()
                .map(|k| k.name().to_owned())
                .collect(),
        }
    }
}

/// The index file layout (`index/<id>.json`): an [`Entry`] without its path,
/// with a schema number so that a later layout can be told apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexRecord {
    pub schema: u32,
    pub id: String,
    pub source_model: String,
    pub source_pvr: u32,
    pub flavour: Flavour,
    pub workload: String,
    #[serde(with = "version_text")]
    pub format_version: FormatVersion,
    pub size: u64,
    pub records: Vec<String>,
}

/// The index layout this code writes.
pub(crate) const INDEX_SCHEMA: u32 = 1;

impl IndexRecord {
    pub fn from_entry(e: &Entry) -> IndexRecord {
        IndexRecord {
            schema: INDEX_SCHEMA,
            id: e.id.clone(),
            source_model: e.source_model.clone(),
            source_pvr: e.source_pvr,
            flavour: e.flavour,
            workload: e.workload.clone(),
            format_version: e.format_version,
            size: e.size,
            records: e.records.clone(),
        }
    }

    pub fn into_entry(self, path: PathBuf) -> Entry {
        Entry {
            id: self.id,
            path,
            catalogue_model: catalogue_model(&self.source_model),
            source_model: self.source_model,
            source_pvr: self.source_pvr,
            flavour: self.flavour,
            workload: self.workload,
            format_version: self.format_version,
            size: self.size,
            records: self.records,
        }
    }

    /// The exact bytes of an index file: deterministic for a given object,
    /// so concurrent writers of the same entry write identical files.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).expect("an index record serializes");
        v.push(b'\n');
        v
    }
}

fn catalogue_model(source_model: &str) -> Option<String> {
    ppcr_core::cpu::lookup(source_model)
        .ok()
        .map(|m| m.name.to_owned())
}

mod version_text {
    use ppcr_core::format::FormatVersion;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &FormatVersion, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FormatVersion, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_format_version(&s).map_err(D::Error::custom)
    }
}

/// Parses `MAJOR.MINOR` (e.g. `1.0`).
pub fn parse_format_version(s: &str) -> Result<FormatVersion, String> {
    let bad = || format!("format version '{s}' is not MAJOR.MINOR (e.g. 1.0)");
    let (major, minor) = s.split_once('.').ok_or_else(bad)?;
    let num = |t: &str| {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        t.parse::<u16>().map_err(|_| bad())
    };
    Ok(FormatVersion {
        major: num(major)?,
        minor: num(minor)?,
    })
}

/// A filter over the index; `None` fields match everything.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// A source model: the exact name in the image (`power9_v2.2`) or the
    /// catalogue model it belongs to (`power9`, any variant).
    pub source_model: Option<String>,
    pub flavour: Option<Flavour>,
    /// Exact workload name.
    pub workload: Option<String>,
    pub format_version: Option<FormatVersion>,
}

impl Query {
    /// Whether an entry passes the filter.
    pub fn matches(&self, e: &Entry) -> bool {
        self.source_model
            .as_ref()
            .is_none_or(|m| *m == e.source_model || e.catalogue_model.as_ref() == Some(m))
            && self.flavour.is_none_or(|f| f == e.flavour)
            && self.workload.as_ref().is_none_or(|w| *w == e.workload)
            && self.format_version.is_none_or(|v| v == e.format_version)
    }
}

/// An object found corrupt and moved out of the library.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Quarantined {
    /// The id the object was stored under.
    pub id: String,
    /// Where it was.
    pub was: PathBuf,
    /// Where it is now (`<root>/quarantine/...`); a `.reason` file beside it
    /// holds the reason.
    pub path: PathBuf,
    /// What was wrong.
    pub reason: String,
}

/// The answer to [`super::Library::list`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Listing {
    /// Matching, verified entries, sorted by model, flavour, workload,
    /// format version, id.
    pub entries: Vec<Entry>,
    /// Objects this call found corrupt and quarantined.
    pub quarantined: Vec<Quarantined>,
}

/// What [`super::Library::gc`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GcReport {
    /// Objects checked and found good.
    pub objects_ok: usize,
    /// Objects found corrupt and quarantined.
    pub quarantined: Vec<Quarantined>,
    /// Stale temporary files removed.
    pub temp_removed: Vec<PathBuf>,
    /// Index entries written because they were missing or wrong.
    pub index_written: usize,
    /// Index entries removed because their object is gone.
    pub index_removed: usize,
}
