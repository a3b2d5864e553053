//! `index.html`: a self-contained heat map (inline CSS and JS, no network):
//! sources down, targets across, one colour per class, a tab per policy,
//! the reasons and the outcome of each cell on hover and on click.

use crate::matrix::schema::{Matrix, PairResult};
use ppcr_core::class::Class;
use ppcr_core::policy::Policy;
use serde::Serialize;
use std::collections::HashMap;

const TEMPLATE: &str = include_str!("index.html");

#[derive(Serialize)]
struct Cell {
    /// `row@target:policy`.
    name: String,
    class: &'static str,
    letter: &'static str,
    title: String,
    id: Option<usize>,
    flaky: bool,
}

#[derive(Serialize)]
struct Row {
    name: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Count {
    name: &'static str,
    n: usize,
}

#[derive(Serialize)]
struct PolicyView {
    name: &'static str,
    recommended: bool,
    checked: bool,
    #[serde(rename = "unsafe")]
    unsafe_count: usize,
    counts: Vec<Count>,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct Legend {
    name: &'static str,
    letter: &'static str,
    about: &'static str,
}

/// The letter shown in a cell of `class`.
pub fn letter(class: Class) -> &'static str {
    match class {
        Class::Pass => "P",
        Class::Refuse => "R",
        Class::Unsafe => "U",
        Class::Needless => "N",
        Class::Error => "E",
    }
}

fn verdict(accepted: Option<bool>, reasons: usize) -> String {
    match accepted {
        Some(true) => "accept".to_string(),
        Some(false) => format!("refuse ({reasons} reason(s))"),
        None => "none (no image)".to_string(),
    }
}

fn outcome(p: &PairResult) -> String {
    p.outcome
        .map_or("none (harness error)".into(), |o| o.to_string())
}

/// The hover text of one cell: class, verdict, outcome, first reasons.
fn title(p: &PairResult, policy: Policy) -> String {
    let Some(c) = p.cell(policy) else {
        return String::new();
    };
    let mut s = format!(
        "{}:{policy} — {}\nverdict: {}\noutcome: {}: {}",
        p.name,
        c.class,
        verdict(c.accepted, c.reasons.len()),
        outcome(p),
        p.detail
    );
    for r in c.reasons.iter().take(3) {
        s.push_str(&format!("\n- {r}"));
    }
    if c.reasons.len() > 3 {
        s.push_str(&format!("\n- … {} more (click)", c.reasons.len() - 3));
    }
    s
}

/// The click text of one pair: the outcome and every policy's verdict.
fn details(p: &PairResult) -> String {
    let mut s = format!("{}\noutcome: {}\n{}", p.name, outcome(p), p.detail);
    if p.flaky || !p.failures.is_empty() {
        s.push_str(&format!(
            "\nattempts: {}{}",
            p.attempts,
            if p.flaky { " (flaky)" } else { "" }
        ));
        for f in &p.failures {
            s.push_str(&format!("\n  {f}"));
        }
    }
    for c in &p.cells {
        s.push_str(&format!(
            "\n\n[{}] {} — {}",
            c.policy,
            c.class,
            verdict(c.accepted, c.reasons.len())
        ));
        for r in &c.reasons {
            s.push_str(&format!("\n- {r}"));
        }
        for cv in &c.conversions {
            s.push_str(&format!("\nconvert: {cv}"));
        }
    }
    s
}

/// The HTML text.
pub fn render(m: &Matrix) -> String {
    let by_name: HashMap<&str, (usize, &PairResult)> = m
        .pairs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.name.as_str(), (i, p)))
        .collect();
    let all_details: Vec<String> = m.pairs.iter().map(details).collect();
    let checked = if m.policies.contains(&Policy::RECOMMENDED) {
        Policy::RECOMMENDED
    } else {
        m.policies.first().copied().unwrap_or(Policy::RECOMMENDED)
    };
    let policies: Vec<PolicyView> = m
        .policies
        .iter()
        .map(|&policy| {
            let rows = m
                .rows
                .iter()
                .map(|row| Row {
                    name: row.clone(),
                    cells: m
                        .targets
                        .iter()
                        .map(|t| {
                            let name = format!("{row}@{t}");
                            let found = by_name
                                .get(name.as_str())
                                .and_then(|&(i, p)| p.cell(policy).map(|c| (i, p, c)));
                            match found {
                                Some((i, p, c)) => Cell {
                                    name: format!("{name}:{policy}"),
                                    class: c.class.name(),
                                    letter: letter(c.class),
                                    title: title(p, policy),
                                    id: Some(i),
                                    flaky: p.flaky,
                                },
                                None => Cell {
                                    name: format!("{name}:{policy}"),
                                    class: "missing",
                                    letter: "?",
                                    title: format!("{name}:{policy}: no result"),
                                    id: None,
                                    flaky: false,
                                },
                            }
                        })
                        .collect(),
                })
                .collect();
            PolicyView {
                name: policy.name(),
                recommended: policy == Policy::RECOMMENDED,
                checked: policy == checked,
                unsafe_count: m.count(policy, Class::Unsafe),
                counts: Class::ALL
                    .iter()
                    .map(|&c| Count {
                        name: c.name(),
                        n: m.count(policy, c),
                    })
                    .collect(),
                rows,
            }
        })
        .collect();
    let legend = vec![
        Legend {
            name: "pass",
            letter: "P",
            about: "accepted, restore works",
        },
        Legend {
            name: "refuse",
            letter: "R",
            about: "refused, restore would fail",
        },
        Legend {
            name: "unsafe",
            letter: "U",
            about: "ACCEPTED BUT THE RESTORE FAILS",
        },
        Legend {
            name: "needless",
            letter: "N",
            about: "refused, restore works",
        },
        Legend {
            name: "error",
            letter: "E",
            about: "the harness failed",
        },
        Legend {
            name: "missing",
            letter: "?",
            about: "no result",
        },
    ];
    // JSON inside <script>: no "</" can close the element early.
    let details_json = serde_json::to_string(&all_details)
        .expect("strings serialize")
        .replace('<', "\\u003c");
    let mut env = minijinja::Environment::new();
    env.add_template("index.html", TEMPLATE)
        .expect("the template parses");
    env.get_template("index.html")
        .expect("the template exists")
        .render(minijinja::context! {
            tool => m.tool,
            passes => m.passes(),
            complete => m.complete,
            missing_count => m.missing.len(),
            shard => m.shard.map(|s| s.to_string()),
            row_count => m.rows.len(),
            cell_count => m.cell_count(),
            flaky => m.pairs.iter().filter(|p| p.flaky).count(),
            targets => m.targets,
            policies => policies,
            legend => legend,
            details => details_json,
        })
        .expect("the template renders")
}

#[cfg(test)]
mod tests {
    use crate::matrix::testing::small_matrix;

    #[test]
    fn every_cell_is_in_the_page_and_nothing_is_fetched() {
        let m = small_matrix();
        let html = super::render(&m);
        assert_eq!(
            html.matches("<td class=\"c ").count(),
            m.rows.len() * m.targets.len() * m.policies.len()
        );
        assert!(html.contains("data-class=\"unsafe\""));
        assert!(html.contains("id=\"tab-hwcap\" checked"));
        for bad in ["http://", "https://", "<link", "src="] {
            assert!(!html.contains(bad), "{bad}");
        }
        assert!(
            !html[html.find("id=\"cells\"").unwrap()..].contains("</script><"),
            "no early </script>"
        );
    }
}
