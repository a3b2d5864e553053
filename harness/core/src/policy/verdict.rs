//! Verdicts: accept, or refuse with one reason per failing check.

use crate::format::RecordKind;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The policies of DESIGN §6.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Policy {
    /// The target's capability set equals the source's.
    Strict,
    /// Every present record is restorable on the target, plus flavour checks.
    Records,
    /// `records` plus every hwcap the process may have observed.
    Hwcap,
}

impl Policy {
    /// Every policy.
    pub const ALL: [Policy; 3] = [Policy::Strict, Policy::Records, Policy::Hwcap];
    /// The recommended policy, whose `unsafe` count must be zero.
    pub const RECOMMENDED: Policy = Policy::Hwcap;

    /// The command-line name.
    pub const fn name(self) -> &'static str {
        match self {
            Policy::Strict => "strict",
            Policy::Records => "records",
            Policy::Hwcap => "hwcap",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Policy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a check was about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "name", rename_all = "kebab-case")]
pub enum Subject {
    /// A CPU-state record.
    Record(RecordKind),
    /// The process mode (64-bit, little-endian).
    Flavour,
    /// A hwcap bit, by its Linux name.
    Hwcap(String),
    /// Another capability field (64-bit, true-LE, a debug count).
    Capability(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Record(k) => write!(f, "{k} record"),
            Subject::Flavour => f.write_str("flavour"),
            Subject::Hwcap(n) | Subject::Capability(n) => f.write_str(n),
        }
    }
}

/// One failing check: what, the image's value and the target's value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    pub subject: Subject,
    pub image: String,
    pub target: String,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: image {}; target {}",
            self.subject, self.image, self.target
        )
    }
}

/// A record the restore must rewrite for the target (lossless).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversion {
    pub record: RecordKind,
    pub description: String,
}

impl fmt::Display for Conversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} record: {}", self.record, self.description)
    }
}

/// A policy's answer for one (image, target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub policy: Policy,
    pub target: String,
    /// Empty when accepted.
    pub reasons: Vec<Reason>,
    /// Rewrites an accepting restore applies (e.g. DABR → DAWR).
    pub conversions: Vec<Conversion>,
}

impl Verdict {
    /// Whether the policy accepts the image.
    pub fn accepted(&self) -> bool {
        self.reasons.is_empty()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.accepted() {
            write!(f, "accept on {} (policy {})", self.target, self.policy)?;
            for c in &self.conversions {
                write!(f, "\n  convert: {c}")?;
            }
        } else {
            write!(
                f,
                "refuse on {} (policy {}): {} reason{}",
                self.target,
                self.policy,
                self.reasons.len(),
                if self.reasons.len() == 1 { "" } else { "s" }
            )?;
            for r in &self.reasons {
                write!(f, "\n  - {r}")?;
            }
        }
        Ok(())
    }
}
