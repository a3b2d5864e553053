//! Deterministic sharding: `--shard K/N` keeps the rows whose name hashes
//! to K−1 modulo N.
//!
//! The unit is the row (source model/flavour/workload), so every image is
//! checkpointed exactly once across all shards. The hash is 64-bit FNV-1a of
//! the row name, pinned by tests: a row stays in the same shard across
//! versions and whatever other rows exist, so CI jobs stay comparable.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// One slice of a sharded run: `index` in 1..=`count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// A `--shard` value that is not `K/N` with 1 ≤ K ≤ N.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("bad shard '{0}': expected K/N with 1 <= K <= N (e.g. 2/3)")]
pub struct BadShard(pub String);

impl FromStr for Shard {
    type Err = BadShard;
    fn from_str(s: &str) -> Result<Self, BadShard> {
        let bad = || BadShard(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || count == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// 64-bit FNV-1a (offset basis 0xcbf29ce484222325, prime 0x100000001b3).
pub const fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        h ^= bytes[i] as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        i += 1;
    }
    h
}

impl Shard {
    /// Whether the row called `row` belongs to this shard.
    pub fn owns(&self, row: &str) -> bool {
        fnv1a64(row.as_bytes()) % u64::from(self.count) == u64::from(self.index - 1)
    }
}

/// Whether `row` is in `shard` (no shard: every row).
pub fn in_shard(shard: Option<Shard>, row: &str) -> bool {
    shard.is_none_or(|s| s.owns(row))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::cells::Selection;

    #[test]
    fn fnv1a_reference_values() {
        // The published FNV-1a 64 test vectors.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    /// Changing these moves rows between CI jobs: do it only on purpose.
    const PINNED: [(&str, u64, u32, u32); 5] = [
        // (row, FNV-1a 64, shard of 3, shard of 8)
        ("power9/ppc64/vsx", 0xf868_19a5_13f7_bce3, 3, 4),
        ("e500v2/ppc32/spe", 0x055a_a37b_1a52_c2a1, 2, 2),
        ("750/ppc32/int", 0xd17c_aa7b_6636_8b3e, 3, 7),
        ("power10/ppc64le/isa31", 0xe692_9b39_0f1b_ea8c, 3, 5),
        ("e6500/ppc64/vmx", 0x1be5_8ad7_3cb6_fb4d, 1, 6),
    ];

    #[test]
    fn shard_assignment_is_pinned() {
        for (row, hash, of3, of8) in PINNED {
            assert_eq!(fnv1a64(row.as_bytes()), hash, "{row}");
            for (count, index) in [(3, of3), (8, of8)] {
                for k in 1..=count {
                    let s = Shard { index: k, count };
                    assert_eq!(s.owns(row), k == index, "{row} in {s}");
                }
            }
        }
    }

    #[test]
    fn shards_partition_the_rows() {
        let plan = Selection::default().plan().unwrap();
        for n in 1..=5u32 {
            let mut counts = vec![0usize; n as usize];
            for r in &plan.rows {
                let owners: Vec<u32> = (1..=n)
                    .filter(|&k| Shard { index: k, count: n }.owns(&r.name()))
                    .collect();
                assert_eq!(owners.len(), 1, "{}", r.name());
                counts[owners[0] as usize - 1] += 1;
            }
            assert!(counts.iter().all(|&c| c > 0), "n={n}: {counts:?}");
        }
    }

    #[test]
    fn parse() {
        assert_eq!(
            "2/3".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 3 }
        );
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { index: 1, count: 2 }.to_string(), "1/2");
    }
}
