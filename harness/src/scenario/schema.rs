//! The file format as read by serde: every value keeps its span so that
//! validation can point at it. `docs/SCENARIOS.md` is the reference.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub name: Option<Spanned<String>>,
    pub description: Option<String>,
    #[serde(default)]
    pub set: Vec<Spanned<RawSet>>,
}

/// One `[[set]]`: sources × targets × policies, with expectations.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSet {
    /// For people reading the file; not part of cell names.
    #[allow(dead_code)]
    pub name: Option<String>,
    pub sources: Spanned<Vec<Spanned<RawSource>>>,
    pub targets: Spanned<Strings>,
    pub policies: Spanned<Strings>,
    pub expect: Option<Spanned<RawExpect>>,
    pub expect_outcome: Option<Spanned<String>>,
}

/// One source entry; each field is a name or a list of names, crossed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub cpu: Spanned<Strings>,
    pub flavour: Spanned<Strings>,
    pub workload: Spanned<Strings>,
}

/// A default class (`expect = "refuse"`) or a list of rules.
#[derive(Debug)]
pub enum RawExpect {
    Class(String),
    Rules(Vec<Spanned<RawRule>>),
}

/// One expectation rule: selectors, then the expected class and/or outcome.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub cpu: Option<Spanned<String>>,
    pub flavour: Option<Spanned<String>>,
    pub workload: Option<Spanned<String>>,
    pub target: Option<Spanned<String>>,
    pub policy: Option<Spanned<String>>,
    pub class: Option<Spanned<String>>,
    pub outcome: Option<Spanned<String>>,
}

/// A string or a list of strings.
#[derive(Debug)]
pub enum Strings {
    One(String),
    Many(Vec<Spanned<String>>),
}

impl Strings {
    /// The names with their spans; a lone string takes `whole`'s span.
    pub fn items(whole: &Spanned<Strings>) -> Vec<(String, std::ops::Range<usize>)> {
        match whole.get_ref() {
            Strings::One(s) => vec![(s.clone(), whole.span())],
            Strings::Many(v) => v.iter().map(|s| (s.get_ref().clone(), s.span())).collect(),
        }
    }
}

impl<'de> Deserialize<'de> for Strings {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strings;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an array of strings")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Strings, E> {
                Ok(Strings::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strings, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element()? {
                    out.push(s);
                }
                Ok(Strings::Many(out))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for RawExpect {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawExpect;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a class name or an array of expectation tables")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawExpect, E> {
                Ok(RawExpect::Class(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawExpect, A::Error> {
                let mut out = Vec::new();
                while let Some(r) = seq.next_element()? {
                    out.push(r);
                }
                Ok(RawExpect::Rules(out))
            }
        }
        d.deserialize_any(V)
    }
}
