//! Cross-model restores and outcome detection (real QEMU): the cells that
//! show what each outcome means, and that the checksums really depend on
//! the state the images carry.

use ppcr::sim::{checkpoint, restore, Mode, RestoreOptions, RestoreReport};
use ppcr_core::class::{Class, Outcome};
use ppcr_core::format::{Flavour, Image};
use ppcr_core::policy::Policy;
use std::time::Duration;

async fn ckpt(model: &str, flavour: Flavour, workload: &str) -> Image {
    checkpoint(model, flavour, workload)
        .await
        .unwrap_or_else(|e| panic!("checkpoint {workload} on {model}: {e}"))
        .image
}

async fn run(image: &Image, target: &str, mode: Mode) -> RestoreReport {
    restore(
        image,
        target,
        &RestoreOptions {
            mode,
            ..RestoreOptions::default()
        },
    )
    .await
    .unwrap_or_else(|e| panic!("restore on {target}: {e}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vsx_image_on_vmx_only_targets_is_unrestorable_or_crashes() {
    let image = ckpt("power9", Flavour::Ppc64, "vsx").await;
    for target in ["970", "e6500"] {
        let r = run(&image, target, Mode::Forced).await;
        assert!(
            matches!(r.outcome, Some(Outcome::Crash | Outcome::Unrestorable)),
            "{target}: {r:?}"
        );
        // and every policy refuses it
        let r = run(&image, target, Mode::Policy(Policy::Records)).await;
        assert_eq!(r.outcome, None, "{target}: {r:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isa300_from_power9_crashes_on_power8() {
    let image = ckpt("power9", Flavour::Ppc64, "isa300").await;
    let r = run(&image, "power8", Mode::Forced).await;
    assert_eq!(r.outcome, Some(Outcome::Crash), "{r:?}");
    let crash = r.crash.unwrap();
    assert_eq!(crash.vector, 0x700, "{r:?}");
    assert!(crash.address > image.cpu.main.nip, "{r:?}");
    // records accepts it (main only): unsafe; hwcap refuses (ARCH_3_00).
    let rec = run(&image, "power8", Mode::Policy(Policy::Records)).await;
    assert!(rec.verdict.as_ref().unwrap().accepted());
    assert_eq!(Class::of(true, rec.outcome), Class::Unsafe);
    let hw = run(&image, "power8", Mode::Policy(Policy::Hwcap)).await;
    assert!(!hw.verdict.unwrap().accepted());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_from_power9_is_unsafe_on_970_under_records() {
    let image = ckpt("power9", Flavour::Ppc64, "dispatch").await;
    assert_eq!(
        image.cpu.records().len(),
        1,
        "only main: no record betrays the path"
    );
    let rec = run(&image, "970", Mode::Policy(Policy::Records)).await;
    assert!(rec.verdict.as_ref().unwrap().accepted(), "{rec:?}");
    assert_eq!(rec.outcome, Some(Outcome::Crash), "{rec:?}");
    assert_eq!(Class::of(true, rec.outcome), Class::Unsafe);
    let hw = run(&image, "970", Mode::Policy(Policy::Hwcap)).await;
    assert!(!hw.verdict.as_ref().unwrap().accepted(), "{hw:?}");
    assert!(
        hw.detail.contains("VSX") || hw.detail.to_lowercase().contains("vsx"),
        "{hw:?}"
    );
    // the same image on a VSX target is fine under every policy but strict
    let ok = run(&image, "power10", Mode::Policy(Policy::Hwcap)).await;
    assert_eq!(ok.outcome, Some(Outcome::Ok), "{ok:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lost_state_is_wrong() {
    // Each image with its facility state zeroed, restored on its own model.
    let mut fp = ckpt("power9", Flavour::Ppc64, "fp").await;
    fp.cpu.fpr.as_mut().unwrap().fpr = [0; 32];
    let mut vmx = ckpt("power9", Flavour::Ppc64le, "vmx").await;
    vmx.cpu.vmx.as_mut().unwrap().vr[7] = 0;
    let mut vsx = ckpt("power9", Flavour::Ppc64, "vsx").await;
    vsx.cpu.vsx.as_mut().unwrap().vsr_low = [0; 32];
    let mut spe = ckpt("e500v2", Flavour::Ppc32, "spe").await;
    spe.cpu.spe.as_mut().unwrap().evr[20] ^= 1;
    let mut int = ckpt("e5500", Flavour::Ppc64, "int").await;
    int.cpu.main.gpr[14] ^= 0x100;
    let mut dawr = ckpt("power9", Flavour::Ppc64, "dawr").await;
    dawr.cpu.dawr = None; // the watch is not re-armed: fewer hits
    let cells = [
        (fp, "power9"),
        (vmx, "power9"),
        (vsx, "power9"),
        (spe, "e500v2"),
        (int, "e5500"),
        (dawr, "power9"),
    ];
    for (image, target) in cells {
        let r = run(&image, target, Mode::Forced).await;
        assert_eq!(
            r.outcome,
            Some(Outcome::Wrong),
            "{}: {r:?}",
            image.header.workload
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_records_convert_or_are_unrestorable() {
    // DABR (970) -> DAWR (power9): records converts it, the restore arms
    // DAWR0 through H_SET_MODE and reads it back.
    let dabr = ckpt("970", Flavour::Ppc64, "dabr").await;
    let r = run(&dabr, "power9", Mode::Policy(Policy::Records)).await;
    assert_eq!(r.outcome, Some(Outcome::Ok), "{r:?}");
    assert_eq!(r.conversions.len(), 1, "{r:?}");
    // DAWR with WTI has no DABR form: power7 cannot hold it.
    let dawr = ckpt("power9", Flavour::Ppc64, "dawr").await;
    let r = run(&dawr, "power7", Mode::Forced).await;
    assert_eq!(r.outcome, Some(Outcome::Unrestorable), "{r:?}");
    // Two DAWRs in use (POWER10) need two: power9 refuses, and lacks dawr1.
    let two = ckpt("power10", Flavour::Ppc64le, "dawr").await;
    assert_eq!(two.cpu.dawr.unwrap().count, 2);
    let r = run(&two, "power9", Mode::Policy(Policy::Records)).await;
    assert_eq!(r.outcome, None, "{r:?}");
    let r = run(&two, "power9", Mode::Forced).await;
    assert_eq!(r.outcome, Some(Outcome::Unrestorable), "{r:?}");
    assert!(r.detail.contains("dawr1"), "{r:?}");
    let r = run(&two, "power11", Mode::Policy(Policy::Hwcap)).await;
    assert_eq!(r.outcome, Some(Outcome::Ok), "{r:?}");
    // A one-slot image on POWER10: DAWR1 stays unarmed, as on the source.
    let r = run(&dawr, "power10", Mode::Forced).await;
    assert_eq!(r.outcome, Some(Outcome::Ok), "{r:?}");
    // Book E debug moves between Book E models.
    let bd = ckpt("e500v2", Flavour::Ppc32, "booke-debug").await;
    let r = run(&bd, "440epb", Mode::Policy(Policy::Records)).await;
    assert_eq!(r.outcome, Some(Outcome::Ok), "{r:?}");
    // IAC3 in use (440) needs four IACs: e500 refuses, and cannot hold it.
    let bd = ckpt("440epb", Flavour::Ppc32, "booke-debug").await;
    assert_eq!(bd.cpu.booke_debug.unwrap().iac_used, 0b101);
    let r = run(&bd, "e500mc", Mode::Policy(Policy::Records)).await;
    assert_eq!(r.outcome, None, "{r:?}");
    let r = run(&bd, "e500mc", Mode::Forced).await;
    assert_eq!(r.outcome, Some(Outcome::Unrestorable), "{r:?}");
    assert!(r.detail.contains("iac3"), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn efp_double_crashes_on_e500v1_and_fp_needs_an_fpu() {
    let image = ckpt("e500v2", Flavour::Ppc32, "efp-double").await;
    let r = run(&image, "e500v1", Mode::Forced).await;
    assert_eq!(r.outcome, Some(Outcome::Crash), "{r:?}");
    assert_eq!(r.crash.unwrap().vector, 0x1006, "{r:?}");
    let fp = ckpt("440epb", Flavour::Ppc32, "fp").await;
    let r = run(&fp, "e500v2", Mode::Forced).await;
    assert_eq!(r.outcome, Some(Outcome::Unrestorable), "{r:?}");
    let r = run(&fp, "750", Mode::Policy(Policy::Records)).await;
    assert_eq!(r.outcome, Some(Outcome::Ok), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spinning_process_hangs() {
    let mut image = ckpt("power9", Flavour::Ppc64, "int").await;
    let spin = ppcr::guest::Payload::require("wl_int_ppc64")
        .unwrap()
        .symbol("ppcr_wl_spin")
        .unwrap();
    image.cpu.main.nip = spin;
    let r = restore(
        &image,
        "power9",
        &RestoreOptions {
            mode: Mode::Forced,
            timeout: Duration::from_millis(500),
            machine: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(r.outcome, Some(Outcome::Hang), "{r:?}");
}

/// Register values are numbers (FORMAT §1): vr0 as loaded by lvx, f0 by
/// lfd/lxvd2x and the VSX low doubleword match the data memory in the
/// flavour's byte order.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_are_normalised_to_numbers() {
    for flavour in [Flavour::Ppc64, Flavour::Ppc64le] {
        let le = flavour == Flavour::Ppc64le;
        let img = ckpt("power9", flavour, "mix").await;
        let data = &img.segments[1].data;
        assert_eq!(img.segments[1].addr, 0x60_0000);
        let q = |off: usize| -> u128 {
            let b: [u8; 16] = data[off..off + 16].try_into().unwrap();
            if le {
                u128::from_le_bytes(b)
            } else {
                u128::from_be_bytes(b)
            }
        };
        let d = |off: usize| -> u64 {
            let b: [u8; 8] = data[off..off + 8].try_into().unwrap();
            if le {
                u64::from_le_bytes(b)
            } else {
                u64::from_be_bytes(b)
            }
        };
        // mix: VSR n from data + n*16 (lxvd2x), VR n from data + 0x200 + n*16 (lvx)
        let vmx = img.cpu.vmx.as_ref().unwrap();
        assert_eq!(vmx.vr[0], q(0x200), "{flavour:?} vr0");
        assert_eq!(vmx.vr[31], q(0x200 + 31 * 16), "{flavour:?} vr31");
        assert_eq!(
            img.cpu.fpr.as_ref().unwrap().fpr[3],
            d(3 * 16),
            "{flavour:?} f3"
        );
        assert_eq!(
            img.cpu.vsx.as_ref().unwrap().vsr_low[3],
            d(3 * 16 + 8),
            "{flavour:?} vs3h"
        );
    }
}

/// A hwcap override is what the process observed: the header says so, and
/// dispatch then takes the FP path on power9 (main record only, ok on a
/// 750 under every policy's records check).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hwcap_override_is_recorded_and_steers_dispatch() {
    use ppcr::sim::{checkpoint_with, CheckpointOptions};
    let fpu_only = 0x0800_0000u64 | 0x8000_0000 | 0x0400_0000; // HAS_FPU | PPC32 | HAS_MMU
    let c = checkpoint_with(
        "power9",
        Flavour::Ppc32,
        "dispatch",
        &CheckpointOptions {
            hwcap: Some(fpu_only),
            ..CheckpointOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(u64::from(c.image.header.source.caps.hwcap), fpu_only);
    assert_eq!(c.image.header.source.caps.hwcap2, 0);
    let r = run(&c.image, "750", Mode::Policy(Policy::Hwcap)).await;
    assert_eq!(r.outcome, Some(Outcome::Ok), "{r:?}");
    assert_eq!(r.reference, Some(c.reference));
}
