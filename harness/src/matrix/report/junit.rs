//! `junit.xml`: one test suite per policy, one test case per cell.
//! A failure for every `error` cell and every `unsafe` cell of the
//! recommended policy; `unsafe` under other policies passes with an
//! `expected-finding` property and the evidence in system-out. A partial
//! matrix adds a failing `completeness` case.

use crate::matrix::schema::{is_failure, Matrix};
use ppcr_core::class::Class;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};
use std::time::Duration;

/// The XML text.
pub fn render(m: &Matrix) -> String {
    let mut report = Report::new("ppcr-matrix");
    for &policy in &m.policies {
        let mut suite = TestSuite::new(format!("matrix.{policy}"));
        for p in &m.pairs {
            let Some(c) = p.cell(policy) else { continue };
            let outcome = p.outcome.map_or("none".to_string(), |o| o.to_string());
            let verdict = match c.accepted {
                Some(true) => "accept",
                Some(false) => "refuse",
                None => "none",
            };
            let reasons: Vec<String> = c.reasons.iter().map(|r| r.to_string()).collect();
            let evidence = format!(
                "class {}; verdict {verdict}; outcome {outcome}: {}{}",
                c.class,
                p.detail,
                if reasons.is_empty() {
                    String::new()
                } else {
                    format!("\nreasons:\n- {}", reasons.join("\n- "))
                }
            );
            let status = if is_failure(c) {
                let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
                st.set_type(c.class.name());
                st.set_message(match c.class {
                    Class::Error => format!("error: {}", p.detail),
                    _ => {
                        format!("unsafe under {policy}: accepted, but the restore gives {outcome}")
                    }
                });
                st.set_description(evidence.clone());
                st
            } else {
                TestCaseStatus::success()
            };
            let mut case = TestCase::new(format!("{}:{policy}", p.name), status);
            case.set_classname(format!("{}.{}", policy, p.source.name()));
            case.set_time(Duration::from_millis(p.millis));
            case.add_property(Property::new("class", c.class.name()));
            case.add_property(Property::new("outcome", outcome.clone()));
            case.add_property(Property::new("verdict", verdict));
            if p.flaky {
                case.add_property(Property::new("flaky", p.attempts.to_string()));
            }
            if c.class == Class::Unsafe && !is_failure(c) {
                case.add_property(Property::new("expected-finding", "unsafe"));
            }
            case.set_system_out(evidence);
            suite.add_test_case(case);
        }
        report.add_test_suite(suite);
    }
    if !m.complete || m.cell_count() == 0 {
        let mut st = TestCaseStatus::non_success(NonSuccessKind::Failure);
        st.set_message(if m.cell_count() == 0 {
            "the matrix is empty".to_string()
        } else {
            format!("the matrix is partial: {} pair(s) missing", m.missing.len())
        });
        st.set_description(m.missing.join("\n"));
        let mut suite = TestSuite::new("matrix.completeness");
        suite.add_test_case(TestCase::new("complete", st));
        report.add_test_suite(suite);
    }
    report.to_string().expect("a JUnit report serializes")
}

#[cfg(test)]
mod tests {
    use crate::matrix::testing::small_matrix;
    use ppcr_core::class::Class;
    use ppcr_core::policy::Policy;

    #[test]
    fn failures_are_exactly_error_cells_and_hwcap_unsafe_cells() {
        let m = small_matrix();
        let xml = super::render(&m);
        let expected = m
            .pairs
            .iter()
            .flat_map(|p| &p.cells)
            .filter(|c| {
                c.class == Class::Error || (c.class == Class::Unsafe && c.policy == Policy::Hwcap)
            })
            .count();
        assert!(expected >= 4, "the fake gives hwcap unsafe and error cells");
        assert_eq!(xml.matches("<failure").count(), expected, "{xml}");
        assert_eq!(xml.matches("<testcase").count(), m.cell_count());
        // records/strict unsafe: expected findings, passing.
        let findings =
            m.count(Policy::Records, Class::Unsafe) + m.count(Policy::Strict, Class::Unsafe);
        assert!(findings > 0);
        assert_eq!(
            xml.matches(r#"name="expected-finding" value="unsafe""#)
                .count(),
            findings
        );
        assert!(xml.contains(r#"type="unsafe""#) && xml.contains(r#"type="error""#));
    }

    #[test]
    fn a_partial_matrix_fails() {
        let mut m = small_matrix();
        m.pairs.retain(|p| p.outcome.is_some());
        m.pairs
            .iter_mut()
            .for_each(|p| p.cells.retain(|c| !super::is_failure(c)));
        m.complete = false;
        m.missing = vec!["x@y".into()];
        let xml = super::render(&m);
        assert!(xml.contains("the matrix is partial"), "{xml}");
        assert_eq!(xml.matches("<failure").count(), 1);
        m.pairs.clear();
        assert!(super::render(&m).contains("the matrix is empty"));
    }
}
