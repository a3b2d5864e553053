//! The `strict` rule: the target's capability set equals the source's.

use super::verdict::{Reason, Subject};
use crate::cpu::{hwcap2_bits, hwcap_bits, CapabilitySet};

pub(crate) fn check(image: &CapabilitySet, target: &CapabilitySet) -> Vec<Reason> {
    let mut reasons = Vec::new();
    let has = |yes: bool| if yes { "has it" } else { "lacks it" }.to_string();
    let differing = hwcap_bits(image.hwcap.symmetric_difference(target.hwcap)).chain(hwcap2_bits(
        image.hwcap2.symmetric_difference(target.hwcap2),
    ));
    for bit in differing {
        let in_image = match bit {
            crate::cpu::HwcapBit::Hwcap(b) => image.hwcap.contains(b),
            crate::cpu::HwcapBit::Hwcap2(b) => image.hwcap2.contains(b),
        };
        reasons.push(Reason {
            subject: Subject::Hwcap(bit.name()),
            image: has(in_image),
            target: has(!in_image),
        });
    }
    let flags = [
        ("64-bit", image.cpu64, target.cpu64),
        ("true little-endian", image.true_le, target.true_le),
    ];
    for (name, i, t) in flags {
        if i != t {
            reasons.push(Reason {
                subject: Subject::Capability(name.into()),
                image: has(i),
                target: has(t),
            });
        }
    }
    let (a, b) = (image.debug, target.debug);
    let counts = [
        ("DABR slots", a.dabr, b.dabr),
        ("DAWR slots", a.dawr, b.dawr),
        ("IAC registers", a.iac, b.iac),
        ("DAC registers", a.dac, b.dac),
        ("DVC registers", a.dvc, b.dvc),
    ];
    for (name, i, t) in counts {
        if i != t {
            reasons.push(Reason {
                subject: Subject::Capability(name.into()),
                image: i.to_string(),
                target: t.to_string(),
            });
        }
    }
    reasons
}
