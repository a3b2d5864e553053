//! Outcomes of a forced restore and the classes of a matrix cell
//! (DESIGN §2): a policy's verdict measured against the truth.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What really happened when an image was restored on a target, policy aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Finished with the reference result.
    Ok,
    /// Finished with a different result.
    Wrong,
    /// Illegal instruction, unavailable facility or another unexpected exception.
    Crash,
    /// Did not finish within its deadline.
    Hang,
    /// The state could not be written into the target.
    Unrestorable,
}

impl Outcome {
    /// Every outcome.
    pub const ALL: [Outcome; 5] = [
        Outcome::Ok,
        Outcome::Wrong,
        Outcome::Crash,
        Outcome::Hang,
        Outcome::Unrestorable,
    ];

    /// The lowercase name.
    pub const fn name(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Wrong => "wrong",
            Outcome::Crash => "crash",
            Outcome::Hang => "hang",
            Outcome::Unrestorable => "unrestorable",
        }
    }

    /// Parses a name.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|o| o.name() == s)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A cell's class: verdict × outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Accepted, and the restore works.
    Pass,
    /// Refused, and the restore would not have worked.
    Refuse,
    /// Accepted, but the restore does not work: a policy bug.
    Unsafe,
    /// Refused, though the restore works: portability given up.
    Needless,
    /// The harness failed to learn the truth.
    Error,
}

impl Class {
    /// Every class.
    pub const ALL: [Class; 5] = [
        Class::Pass,
        Class::Refuse,
        Class::Unsafe,
        Class::Needless,
        Class::Error,
    ];

    /// The class of a verdict and an outcome (`None` outcome: the harness failed).
    pub fn of(accepted: bool, outcome: Option<Outcome>) -> Class {
        match (accepted, outcome) {
            (_, None) => Class::Error,
            (true, Some(Outcome::Ok)) => Class::Pass,
            (true, Some(_)) => Class::Unsafe,
            (false, Some(Outcome::Ok)) => Class::Needless,
            (false, Some(_)) => Class::Refuse,
        }
    }

    /// The lowercase name.
    pub const fn name(self) -> &'static str {
        match self {
            Class::Pass => "pass",
            Class::Refuse => "refuse",
            Class::Unsafe => "unsafe",
            Class::Needless => "needless",
            Class::Error => "error",
        }
    }

    /// Parses a name.
    pub fn from_name(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == s)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_table() {
        assert_eq!(Class::of(true, Some(Outcome::Ok)), Class::Pass);
        assert_eq!(Class::of(true, Some(Outcome::Crash)), Class::Unsafe);
        assert_eq!(Class::of(true, Some(Outcome::Wrong)), Class::Unsafe);
        assert_eq!(Class::of(false, Some(Outcome::Ok)), Class::Needless);
        assert_eq!(Class::of(false, Some(Outcome::Hang)), Class::Refuse);
        assert_eq!(Class::of(false, None), Class::Error);
        for c in Class::ALL {
            assert_eq!(Class::from_name(c.name()), Some(c));
        }
        for o in Outcome::ALL {
            assert_eq!(Outcome::from_name(o.name()), Some(o));
        }
    }
}
