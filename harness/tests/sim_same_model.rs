//! Same-model restores (real QEMU): every workload, checkpointed on a model
//! of each family and flavour and restored on the same model, is `ok`, both
//! forced and under the recommended policy. QEMU missing is a failure.

use ppcr::sim::{checkpoint, restore, Mode, RestoreOptions};
use ppcr_core::class::Outcome;
use ppcr_core::format::Flavour::{self, Ppc32, Ppc64, Ppc64le};
use ppcr_core::policy::Policy;

async fn same_model(cells: &[(&str, Flavour, &str)]) {
    let mut failures = Vec::new();
    for &(model, flavour, workload) in cells {
        let c = checkpoint(model, flavour, workload)
            .await
            .unwrap_or_else(|e| panic!("checkpoint {workload} on {model} {flavour:?}: {e}"));
        assert_eq!(c.image.header.workload, workload);
        let forced = RestoreOptions {
            mode: Mode::Forced,
            ..RestoreOptions::default()
        };
        let r = restore(&c.image, model, &forced)
            .await
            .unwrap_or_else(|e| panic!("restore {workload} on {model} {flavour:?}: {e}"));
        if r.outcome != Some(Outcome::Ok) {
            failures.push(format!(
                "{workload} {model} {flavour:?} forced: {:?} {}",
                r.outcome, r.detail
            ));
        }
        assert_eq!(r.reference, Some(c.reference));
    }
    // One policy restore per group: accepted and ok.
    let &(model, flavour, workload) = cells.first().expect("cells");
    let c = checkpoint(model, flavour, workload).await.unwrap();
    let r = restore(
        &c.image,
        model,
        &RestoreOptions {
            mode: Mode::Policy(Policy::Hwcap),
            ..RestoreOptions::default()
        },
    )
    .await
    .unwrap();
    assert!(r.verdict.as_ref().unwrap().accepted());
    if r.outcome != Some(Outcome::Ok) {
        failures.push(format!(
            "{workload} {model} hwcap: {:?} {}",
            r.outcome, r.detail
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn book3s64_ppc64() {
    same_model(&[
        ("power9", Ppc64, "int"),
        ("power9", Ppc64, "fp"),
        ("970", Ppc64, "vmx"),
        ("power9", Ppc64, "vsx"),
        ("power7", Ppc64, "vsx"),
        ("power9", Ppc64, "mix"),
        ("970", Ppc64, "dabr"),
        ("power8", Ppc64, "dawr"),
        ("power9", Ppc64, "isa300"),
        ("power10", Ppc64, "isa31"),
        ("power9", Ppc64, "dispatch"),
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn book3s64_ppc64le() {
    same_model(&[
        ("power9", Ppc64le, "int"),
        ("power9", Ppc64le, "fp"),
        ("power9", Ppc64le, "vmx"),
        ("power7", Ppc64le, "vsx"),
        ("power9", Ppc64le, "vsx"),
        ("power10", Ppc64le, "mix"),
        ("power7", Ppc64le, "dabr"),
        ("power9", Ppc64le, "dawr"),
        ("power9", Ppc64le, "isa300"),
        ("power10", Ppc64le, "isa31"),
        ("power9", Ppc64le, "dispatch"),
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn book3s64_ppc32() {
    same_model(&[
        ("power9", Ppc32, "int"),
        ("power9", Ppc32, "fp"),
        ("970", Ppc32, "vmx"),
        ("power5+", Ppc32, "dabr"),
        ("power10", Ppc32, "dawr"),
        ("power9", Ppc32, "isa300"),
        ("power10", Ppc32, "isa31"),
        ("power9", Ppc32, "dispatch"),
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn book3s32() {
    same_model(&[
        ("750", Ppc32, "int"),
        ("750", Ppc32, "fp"),
        ("7400", Ppc32, "vmx"),
        ("750", Ppc32, "dabr"),
        ("7400", Ppc32, "dabr"),
        ("e300c3", Ppc32, "fp"),
        ("7400", Ppc32, "dispatch"),
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booke_ppc32() {
    same_model(&[
        ("e500v2", Ppc32, "int"),
        ("e500mc", Ppc32, "fp"),
        ("e6500", Ppc32, "vmx"),
        ("e500v1", Ppc32, "spe"),
        ("e500v2", Ppc32, "spe"),
        ("e500v2", Ppc32, "efp-double"),
        ("e500v2", Ppc32, "booke-debug"),
        ("e500mc", Ppc32, "booke-debug"),
        ("e500v2", Ppc32, "dispatch"),
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn booke_ppc64() {
    same_model(&[
        ("e5500", Ppc64, "int"),
        ("e5500", Ppc64, "fp"),
        ("e6500", Ppc64, "vmx"),
        ("e6500", Ppc64, "booke-debug"),
        ("e5500", Ppc64, "booke-debug"),
        ("e6500", Ppc64, "dispatch"),
    ])
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ppc440() {
    same_model(&[
        ("440epb", Ppc32, "int"),
        ("440epb", Ppc32, "fp"),
        ("440epb", Ppc32, "booke-debug"),
        ("440epb", Ppc32, "dispatch"),
    ])
    .await;
}
