//! TEST ONLY: a deterministic fake simulator, so the engine, sharding,
//! resume and every report can be tested without QEMU.
//!
//! The command line accepts it only behind the hidden `--simulator fake`
//! flag *and* `PPCR_TEST_FAKE_SIMULATOR=1`; a real matrix run never uses it.
//! Its outcomes derive from capability sets (what the workload uses versus
//! what the target offers), plus a few fixed quirks so a report shows every
//! class: an erratum that makes one accepted restore go wrong (`unsafe`
//! under every policy), a pair whose "QEMU" always dies (`error`), and pairs
//! that fail on their first attempt only (`flaky`).

use super::cells::SourceSpec;
use super::shard::fnv1a64;
use super::simulator::{Observed, SimFailure, Simulator};
use ppcr_core::class::Outcome;
use ppcr_core::cpu::{CapabilitySet, CpuModel, Hwcap, Hwcap2};
use ppcr_core::format::{Image, RecordKind};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

/// The fake.
#[derive(Debug, Default)]
pub struct FakeSimulator {
    /// Sleep this long in every call (to test interrupts and deadlines).
    pub delay: Duration,
    /// Pairs (`row@target`) that never answer (to test deadlines).
    pub hang: Vec<String>,
    attempts: Mutex<HashMap<String, u32>>,
}

/// The pair whose simulated QEMU always crashes.
pub const ALWAYS_ERROR: &str = "e500mc/ppc32/fp@440epb";
/// The erratum: VSCR is not carried into an e6500 from a Book3S source.
pub const ERRATUM: (&str, &str) = ("vmx", "e6500");

impl FakeSimulator {
    /// A fake with no delay.
    pub fn new() -> Self {
        Self::default()
    }

    /// A fake whose calls for these pairs (`row@target`) never answer.
    pub fn hanging(pairs: &[&str]) -> Self {
        FakeSimulator {
            hang: pairs.iter().map(|p| p.to_string()).collect(),
            ..Self::default()
        }
    }

    /// Reads `PPCR_TEST_FAKE_DELAY_MS` (the CLI's test hook).
    pub fn from_env() -> Self {
        let delay = std::env::var("PPCR_TEST_FAKE_DELAY_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(Duration::from_millis)
            .unwrap_or_default();
        FakeSimulator {
            delay,
            ..Self::default()
        }
    }

    fn attempt(&self, pair: &str) -> u32 {
        let mut a = self.attempts.lock().unwrap();
        let n = a.entry(pair.to_string()).or_default();
        *n += 1;
        *n
    }
}

/// Whether the pair is one of the fake's flaky ones (about 1 in 97).
pub fn is_flaky(pair: &str) -> bool {
    pair != ALWAYS_ERROR && fnv1a64(pair.as_bytes()) % 97 == 7
}

impl Simulator for FakeSimulator {
    async fn checkpoint(&self, source: &SourceSpec) -> Result<Vec<u8>, SimFailure> {
        tokio::time::sleep(self.delay).await;
        let seed = fnv1a64(source.name().as_bytes());
        let mut image =
            ppcr_core::synth::image(source.model, source.flavour, source.workload.records, seed)
                .map_err(|e| SimFailure(e.to_string()))?;
        image.header.workload = source.workload.name.to_string();
        image.encode().map_err(|e| SimFailure(e.to_string()))
    }

