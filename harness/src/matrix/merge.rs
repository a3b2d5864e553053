//! `ppcr matrix merge`: the shards of one run into the whole matrix.
//!
//! Every input must have been run with the same selection; the union of
//! their pairs must be exactly the selection's universe. A pair present
//! twice, missing, or not in the universe is refused by name.

use super::cells::{Plan, SelectionError};
use super::schema::{Matrix, PairResult};
use thiserror::Error;

/// Why the inputs do not make one matrix.
#[derive(Debug, Error)]
pub enum MergeError {
    #[error("nothing to merge")]
    NoInputs,
    #[error("input {index} was run with another selection ({found}) than input 1 ({first})")]
    OtherSelection {
        index: usize,
        first: String,
        found: String,
    },
    /// The message includes the selection error; it is not also a `source()`.
    #[error("the selection of the inputs is not valid here: {0}")]
    Selection(SelectionError),
    #[error("{} cell(s) appear more than once: {}", .0.len(), list(.0))]
    Duplicate(Vec<String>),
    #[error("{} cell(s) are missing: {}", .0.len(), list(.0))]
    Missing(Vec<String>),
    #[error("{} cell(s) are not in the selection: {}", .0.len(), list(.0))]
    Unexpected(Vec<String>),
}

fn list(names: &[String]) -> String {
    const SHOWN: usize = 20;
    let mut s = names
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(", ... ({} more)", names.len() - SHOWN));
    }
    s
}

/// Merges `inputs` (shards, or any split of one selection) into the whole,
/// unsharded matrix.
pub fn merge(inputs: Vec<Matrix>) -> Result<Matrix, MergeError> {
    let first = inputs.first().ok_or(MergeError::NoInputs)?;
    let selection = first.selection.clone();
    for (i, m) in inputs.iter().enumerate().skip(1) {
        if m.selection != selection {
            return Err(MergeError::OtherSelection {
                index: i + 1,
                first: serde_json::to_string(&selection).unwrap_or_default(),
                found: serde_json::to_string(&m.selection).unwrap_or_default(),
            });
        }
    }
    let plan: Plan = selection.plan().map_err(MergeError::Selection)?;
    let universe: std::collections::HashSet<String> = plan
        .pair_names(plan.rows.iter())
        .flat_map(|p| {
            plan.policies
                .iter()
                .map(move |&pol| super::cells::cell_name(&p, pol))
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let (mut dup, mut unexpected) = (Vec::new(), Vec::new());
    let mut pairs: Vec<PairResult> = Vec::new();
    for m in inputs {
        for p in m.pairs {
            for c in p.cell_names() {
                if !universe.contains(&c) {
                    unexpected.push(c);
                } else if !seen.insert(c.clone()) {
                    dup.push(c);
                }
            }
            pairs.push(p);
        }
    }
    if !dup.is_empty() {
        return Err(MergeError::Duplicate(dup));
    }
    if !unexpected.is_empty() {
        return Err(MergeError::Unexpected(unexpected));
    }
    let merged = Matrix::build(selection, &plan, None, pairs);
    let mut missing: Vec<String> = merged
        .missing
        .iter()
        .flat_map(|p| {
            plan.policies
                .iter()
                .map(move |&pol| super::cells::cell_name(p, pol))
        })
        .collect();
    // A pair with some policy's cell absent.
    for p in &merged.pairs {
        for &pol in &plan.policies {
            if p.cell(pol).is_none() {
                missing.push(super::cells::cell_name(&p.name, pol));
            }
        }
    }
    if !missing.is_empty() {
        return Err(MergeError::Missing(missing));
    }
    Ok(merged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::testing::{fake_matrix, small_matrix, small_selection};
    use crate::matrix::Shard;

    fn shards(n: u32) -> Vec<Matrix> {
        (1..=n)
            .map(|k| fake_matrix(small_selection(), Some(Shard { index: k, count: n })))
            .collect()
    }

    fn strip(mut m: Matrix) -> Matrix {
        m.pairs.iter_mut().for_each(|p| p.millis = 0);
        m
    }

    #[test]
    fn shards_merge_into_the_whole() {
        let merged = merge(shards(3)).unwrap();
        assert_eq!(strip(merged), strip(small_matrix()));
    }

    #[test]
    fn missing_and_duplicated_cells_are_refused_by_name() {
        let mut s = shards(2);
        let lost = s[1].pairs[0].name.clone();
        s[1].pairs.remove(0);
        match merge(s) {
            Err(MergeError::Missing(names)) => {
                assert!(names.contains(&format!("{lost}:hwcap")), "{names:?}")
            }
            other => panic!("{other:?}"),
        }
        let mut s = shards(2);
        s.push(s[0].clone());
        let twice = s[0].pairs[0].name.clone();
        let e = merge(s).unwrap_err();
        assert!(matches!(&e, MergeError::Duplicate(n) if n.contains(&format!("{twice}:strict"))));
        assert!(e.to_string().contains(&twice), "{e}");
        // A shard alone is a partial matrix, refused too.
        assert!(matches!(
            merge(shards(2).split_off(1)),
            Err(MergeError::Missing(_))
        ));
        assert!(matches!(merge(Vec::new()), Err(MergeError::NoInputs)));
    }

    #[test]
    fn inputs_of_another_selection_are_refused() {
        let mut s = shards(2);
        s[1].selection.policies = vec!["hwcap".into()];
        assert!(matches!(
            merge(s),
            Err(MergeError::OtherSelection { index: 2, .. })
        ));
    }
}
