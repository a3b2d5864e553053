//! QEMU command lines per family, model and flavour (docs/GUEST.md
//! "Booting"). Pure: builds arguments and the files they name; `boot.rs`
//! runs them through `ppcr-qemu`.

use ppcr_core::cpu::{CpuModel, Family, QemuSystem};
use ppcr_core::format::Flavour;
use std::path::Path;

use super::mailbox::USER_BASE;
use super::payload::{flavour_name, Payload};
use super::GuestError;

/// Models the guest layer boots that the catalogue does not list (yet),
/// with the catalogue model whose capability set they share.
/// 970MP: same facilities as the 970 (QEMU POWERPC_FAMILY(970MP) has the
/// 970's insns flags; Linux cpu_specs_book3s_64.h PPC970MP = PPC970 hwcaps).
const EXTRA_MODELS: &[(&str, &str, &str)] = &[("970mp", "970", "970mp")];

/// A CPU model and flavour to boot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GuestSpec {
    /// The catalogue entry (facts, family, machine, QEMU binary).
    pub model: &'static CpuModel,
    /// The name the caller asked for.
    pub name: &'static str,
    /// The `-cpu` value.
    pub qemu_cpu: &'static str,
    /// Process flavour.
    pub flavour: Flavour,
}

impl GuestSpec {
    /// Resolves a model name (catalogue names, QEMU names and aliases) and
    /// checks the model runs `flavour`.
    pub fn resolve(name: &str, flavour: Flavour) -> Result<GuestSpec, GuestError> {
        let (model, name, qemu_cpu) = match ppcr_core::cpu::resolve(name) {
            Ok(r) => (r.model, r.model.name, r.variant.qemu_name),
            Err(unknown) => {
                let wanted = name.trim().to_ascii_lowercase();
                let extra = EXTRA_MODELS.iter().find(|(n, _, _)| *n == wanted);
                match extra {
                    Some(&(n, base, cpu)) => {
                        let model = ppcr_core::cpu::lookup(base)
                            .map_err(|e| GuestError::Model(e.to_string()))?;
                        (model, n, cpu)
                    }
                    None => return Err(GuestError::Model(unknown.to_string())),
                }
            }
        };
        if !model.runs(flavour) {
            return Err(GuestError::Model(format!(
                "{name} does not run {} processes (it runs {})",
                flavour_name(flavour),
                model
                    .flavours
                    .iter()
                    .map(|&f| flavour_name(f))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        Ok(GuestSpec {
            model,
            name,
            qemu_cpu,
            flavour,
        })
    }

    /// The family (decides the payload).
    pub fn family(&self) -> Family {
        self.model.family
    }

    /// `qemu-system-ppc` or `qemu-system-ppc64`.
    pub fn system(&self) -> QemuSystem {
        self.model.qemu
    }
}

/// How the boot part reaches the machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Firmware {
    /// `-bios` with the raw image (pseries: loaded at 0, entered at 0x100).
    BiosRaw,
    /// `-bios` with the ELF (mac99/g3beige: placed by its load addresses in
    /// the ROM at 0xfff00000; g3beige puts a raw image at 0xffc00000, where
    /// the reset vector would miss it).
    BiosElf,
    /// `-kernel` with the ELF (ppce500, bamboo: no firmware).
    Kernel,
}

/// Everything needed to start one guest: QEMU binary, arguments, files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaunchPlan {
    /// Which model and flavour.
    pub spec: GuestSpec,
    /// The boot part.
    pub boot: &'static Payload,
    /// The user part loaded at [`USER_BASE`], if any.
    pub user: Option<&'static Payload>,
    /// How the boot part is handed to QEMU.
    pub firmware: Firmware,
    /// `-M` value.
    pub machine: String,
    /// `-m` value.
    pub memory: &'static str,
    /// Start paused (`-S`) so breakpoints go in before the first instruction.
    pub paused: bool,
}

/// File name of the boot part inside the run directory.
pub const BOOT_FILE: &str = "boot.img";
/// File name of the user part inside the run directory.
pub const USER_FILE: &str = "user.bin";

impl LaunchPlan {
    /// The plan for `spec`, with an optional user part.
    pub fn new(spec: GuestSpec, user: Option<&'static Payload>) -> Result<LaunchPlan, GuestError> {
        let boot = Payload::boot_part(spec.family(), spec.flavour)?;
        let (firmware, machine, memory) = match spec.family() {
            Family::Book3s64 => {
                // TCG cannot provide the Spectre workarounds pseries asks for
                // by default (it warns); kvm-unit-tests turns them off too.
                let mut m = String::from(
                    "pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off",
                );
                // The second DAWR is advertised to a guest only with
                // cap-dawr1=on (Linux: pa-features byte 64). The probe sees
                // H_SET_MODE(DAWR1) fire on POWER10/11 either way.
                if spec.model.caps.debug.dawr >= 2 {
                    m.push_str(",cap-dawr1=on");
                }
                (Firmware::BiosRaw, m, "512M")
            }
            Family::Book3s32 => (Firmware::BiosElf, spec.model.machine.to_string(), "256M"),
            Family::BookE | Family::Ppc440 => {
                (Firmware::Kernel, spec.model.machine.to_string(), "256M")
            }
        };
        if let Some(u) = user {
            u.raw()?;
        }
        if firmware == Firmware::BiosRaw {
            boot.raw()?;
        }
        Ok(LaunchPlan {
            spec,
            boot,
            user,
            firmware,
            machine,
            memory,
            paused: true,
        })
    }

    /// The same plan on another machine of the model's family (mac99 and
    /// g3beige are interchangeable for Book3S-32; the other families have
    /// one machine each here, their machine options included).
    pub fn with_machine(mut self, machine: impl Into<String>) -> Result<LaunchPlan, GuestError> {
        let machine = machine.into();
        let name = machine.split(',').next().unwrap_or_default();
        let ok = match self.spec.family() {
            Family::Book3s32 => matches!(name, "mac99" | "g3beige"),
            Family::Book3s64 => name == "pseries",
            Family::BookE => matches!(name, "ppce500" | "mpc8544ds"),
            Family::Ppc440 => name == "bamboo",
        };
        if !ok {
            return Err(GuestError::Model(format!(
                "{} ({}) payloads do not boot on machine {machine:?}",
                self.spec.name,
                self.spec.family()
            )));
        }
        self.machine = machine;
        Ok(self)
    }

    /// The QEMU program (`qemu-system-ppc[64]`).
    pub fn program(&self) -> &'static str {
        self.spec.system().program()
    }

    /// Machine arguments with the payload files in `dir` (the options
    /// `ppcr-qemu` owns — monitor, serial, gdb, -nodefaults — are not here).
    pub fn args(&self, dir: &Path) -> Vec<String> {
        let boot = dir.join(BOOT_FILE).display().to_string();
        let mut a: Vec<String> = vec![
            "-M".into(),
            self.machine.clone(),
            "-cpu".into(),
            self.spec.qemu_cpu.into(),
            "-m".into(),
            self.memory.into(),
        ];
        match self.firmware {
            Firmware::BiosRaw | Firmware::BiosElf => a.extend(["-bios".into(), boot]),
            Firmware::Kernel => a.extend(["-kernel".into(), boot]),
        }
        if self.user.is_some() {
            let user = dir.join(USER_FILE).display().to_string();
            a.push("-device".into());
            a.push(format!(
                "loader,file={user},addr={USER_BASE:#x},force-raw=on"
            ));
        }
        if self.paused {
            a.push("-S".into());
        }
        a
    }

    /// The files [`LaunchPlan::args`] names, with their contents.
    pub fn files(&self) -> Vec<(&'static str, &'static [u8])> {
        let boot = match self.firmware {
            Firmware::BiosRaw => self.boot.bin.unwrap_or(self.boot.elf),
            Firmware::BiosElf | Firmware::Kernel => self.boot.elf,
        };
        let mut f = vec![(BOOT_FILE, boot)];
        if let Some(u) = self.user.and_then(|u| u.bin) {
            f.push((USER_FILE, u));
        }
        f
    }

    /// Writes [`LaunchPlan::files`] into `dir`.
    pub fn write_files(&self, dir: &Path) -> Result<(), GuestError> {
        for (name, bytes) in self.files() {
            std::fs::write(dir.join(name), bytes)?;
        }
        Ok(())
    }

    /// A shell-style command line for logs and bug reports (machine part
    /// only, files in `dir`).
    pub fn display(&self, dir: &Path) -> String {
        std::iter::once(self.program().to_string())
            .chain(self.args(dir))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pseries_uses_the_raw_bios_and_dawr1_cap_where_it_exists() {
        let spec = GuestSpec::resolve("power10", Flavour::Ppc64le).unwrap();
        let user = Payload::probe(spec.family(), spec.flavour).unwrap();
        let plan = LaunchPlan::new(spec, Some(user)).unwrap();
        let args = plan.display(Path::new("/r"));
        assert_eq!(
            args,
            "qemu-system-ppc64 -M pseries,cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,\
             cap-ccf-assist=off,cap-dawr1=on -cpu power10_v2.0 -m 512M -bios /r/boot.img \
             -device loader,file=/r/user.bin,addr=0x500000,force-raw=on -S"
        );
        assert_eq!(plan.boot.name, "book3s64_ppc64le");
        assert_eq!(plan.files()[0].1, plan.boot.bin.unwrap());
        let p9 =
            LaunchPlan::new(GuestSpec::resolve("power9", Flavour::Ppc32).unwrap(), None).unwrap();
        assert!(!p9.machine.contains("dawr1"));
        assert_eq!(p9.boot.name, "book3s64_ppc32");
    }

    #[test]
    fn mac_machines_get_the_elf_rom() {
        let spec = GuestSpec::resolve("750", Flavour::Ppc32).unwrap();
        let plan = LaunchPlan::new(spec, None).unwrap();
        assert_eq!(plan.program(), "qemu-system-ppc");
        assert_eq!(plan.firmware, Firmware::BiosElf);
        assert_eq!(plan.machine, "g3beige");
        assert_eq!(plan.files()[0].1, plan.boot.elf);
        let plan = plan.with_machine("mac99").unwrap();
        assert!(plan.display(Path::new("/r")).contains("-M mac99 -cpu 750"));
        let e = plan.with_machine("pseries").unwrap_err();
        assert!(e.to_string().contains("do not boot on machine"), "{e}");
    }

    #[test]
    fn models_and_flavours_are_checked() {
        assert_eq!(
            GuestSpec::resolve("970mp", Flavour::Ppc64)
                .unwrap()
                .qemu_cpu,
            "970mp"
        );
        let e = GuestSpec::resolve("970", Flavour::Ppc64le).unwrap_err();
        assert!(e.to_string().contains("does not run ppc64le"), "{e}");
        let e = GuestSpec::resolve("power99", Flavour::Ppc64).unwrap_err();
        assert!(e.to_string().contains("unknown CPU model"), "{e}");
    }
}
