//! `summary.md`: short enough for a CI job summary or a PR comment.

use crate::matrix::schema::{is_failure, Matrix};
use ppcr_core::class::Class;
use ppcr_core::policy::Policy;
use std::fmt::Write;

const LISTED: usize = 15;

/// The Markdown text.
pub fn render(m: &Matrix) -> String {
    let mut s = String::new();
    let verdict = if m.passes() {
        "PASS"
    } else if !m.complete || m.cell_count() == 0 {
        "FAIL (partial or empty matrix)"
    } else {
        "FAIL"
    };
    let shard = m.shard.map(|s| format!(", shard {s}")).unwrap_or_default();
    let _ = writeln!(s, "## ppcr matrix: {verdict}\n");
    let _ = writeln!(
        s,
        "{} rows × {} targets, {} cells{shard}; {} flaky pair(s).\n",
        m.rows.len(),
        m.targets.len(),
        m.cell_count(),
        m.pairs.iter().filter(|p| p.flaky).count()
    );
    let _ = writeln!(s, "| policy | pass | refuse | unsafe | needless | error |");
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|");
    for &p in &m.policies {
        let rec = if p == Policy::RECOMMENDED {
            " (recommended)"
        } else {
            ""
        };
        let n = |c| m.count(p, c);
        let unsafe_ = if n(Class::Unsafe) > 0 && p == Policy::RECOMMENDED {
            format!("**{}**", n(Class::Unsafe))
        } else {
            n(Class::Unsafe).to_string()
        };
        let _ = writeln!(
            s,
            "| {p}{rec} | {} | {} | {unsafe_} | {} | {} |",
            n(Class::Pass),
            n(Class::Refuse),
            n(Class::Needless),
            n(Class::Error)
        );
    }
    if !m.complete {
        let _ = writeln!(
            s,
            "\n**{} pair(s) missing**, e.g. {}.",
            m.missing.len(),
            m.missing
                .iter()
                .take(5)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let failures: Vec<_> = m.failures().collect();
    if !failures.is_empty() {
        let _ = writeln!(s, "\n### Failures ({})\n", failures.len());
        for (p, c) in failures.iter().take(LISTED) {
            let why = if c.class == Class::Error {
                p.detail.clone()
            } else {
                format!(
                    "accepted, outcome {}: {}",
                    p.outcome.map_or("?".into(), |o| o.to_string()),
                    p.detail
                )
            };
            let _ = writeln!(
                s,
                "- `{}:{}` **{}** — {}",
                p.name,
                c.policy,
                c.class,
                one_line(&why)
            );
        }
        if failures.len() > LISTED {
            let _ = writeln!(
                s,
                "- … and {} more (see junit.xml / index.html)",
                failures.len() - LISTED
            );
        }
    }
    let expected: usize = m
        .pairs
        .iter()
        .flat_map(|p| &p.cells)
        .filter(|c| c.class == Class::Unsafe && !is_failure(c))
        .count();
    if expected > 0 {
        let _ = writeln!(
            s,
            "\n{expected} `unsafe` cell(s) under non-recommended policies are expected findings (see index.html)."
        );
    }
    s
}

fn one_line(s: &str) -> String {
    let s = s.replace('\n', " ");
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use crate::matrix::testing::small_matrix;

    #[test]
    fn short_and_failing_with_the_failures_named() {
        let m = small_matrix();
        let md = super::render(&m);
        assert!(md.starts_with("## ppcr matrix: FAIL"));
        assert!(md.contains(crate::matrix::testing::ALWAYS_ERROR));
        assert!(md.lines().count() < 40, "{md}");
    }
}
