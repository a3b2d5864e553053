//! Layer 3 — restore policies: accept or refuse an image for a target CPU,
//! with one reason per failing check, and lossless image conversion.
//!
//! ```
//! use ppcr_core::{cpu, policy::{evaluate, Policy}, synth};
//! let source = cpu::lookup("power9").unwrap();
//! let image = synth::image(source, cpu::Flavour::Ppc64, &["vsx".parse().unwrap()], 1).unwrap();
//! let verdict = evaluate(Policy::Records, &image, "e6500", &cpu::lookup("e6500").unwrap().caps);
//! assert!(!verdict.accepted());
//! assert!(verdict.reasons[0].to_string().contains("VSX"));
//! ```

mod convert;
mod hwcap;
mod records;
mod strict;
mod verdict;

pub use convert::{convert, dabr_to_dawr, dawr_to_dabr, ConvertError};
pub use hwcap::NO_PROMISE;
pub use verdict::{Conversion, Policy, Reason, Subject, Verdict};

use crate::cpu::CapabilitySet;
use crate::format::Image;

/// Applies `policy` to `image` for a target with capability set `target`.
pub fn evaluate(
    policy: Policy,
    image: &Image,
    target_name: &str,
    target: &CapabilitySet,
) -> Verdict {
    let source = CapabilitySet::from_words(image.header.source.caps);
    let (reasons, conversions) = match policy {
        Policy::Strict => (strict::check(&source, target), Vec::new()),
        Policy::Records => records::check(image, target),
        Policy::Hwcap => {
            let (mut reasons, conversions) = records::check(image, target);
            reasons.extend(hwcap::check(&source, target));
            (reasons, conversions)
        }
    };
    Verdict {
        policy,
        target: target_name.to_string(),
        conversions: if reasons.is_empty() {
            conversions
        } else {
            Vec::new()
        },
        reasons,
    }
}
