//! `ppcr matrix diff BASE NEW`: every changed verdict and outcome between a
//! baseline and a new matrix, and whether the change fails CI.
//!
//! It fails on any cell that is `unsafe` or `error` in NEW and was not the
//! same in BASE, and on a NEW matrix that is empty, partial, a single shard,
//! or lacks cells the baseline has (update the baseline when a cell goes
//! away on purpose).

use super::cells::cell_name;
use super::schema::{CellResult, Matrix, PairResult};
use ppcr_core::class::Class;
use std::collections::HashMap;
use std::fmt;

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// A cell in both with another verdict, outcome or class.
    Changed {
        cell: String,
        before: String,
        after: String,
        /// It became `unsafe` or `error`.
        fails: bool,
    },
    /// A cell only in NEW.
    Added {
        cell: String,
        now: String,
        fails: bool,
    },
    /// A cell only in BASE (NEW is partial against the baseline).
    Removed { cell: String, was: String },
}

impl Change {
    /// Whether this change fails the diff.
    pub fn fails(&self) -> bool {
        matches!(
            self,
            Change::Changed { fails: true, .. }
                | Change::Added { fails: true, .. }
                | Change::Removed { .. }
        )
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = match self {
            Change::Removed { .. } => "",
            _ if self.fails() => "NEW FAILURE ",
            _ => "",
        };
        match self {
            Change::Changed {
                cell,
                before,
                after,
                ..
            } => {
                write!(f, "{mark}changed {cell}: {before} -> {after}")
            }
            Change::Added { cell, now, .. } => write!(f, "{mark}added {cell}: {now}"),
            Change::Removed { cell, was } => write!(f, "MISSING from NEW {cell}: was {was}"),
        }
    }
}

/// The differences between two matrices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diff {
    pub changes: Vec<Change>,
    /// Why NEW itself cannot pass (empty, partial), if it cannot.
    pub new_incomplete: Option<String>,
}

impl Diff {
    /// Whether the diff fails CI.
    pub fn fails(&self) -> bool {
        self.new_incomplete.is_some() || self.changes.iter().any(Change::fails)
    }
}

fn state(p: &PairResult, c: &CellResult) -> String {
    let verdict = match c.accepted {
        Some(true) => "accept",
        Some(false) => "refuse",
        None => "no verdict",
    };
    let outcome = p
        .outcome
        .map_or("no outcome".to_string(), |o| o.to_string());
    format!("{} ({verdict}, {outcome})", c.class)
}

fn bad(c: Class) -> bool {
    matches!(c, Class::Unsafe | Class::Error)
}

/// Compares `base` with `new`, cell by cell (by name), in NEW's order.
pub fn diff(base: &Matrix, new: &Matrix) -> Diff {
    let mut old: HashMap<String, (&PairResult, &CellResult)> = HashMap::new();
    for p in &base.pairs {
        for c in &p.cells {
            old.insert(cell_name(&p.name, c.policy), (p, c));
        }
    }
    let mut changes = Vec::new();
    for p in &new.pairs {
        for c in &p.cells {
            let name = cell_name(&p.name, c.policy);
            match old.remove(&name) {
                Some((bp, bc)) => {
                    let (before, after) = (state(bp, bc), state(p, c));
                    if bc.accepted != c.accepted || bp.outcome != p.outcome || bc.class != c.class {
                        changes.push(Change::Changed {
                            cell: name,
                            fails: bad(c.class) && bc.class != c.class,
                            before,
                            after,
                        });
                    }
                }
                None => changes.push(Change::Added {
                    cell: name,
                    now: state(p, c),
                    fails: bad(c.class),
                }),
            }
        }
    }
    let mut removed: Vec<_> = old.into_iter().collect();
    removed.sort_by(|a, b| a.0.cmp(&b.0));
    for (cell, (p, c)) in removed {
        changes.push(Change::Removed {
            cell,
            was: state(p, c),
        });
    }
    let new_incomplete = if new.cell_count() == 0 {
        Some("the new matrix is empty".to_string())
    } else if let Some(shard) = new.shard {
        Some(format!(
            "the new matrix is shard {shard} only; merge the shards first"
        ))
    } else if !new.complete {
        Some(format!(
            "the new matrix is partial: {} pair(s) missing",
            new.missing.len()
        ))
    } else {
        None
    };
    Diff {
        changes,
        new_incomplete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::testing::small_matrix;
    use ppcr_core::class::Outcome;
    use ppcr_core::policy::Policy;

    #[test]
    fn same_matrix_no_change() {
        let m = small_matrix();
        let d = diff(&m, &m);
        assert!(d.changes.is_empty() && !d.fails());
    }

    #[test]
    fn a_new_unsafe_or_error_fails_and_other_changes_do_not() {
        let base = small_matrix();
        let i = base
            .pairs
            .iter()
            .position(|p| {
                p.outcome == Some(Outcome::Ok)
                    && p.cell(Policy::Hwcap).unwrap().accepted == Some(true)
            })
            .unwrap();
        let mut new = base.clone();
        new.pairs[i].outcome = Some(Outcome::Crash);
        let outcome = new.pairs[i].outcome;
        for c in &mut new.pairs[i].cells {
            c.class = Class::of(c.accepted.unwrap(), outcome);
        }
        let d = diff(&base, &new);
        assert!(d.fails());
        let cell = format!("{}:hwcap", base.pairs[i].name);
        assert!(
            d.changes
                .iter()
                .any(|c| c.fails() && c.to_string().contains(&cell)),
            "{:?}",
            d.changes
        );

        // Fixing a failure is a change, not a failure.
        let back = diff(&new, &base);
        assert!(!back.changes.is_empty() && !back.fails());

        let mut err = base.clone();
        err.pairs[i].outcome = None;
        err.pairs[i]
            .cells
            .iter_mut()
            .for_each(|c| c.class = Class::Error);
        assert!(diff(&base, &err).fails());
    }

    #[test]
    fn a_partial_or_empty_new_matrix_fails() {
        let base = small_matrix();
        let mut partial = base.clone();
        let gone = partial.pairs.pop().unwrap();
        partial.complete = false;
        partial.missing = vec![gone.name.clone()];
        let d = diff(&base, &partial);
        assert!(d.fails() && d.new_incomplete.is_some());
        assert!(d
            .changes
            .iter()
            .any(|c| matches!(c, Change::Removed { cell, .. } if cell.starts_with(&gone.name))));
        let mut empty = base.clone();
        empty.pairs.clear();
        assert!(diff(&base, &empty).fails());
    }
}
