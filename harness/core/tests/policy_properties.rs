//! Properties of the policy decision table over every catalogue pair.

use ppcr_core::cpu::CATALOGUE;
use ppcr_core::format::RecordKind;
use ppcr_core::policy::{evaluate, Policy};
use ppcr_core::synth;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn policies_are_ordered_and_same_model_always_accepts(
        source in 0..CATALOGUE.len(),
        target in 0..CATALOGUE.len(),
        flavour in 0usize..3,
        subset in 0u32..128,
        seed in any::<u64>(),
    ) {
        let model = &CATALOGUE[source];
        let flavour = model.flavours[flavour % model.flavours.len()];
        let records: Vec<RecordKind> = RecordKind::OPTIONAL
            .iter()
            .enumerate()
            .filter(|(i, k)| subset & (1 << i) != 0 && synth::producible(model, **k).is_ok())
            .map(|(_, k)| *k)
            .collect();
        let image = synth::image(model, flavour, &records, seed).unwrap();
        for p in Policy::ALL {
            prop_assert!(evaluate(p, &image, model.name, &model.caps).accepted(), "{p} refuses {} on itself", model.name);
        }
        let t = &CATALOGUE[target];
        let strict = evaluate(Policy::Strict, &image, t.name, &t.caps);
        let records_v = evaluate(Policy::Records, &image, t.name, &t.caps);
        let hwcap = evaluate(Policy::Hwcap, &image, t.name, &t.caps);
        // hwcap refuses at least what records refuses, with the same record reasons first.
        if hwcap.accepted() {
            prop_assert!(records_v.accepted());
        }
        prop_assert!(hwcap.reasons.starts_with(&records_v.reasons));
        // Identical capability sets make every policy accept.
        if strict.accepted() {
            prop_assert!(hwcap.accepted(), "strict accepts {} -> {} but hwcap refuses: {hwcap}", model.name, t.name);
        }
        // A verdict always says why it refuses.
        for v in [&strict, &records_v, &hwcap] {
            prop_assert!(v.accepted() || !v.reasons.is_empty());
        }
    }
}
