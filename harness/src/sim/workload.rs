//! The workload table: what each workload in `harness/guest/workloads`
//! uses, for which flavours it is built, and on which models it makes sense
//! (docs/WORKLOADS.md).

use ppcr_core::cpu::{CpuModel, Hwcap, Hwcap2};
use ppcr_core::format::{Flavour, RecordKind};

use super::SimError;
use crate::guest::{payload::flavour_name, Payload};

/// One workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Workload {
    /// Name (as in images and on the command line).
    pub name: &'static str,
    /// Flavours it is built for.
    pub flavours: &'static [Flavour],
    /// The optional records the process uses (main is always there).
    pub records: &'static [RecordKind],
    /// Source models it is meant for (the tests' and docs' table).
    pub models: &'static [&'static str],
    /// What it exercises.
    pub about: &'static str,
}

/// Start of the checkpointed data segment.
pub const DATA_BASE: u64 = crate::guest::mailbox::DATA_BASE;
/// Length of the checkpointed data segment (every workload stays below).
pub const DATA_LEN: usize = 0x1000;
/// The checkpoint label (harness breakpoint).
pub const CKPT_SYMBOL: &str = "ppcr_ckpt";
/// The restore service that arms DAWR0 through H_SET_MODE (pseries).
pub const SVC_SET_DAWR: &str = "ppcr_svc_set_dawr";
/// Where that service stops.
pub const SVC_DONE: &str = "ppcr_svc_done";

const ALL: &[Flavour] = &[Flavour::Ppc32, Flavour::Ppc64, Flavour::Ppc64le];
const BE: &[Flavour] = &[Flavour::Ppc32, Flavour::Ppc64];
const P64: &[Flavour] = &[Flavour::Ppc64, Flavour::Ppc64le];
const P32: &[Flavour] = &[Flavour::Ppc32];

use RecordKind as R;

/// Every workload.
pub static WORKLOADS: &[Workload] = &[
    Workload {
        name: "int",
        flavours: ALL,
        records: &[],
        models: &["power9", "750", "e500v2", "440epb", "e5500"],
        about: "GPRs, CR, CTR, LR, XER",
    },
    Workload {
        name: "fp",
        flavours: ALL,
        records: &[R::Fpr],
        models: &["power9", "750", "e500mc", "440epb", "e5500"],
        about: "f0-f31 and FPSCR[RN], fadd after the checkpoint",
    },
    Workload {
        name: "vmx",
        flavours: ALL,
        records: &[R::Vmx],
        models: &["970", "power9", "7400", "e6500"],
        about: "v0-v31, VSCR[NJ], VRSAVE, vadduwm after the checkpoint",
    },
    Workload {
        name: "vsx",
        flavours: P64,
        records: &[R::Fpr, R::Vsx],
        models: &["power7", "power9"],
        about: "VSR0-31 (both doublewords), xxlxor/xxpermdi after the checkpoint",
    },
    Workload {
        name: "mix",
        flavours: P64,
        records: &[R::Fpr, R::Vmx, R::Vsx],
        models: &["power9", "power10"],
        about: "FP + VMX + VSX at once (all 64 VSRs)",
    },
    Workload {
        name: "spe",
        flavours: P32,
        records: &[R::Spe],
        models: &["e500v1", "e500v2"],
        about: "GPR upper halves, ACC, SPEFSCR; evaddw/evmwumiaa after the checkpoint",
    },
    Workload {
        name: "efp-double",
        flavours: P32,
        records: &[R::Spe],
        models: &["e500v2"],
        about: "double-precision embedded FP in 64-bit GPRs (e500v2 only)",
    },
    Workload {
        name: "dabr",
        flavours: ALL,
        records: &[R::Dabr],
        models: &["970", "power7", "750", "7400"],
        about: "DABR write watch (never fires under TCG: verified by read-back)",
    },
    Workload {
        name: "dawr",
        flavours: ALL,
        records: &[R::Dawr],
        models: &["power8", "power9", "power10"],
        about: "DAWR0 write watch armed by H_SET_MODE; hits counted into the checksum",
    },
    Workload {
        name: "booke-debug",
        flavours: BE,
        records: &[R::BookeDebug],
        models: &["e500v2", "e500mc", "440epb", "e5500", "e6500"],
        about: "IAC1, DAC1, DBCR0 (never fire under TCG: verified by read-back)",
    },
    Workload {
        name: "isa300",
        flavours: ALL,
        records: &[],
        models: &["power9", "power10"],
        about: "ISA 3.0 instructions after the checkpoint",
    },
    Workload {
        name: "isa31",
        flavours: ALL,
        records: &[],
        models: &["power10"],
        about: "ISA 3.1 instructions after the checkpoint",
    },
    Workload {
        name: "dispatch",
        flavours: ALL,
        records: &[],
        models: &["power9", "970", "power5+", "e500v2", "750"],
        about: "chooses a VSX/VMX/FP/integer path from MB_HWCAP before the checkpoint",
    },
];