    async fn forced_outcome(
        &self,
        source: &SourceSpec,
        image: &[u8],
        target: &'static CpuModel,
    ) -> Result<Observed, SimFailure> {
        let pair = super::cells::pair_name(&source.name(), target.name);
        if self.hang.contains(&pair) {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(self.delay).await;
        let attempt = self.attempt(&pair);
        if pair == ALWAYS_ERROR {
            return Err(SimFailure(format!(
                "qemu-system-ppc exited with status 1 before the ready point (fake, attempt {attempt})"
            )));
        }
        if is_flaky(&pair) && attempt == 1 {
            return Err(SimFailure(
                "QMP socket closed during the restore (fake, first attempt)".into(),
            ));
        }
        let image = Image::decode(image).map_err(|e| SimFailure(e.to_string()))?;
        Ok(truth(&image, source, target))
    }
}

/// What the fake believes happens: each used facility must exist on the target.
fn truth(image: &Image, source: &SourceSpec, target: &'static CpuModel) -> Observed {
    let t: &CapabilitySet = &target.caps;
    let f = image.header.flavour;
    let obs = |outcome, detail: String| Observed { outcome, detail };
    if (f.is_64bit() && !t.cpu64) || (f.is_little_endian() && !t.true_le) {
        return obs(
            Outcome::Unrestorable,
            format!("{} cannot run a {} process", target.name, f.name()),
        );
    }
    let cpu = &image.cpu;
    let missing = [
        (
            RecordKind::Fpr,
            t.has_fpu(),
            "FP unavailable interrupt (0x800)",
        ),
        (
            RecordKind::Vmx,
            t.has_vmx(),
            "Altivec unavailable interrupt (0xf20)",
        ),
        (
            RecordKind::Vsx,
            t.has_vsx(),
            "VSX unavailable interrupt (0xf40)",
        ),
        (RecordKind::Spe, t.has_spe(), "illegal instruction (evaddw)"),
    ];
    for (kind, has, why) in missing {
        if cpu.has(kind) && !has {
            return obs(Outcome::Crash, why.into());
        }
    }
    if cpu.has(RecordKind::Dabr) && t.debug.dabr == 0 && t.debug.dawr == 0 {
        return obs(
            Outcome::Wrong,
            "watchpoint lost: hit count 0, expected 3".into(),
        );
    }
    if cpu.has(RecordKind::Dawr) && t.debug.dawr == 0 {
        return obs(Outcome::Unrestorable, "no DAWR to arm".into());
    }
    if cpu.has(RecordKind::BookeDebug) && t.debug.iac == 0 {
        return obs(Outcome::Unrestorable, "no IAC/DAC registers".into());
    }
    let w = source.workload.name;
    if w == "efp-double" && !t.hwcap.contains(Hwcap::HAS_EFP_DOUBLE) {
        return obs(Outcome::Crash, "illegal instruction (efdadd)".into());
    }
    if w == "isa300" && !t.hwcap2.contains(Hwcap2::ARCH_3_00) {
        return obs(Outcome::Crash, "illegal instruction (ISA 3.0)".into());
    }
    if w == "isa31" && !t.hwcap2.contains(Hwcap2::ARCH_3_1) {
        return obs(
            Outcome::Crash,
            "illegal instruction (ISA 3.1 prefixed)".into(),
        );
    }
    if w == "dispatch" {
        // The path chosen from the source's hwcaps must exist on the target.
        let s = &source.model.caps;
        let lacks = (s.has_vsx() && !t.has_vsx())
            || (s.has_vmx() && !t.has_vmx())
            || (s.has_fpu() && !t.has_fpu());
        if lacks {
            return obs(
                Outcome::Crash,
                "facility unavailable on the dispatched path".into(),
            );
        }
    }
    if (w, target.name) == ERRATUM && source.model.name != target.name {
        return obs(
            Outcome::Wrong,
            "checksum 0x5a17 != reference 0x5a1f (VSCR[NJ] lost)".into(),
        );
    }
    obs(Outcome::Ok, "done, checksum matches the reference".into())
}

/// Runs the fake in-process on `selection` (restricted to `shard`) and
/// returns the matrix, for tests of the reports, merge and diff.
pub fn fake_matrix(selection: super::Selection, shard: Option<super::Shard>) -> super::Matrix {
    use super::run::{run, Event, RunOptions, Sink};
    use std::sync::Arc;
    struct Collect(Vec<super::PairResult>);
    impl Sink for Collect {
        fn event(&mut self, e: &Event) -> std::io::Result<()> {
            if let Event::Finished(p) = e {
                self.0.push((**p).clone());
            }
            Ok(())
        }
    }
    let plan = Arc::new(selection.plan().expect("a valid selection"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut collect = Collect(Vec::new());
    let options = RunOptions {
        jobs: 4,
        deadline: Duration::from_secs(20),
        retries: 2,
    };
    rt.block_on(run(
        Arc::new(FakeSimulator::new()),
        plan.clone(),
        shard,
        Arc::new(Default::default()),
        options,
        &mut [&mut collect],
    ))
    .expect("the fake run finishes");
    super::Matrix::build(selection, &plan, shard, collect.0)
}

/// The selection of [`small_matrix`]: a few rows and targets that give
/// every class (hwcap `unsafe` by the erratum, `error` by [`ALWAYS_ERROR`]).
pub fn small_selection() -> super::Selection {
    let v = |s: &[&str]| s.iter().map(|s| s.to_string()).collect();
    super::Selection {
        sources: v(&["7400", "e500mc", "power9"]),
        targets: v(&["440epb", "e6500", "power8", "power9"]),
        workloads: v(&["int", "fp", "vmx", "isa300", "dispatch"]),
        policies: Vec::new(),
    }
    .canonical()
    .expect("a valid selection")
}

/// The fake's matrix of [`small_selection`].
pub fn small_matrix() -> super::Matrix {
    fake_matrix(small_selection(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ppcr_core::class::Class;
    use ppcr_core::policy::Policy;

    #[test]
    fn the_small_matrix_has_every_class() {
        let m = small_matrix();
        assert!(m.complete, "{:?}", m.missing);
        for class in Class::ALL {
            assert!(
                m.policies.iter().any(|&p| m.count(p, class) > 0),
                "no {class} cell"
            );
        }
        assert!(m.count(Policy::Hwcap, Class::Unsafe) > 0);
        assert!(m.count(Policy::Records, Class::Unsafe) > 0);
        let err = m.pairs.iter().find(|p| p.name == ALWAYS_ERROR).unwrap();
        assert_eq!(err.outcome, None);
        assert_eq!(err.attempts, 3);
        assert!(err.detail.contains("attempt 3"), "{}", err.detail);
        assert!(err
            .cells
            .iter()
            .all(|c| c.class == Class::Error && c.accepted.is_some()));
    }
}
