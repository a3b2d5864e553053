//! Content ids: the lowercase hex SHA-256 of an object's bytes, and the
//! validation of ids and prefixes given by users (hex only, so an id can
//! never name a path outside the library).

use super::error::{LibraryError, Result};
use sha2::{Digest, Sha256};
use std::fmt;

/// Hex characters in a full id.
pub const ID_LEN: usize = 64;
/// The shortest prefix accepted for a lookup.
pub const MIN_PREFIX_LEN: usize = 4;
/// Hex characters of the fan-out directory (`objects/<2 hex>/`).
pub(crate) const FANOUT_LEN: usize = 2;

/// A full content id (64 lowercase hex characters).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectId(String);

impl ObjectId {
    /// The id of `bytes`: their SHA-256, in lowercase hex.
    pub fn of(bytes: &[u8]) -> ObjectId {
        let digest = Sha256::digest(bytes);
        let mut s = String::with_capacity(ID_LEN);
        for b in digest.iter() {
            s.push(char::from(HEX[usize::from(b >> 4)]));
            s.push(char::from(HEX[usize::from(b & 0xf)]));
        }
        ObjectId(s)
    }

    /// Parses a full id; uppercase hex is accepted and folded to lowercase.
    pub fn parse(s: &str) -> Result<ObjectId> {
        let p = IdPrefix::parse(s)?;
        if p.0.len() != ID_LEN {
            return Err(LibraryError::InvalidId {
                id: s.to_owned(),
                why: "a full id has 64 hex characters",
            });
        }
        Ok(ObjectId(p.0))
    }

    /// The id as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The fan-out directory name and the file stem.
    pub(crate) fn split(&self) -> (&str, &str) {
        self.0.split_at(FANOUT_LEN)
    }
}

impl fmt::Display for ObjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A validated id prefix (4 to 64 lowercase hex characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdPrefix(String);

impl IdPrefix {
    /// Validates a user's id or prefix: hex only, 4 to 64 characters.
    pub fn parse(s: &str) -> Result<IdPrefix> {
        let invalid = |why| LibraryError::InvalidId {
            id: s.to_owned(),
            why,
        };
        if s.is_empty() {
            return Err(invalid("empty"));
        }
        if !s.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(invalid(
                "only hex digits 0-9a-f are allowed (an id is a SHA-256)",
            ));
        }
        if s.len() > ID_LEN {
            return Err(invalid("longer than the 64 hex characters of a SHA-256"));
        }
        if s.len() < MIN_PREFIX_LEN {
            return Err(invalid("give at least 4 hex characters"));
        }
        Ok(IdPrefix(s.to_ascii_lowercase()))
    }

    /// The prefix as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The full id, when the prefix is one.
    pub fn full(&self) -> Option<ObjectId> {
        (self.0.len() == ID_LEN).then(|| ObjectId(self.0.clone()))
    }
}

/// Parses an object's file name (`<62 hex>.ppcr` inside `objects/<2 hex>/`)
/// back to its id; `None` for anything else.
pub(crate) fn from_object_name(fanout: &str, file_name: &str) -> Option<ObjectId> {
    let stem = file_name.strip_suffix(super::store::OBJECT_EXT)?;
    let id = format!("{fanout}{stem}");
    is_full_lower_hex(&id).then_some(ObjectId(id))
}

/// Parses an index file name (`<64 hex>.json`) back to its id.
pub(crate) fn from_index_name(file_name: &str) -> Option<ObjectId> {
    let stem = file_name.strip_suffix(".json")?;
    is_full_lower_hex(stem).then(|| ObjectId(stem.to_owned()))
}

fn is_full_lower_hex(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_sha256_hex() {
        // SHA-256("abc"), FIPS 180-2 appendix B.1.
        assert_eq!(
            ObjectId::of(b"abc").as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn prefixes_are_validated() {
        for bad in [
            "",
            "abc",
            "../etc",
            "abcd/..",
            "ab/cd",
            "abcg",
            "abcd.ppcr",
            " abcd",
            "abcd\0",
        ] {
            let e = IdPrefix::parse(bad).unwrap_err();
            assert!(
                matches!(e, LibraryError::InvalidId { .. }),
                "{bad:?} gave {e}"
            );
        }
        let long = "a".repeat(65);
        assert!(IdPrefix::parse(&long).is_err());
        assert_eq!(IdPrefix::parse("ABCD").unwrap().as_str(), "abcd");
        assert!(IdPrefix::parse("abcd").unwrap().full().is_none());
        assert!(IdPrefix::parse(&"0".repeat(64)).unwrap().full().is_some());
        assert!(ObjectId::parse("abcd").is_err());
    }

    #[test]
    fn file_names_round_trip() {
        let id = ObjectId::of(b"x");
        let (fan, rest) = id.split();
        assert_eq!(
            from_object_name(fan, &format!("{rest}.ppcr")),
            Some(id.clone())
        );
        assert_eq!(from_index_name(&format!("{id}.json")), Some(id.clone()));
        assert_eq!(from_object_name(fan, &format!("{rest}.tmp")), None);
        assert_eq!(from_index_name("README.json"), None);
    }
}