impl Workload {
    /// Capabilities a source needs beyond the workload's records: the
    /// instructions it executes that no record betrays.
    pub fn needs(&self) -> (Hwcap, Hwcap2) {
        match self.name {
            "efp-double" => (Hwcap::HAS_EFP_DOUBLE, Hwcap2::empty()),
            "isa300" => (Hwcap::empty(), Hwcap2::ARCH_3_00),
            "isa31" => (Hwcap::empty(), Hwcap2::ARCH_3_1),
            _ => (Hwcap::empty(), Hwcap2::empty()),
        }
    }

    /// Why `model` cannot run this workload as a `flavour` process, if it
    /// cannot: the one rule the scenarios and the matrix both use.
    pub fn unrunnable(&self, model: &'static CpuModel, flavour: Flavour) -> Option<String> {
        if !model.runs(flavour) {
            return Some(format!(
                "{} does not run {} processes",
                model.name,
                flavour.name()
            ));
        }
        if !self.runs(flavour) {
            let built: Vec<_> = self.flavours.iter().map(|f| f.name()).collect();
            return Some(format!("it is built for {} only", built.join(", ")));
        }
        for &r in self.records {
            match ppcr_core::synth::producible(model, r) {
                Ok(()) => {}
                Err(ppcr_core::synth::SynthError::RecordNotProducible { why, .. }) => {
                    return Some(why.to_string())
                }
                Err(e) => return Some(e.to_string()),
            }
        }
        let (hwcap, hwcap2) = self.needs();
        let missing1 = hwcap.difference(model.caps.hwcap);
        let missing2 = hwcap2.difference(model.caps.hwcap2);
        if !missing1.is_empty() || !missing2.is_empty() {
            let names: Vec<String> = missing1
                .iter_names()
                .map(|(n, _)| n.to_string())
                .chain(missing2.iter_names().map(|(n, _)| n.to_string()))
                .collect();
            return Some(format!("no {} (AT_HWCAP/AT_HWCAP2)", names.join(", ")));
        }
        None
    }

    /// Whether a process of `model` and `flavour` can run it.
    pub fn applies(&self, model: &'static CpuModel, flavour: Flavour) -> bool {
        self.unrunnable(model, flavour).is_none()
    }

    /// Every workload.
    pub fn all() -> &'static [Workload] {
        WORKLOADS
    }

    /// The workload called `name`.
    pub fn get(name: &str) -> Result<&'static Workload, SimError> {
        WORKLOADS.iter().find(|w| w.name == name).ok_or_else(|| {
            SimError::Workload(format!(
                "unknown workload {name:?} (known: {})",
                WORKLOADS
                    .iter()
                    .map(|w| w.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
    }

    /// Whether it is built for `flavour`.
    pub fn runs(&self, flavour: Flavour) -> bool {
        self.flavours.contains(&flavour)
    }

    /// The payload name for a flavour (`wl_efp_double_ppc32`).
    pub fn payload_name(&self, flavour: Flavour) -> String {
        format!(
            "wl_{}_{}",
            self.name.replace('-', "_"),
            flavour_name(flavour)
        )
    }

    /// The built payload for a flavour.
    pub fn payload(&self, flavour: Flavour) -> Result<&'static Payload, SimError> {
        if !self.runs(flavour) {
            return Err(SimError::Workload(format!(
                "workload {} is not built for {} (flavours: {})",
                self.name,
                flavour_name(flavour),
                self.flavours
                    .iter()
                    .map(|&f| flavour_name(f))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(Payload::require(&self.payload_name(flavour))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_workload_is_built_with_its_labels() {
        for w in Workload::all() {
            for &f in w.flavours {
                let p = w.payload(f).unwrap();
                assert_eq!(p.symbol("_start"), Some(0x50_0000), "{}", p.name);
                for s in [CKPT_SYMBOL, SVC_SET_DAWR, SVC_DONE] {
                    assert!(p.symbol(s).is_some(), "{} lacks {s}", p.name);
                }
                assert!(p.bin.is_some());
            }
        }
        assert!(Workload::get("vsx")
            .unwrap()
            .payload(Flavour::Ppc32)
            .is_err());
        assert!(Workload::get("nope").is_err());
    }

    #[test]
    fn models_of_the_table_run_a_flavour_of_the_workload() {
        for w in Workload::all() {
            for m in w.models {
                let model = ppcr_core::cpu::lookup(m).unwrap();
                assert!(w.flavours.iter().any(|&f| model.runs(f)), "{} {m}", w.name);
            }
        }
    }
}
