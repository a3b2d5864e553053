//! The CPU-model catalogue: every model ppcr boots, with its machine,
//! flavours and capability set, each fact with its source.
//!
//! AT_HWCAP/AT_HWCAP2 are what a Linux kernel shows a process on that CPU
//! under QEMU 10.0 TCG (Linux `cpu_specs_*.h`, plus the bits the device
//! tree adds at boot for POWER7+; no HTM because pseries `cap-htm` is off
//! under TCG). Instruction-set facts are checked against the emulator by
//! the probe payload (`ppcr cpus --probe`).

use super::caps::{debug, CapabilitySet};
use super::hwcap::{Hwcap as H, Hwcap2 as H2};
use super::model::{CpuModel, Family, QemuSystem, Source, Variant};
use crate::format::Flavour;

const fn h(bits: u32) -> H {
    H::from_bits_retain(bits)
}
const fn h2(bits: u32) -> H2 {
    H2::from_bits_retain(bits)
}

// Linux's shorthand for 32-bit and 64-bit server CPUs (cputable.h).
const COMMON_32: u32 = H::PPC32.bits() | H::HAS_MMU.bits();
const COMMON_64: u32 = H::PPC32.bits() | H::PPC64.bits() | H::HAS_MMU.bits() | H::HAS_FPU.bits();
// POWER7 and later: COMMON_64 | ARCH_2_06 | SMT | ICACHE_SNOOP | TRUE_LE |
// PSERIES_PERFMON_COMPAT, plus ALTIVEC | VSX | DFP from the device tree
// (ibm,vmx = 2, ibm,dfp = 1; arch/powerpc/kernel/prom.c feature_properties).
const POWER7_HWCAP: u32 = COMMON_64
    | H::ARCH_2_06.bits()
    | H::SMT.bits()
    | H::ICACHE_SNOOP.bits()
    | H::TRUE_LE.bits()
    | H::PSERIES_PERFMON_COMPAT.bits()
    | H::HAS_ALTIVEC.bits()
    | H::HAS_VSX.bits()
    | H::HAS_DFP.bits();
// POWER8: ARCH_2_07 | DSCR | ISEL | TAR | VEC_CRYPTO, EBB from the PMU driver.
const POWER8_HWCAP2: u32 = H2::ARCH_2_07.bits()
    | H2::DSCR.bits()
    | H2::ISEL.bits()
    | H2::TAR.bits()
    | H2::VEC_CRYPTO.bits()
    | H2::EBB.bits();
const POWER9_HWCAP2: u32 = POWER8_HWCAP2
    | H2::ARCH_3_00.bits()
    | H2::HAS_IEEE128.bits()
    | H2::DARN.bits()
    | H2::SCV.bits();
const POWER10_HWCAP2: u32 = POWER9_HWCAP2 | H2::ARCH_3_1.bits() | H2::MMA.bits();

const ONLY_32: &[Flavour] = &[Flavour::Ppc32];
const BE_32_64: &[Flavour] = &[Flavour::Ppc32, Flavour::Ppc64];
const ALL_FLAVOURS: &[Flavour] = &[Flavour::Ppc32, Flavour::Ppc64, Flavour::Ppc64le];

const fn caps(hwcap: u32, hwcap2: u32, cpu64: bool, true_le: bool, dbg: [u8; 5]) -> CapabilitySet {
    CapabilitySet {
        hwcap: h(hwcap),
        hwcap2: h2(hwcap2),
        cpu64,
        true_le,
        debug: debug(dbg[0], dbg[1], dbg[2], dbg[3], dbg[4]),
    }
}

const fn v(qemu_name: &'static str, pvr: u32) -> Variant {
    Variant { qemu_name, pvr }
}

const fn src(fact: &'static str, reference: &'static str) -> Source {
    Source { fact, reference }
}

const QEMU_MODELS: Source = src(
    "-cpu names, aliases and PVRs",
    "qemu target/ppc/cpu-models.c (checked with `qemu-system-ppc64 -cpu help`, QEMU 10.0.2)",
);
const PSERIES_NO_HTM: Source = src(
    "no HTM: pseries cap-htm is off under TCG, so the kernel sees no TM",
    "qemu hw/ppc/spapr_caps.c (cap-htm default off; TCG refuses cap-htm=on)",
);

/// Every model, in the order tables list them.
pub static CATALOGUE: &[CpuModel] = &[
    CpuModel {
        name: "750",
        variants: &[v("750_v3.1", 0x0008_0301)],
        aliases: &["g3"],
        family: Family::Book3s32,
        qemu: QemuSystem::Ppc,
        machine: "g3beige",
        flavours: ONLY_32,
        caps: caps(COMMON_32 | H::HAS_FPU.bits() | H::PPC_LE.bits(), 0, false, false, [1, 0, 0, 0, 0]),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_book3s_32.h: 750 (PPC_FEATURE_COMMON_32 | HAS_FPU | PPC_LE)"),
            src("FPU, DABR, IABR", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(750), init_proc_750 (register_750_sprs: DABR, IABR)"),
            src("machine", "qemu hw/ppc/mac_oldworld.c (g3beige default CPU 750)"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "7400",
        variants: &[v("7400_v2.9", 0x000c_0209)],
        aliases: &["g4"],
        family: Family::Book3s32,
        qemu: QemuSystem::Ppc,
        machine: "mac99",
        flavours: ONLY_32,
        caps: caps(
            COMMON_32 | H::HAS_FPU.bits() | H::HAS_ALTIVEC.bits() | H::PPC_LE.bits(),
            0,
            false,
            false,
            [1, 0, 0, 0, 0],
        ),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_book3s_32.h: 7400 (COMMON_32 | HAS_FPU | HAS_ALTIVEC | PPC_LE)"),
            src("FPU, Altivec, DABR", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(7400) (PPC_FLOAT | PPC_ALTIVEC), register_7xx_sprs"),
            src("machine", "qemu hw/ppc/mac_newworld.c (mac99, qemu-system-ppc default CPU 7400)"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "7450",
        variants: &[v("7450_v2.1", 0x8000_0201)],
        aliases: &["vger"],
        family: Family::Book3s32,
        qemu: QemuSystem::Ppc,
        machine: "mac99",
        flavours: ONLY_32,
        caps: caps(
            COMMON_32 | H::HAS_FPU.bits() | H::HAS_ALTIVEC.bits() | H::PPC_LE.bits(),
            0,
            false,
            false,
            [1, 0, 0, 0, 0],
        ),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_book3s_32.h: 7450 (COMMON_32 | HAS_FPU | HAS_ALTIVEC | PPC_LE)"),
            src("FPU, Altivec, DABR", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(7450)"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "e300c3",
        variants: &[v("e300c3", 0x0085_0010)],
        aliases: &["e300"],
        family: Family::Book3s32,
        qemu: QemuSystem::Ppc,
        machine: "g3beige",
        flavours: ONLY_32,
        caps: caps(COMMON_32 | H::HAS_FPU.bits(), 0, false, false, [1, 0, 0, 0, 0]),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_book3s_32.h: e300c3 (COMMON_32 | HAS_FPU)"),
            src("FPU, one DABR slot", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(e300), register_e300_sprs (DABR, DABR2, IABR, IABR2); linux ptrace offers one data breakpoint on Book3S-32 (ppc_debug_info num_data_bps = 1), so a process can use one; `ppcr cpus --probe` measures DABR"),
            src("machine", "no 83xx board in QEMU 10.0; g3beige accepts the e300 core (FACTS Part B §2)"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "440epb",
        variants: &[v("440epb", 0x4222_18d3)],
        aliases: &["440ep"],
        family: Family::Ppc440,
        qemu: QemuSystem::Ppc,
        machine: "bamboo",
        flavours: ONLY_32,
        caps: caps(COMMON_32 | H::BOOKE.bits() | H::HAS_FPU.bits(), 0, false, false, [0, 0, 4, 2, 2]),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_44x.h: 440EP Rev. B (COMMON_32 | BOOKE | HAS_FPU)"),
            src("IAC1-4, DAC1-2, DVC1-2", "linux arch/powerpc/Kconfig PPC_ADV_DEBUG_IACS=4/DVCS=2 for 44x; qemu target/ppc/cpu_init.c register_BookE_sprs + init_proc_440EP"),
            src("machine", "qemu hw/ppc/ppc440_bamboo.c (default CPU 440epb)"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "e500v1",
        variants: &[v("e500_v20", 0x8020_0020), v("e500_v10", 0x8020_0010)],
        aliases: &[],
        family: Family::BookE,
        qemu: QemuSystem::Ppc,
        machine: "ppce500",
        flavours: ONLY_32,
        caps: caps(
            COMMON_32 | H::BOOKE.bits() | H::HAS_SPE.bits() | H::HAS_EFP_SINGLE.bits(),
            H2::ISEL.bits(),
            false,
            false,
            [0, 0, 2, 2, 0],
        ),
        sources: &[
            src("AT_HWCAP, no FPU", "linux arch/powerpc/kernel/cpu_specs_85xx.h: e500 (COMMON_32 | BOOKE | HAS_SPE_COMP | HAS_EFP_SINGLE_COMP), AT_HWCAP2 ISEL"),
            src("SPE single, IAC1-2, DAC1-2", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(e500v1) (PPC_SPE | PPC_SPE_SINGLE), init_proc_e500"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "e500v2",
        variants: &[
            v("e500v2_v22", 0x8021_0022),
            v("e500v2_v30", 0x8021_0030),
            v("e500v2_v21", 0x8021_0021),
            v("e500v2_v20", 0x8021_0020),
            v("e500v2_v10", 0x8021_0010),
        ],
        aliases: &["e500"],
        family: Family::BookE,
        qemu: QemuSystem::Ppc,
        machine: "ppce500",
        flavours: ONLY_32,
        caps: caps(
            COMMON_32
                | H::BOOKE.bits()
                | H::HAS_SPE.bits()
                | H::HAS_EFP_SINGLE.bits()
                | H::HAS_EFP_DOUBLE.bits(),
            H2::ISEL.bits(),
            false,
            false,
            [0, 0, 2, 2, 0],
        ),
        sources: &[
            src("AT_HWCAP, no FPU", "linux arch/powerpc/kernel/cpu_specs_85xx.h: e500v2 (+ HAS_EFP_DOUBLE_COMP), AT_HWCAP2 ISEL"),
            src("SPE + double EFP, IAC1-2, DAC1-2", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(e500v2) (PPC_SPE_DOUBLE), init_proc_e500"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "e500mc",
        variants: &[v("e500mc", 0x8023_0020)],
        aliases: &[],
        family: Family::BookE,
        qemu: QemuSystem::Ppc,
        machine: "ppce500",
        flavours: ONLY_32,
        caps: caps(COMMON_32 | H::BOOKE.bits() | H::HAS_FPU.bits(), H2::ISEL.bits(), false, false, [0, 0, 2, 2, 0]),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_e500mc.h: e500mc (COMMON_32 | BOOKE | HAS_FPU), AT_HWCAP2 ISEL"),
            src("FPU, no SPE, IAC1-2, DAC1-2", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(e500mc), init_proc_e500mc"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "e5500",
        variants: &[v("e5500", 0x8024_0020)],
        aliases: &[],
        family: Family::BookE,
        qemu: QemuSystem::Ppc64,
        machine: "ppce500",
        flavours: BE_32_64,
        caps: caps(
            COMMON_32 | H::PPC64.bits() | H::BOOKE.bits() | H::HAS_FPU.bits(),
            H2::ISEL.bits(),
            true,
            false,
            [0, 0, 2, 2, 0],
        ),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_e500mc.h: e5500 (+ PPC_FEATURE_64 under CONFIG_PPC64), AT_HWCAP2 ISEL"),
            src("64-bit (MSR[CM]), FPU, IAC1-2, DAC1-2", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(e5500) (PPC_64B), init_proc_e5500"),
            src("binary", "qemu-system-ppc lacks e5500/e6500 (FACTS Part B §2)"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "e6500",
        variants: &[v("e6500", 0x8040_0020)],
        aliases: &[],
        family: Family::BookE,
        qemu: QemuSystem::Ppc64,
        machine: "ppce500",
        flavours: BE_32_64,
        caps: caps(
            COMMON_32 | H::PPC64.bits() | H::BOOKE.bits() | H::HAS_FPU.bits() | H::HAS_ALTIVEC.bits(),
            H2::ISEL.bits(),
            true,
            false,
            [0, 0, 2, 2, 0],
        ),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_e500mc.h: e6500 (e5500 + HAS_ALTIVEC), AT_HWCAP2 ISEL"),
            src("64-bit, FPU, Altivec, IAC1-2, DAC1-2", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(e6500) (PPC_ALTIVEC), init_proc_e6500"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "970",
        variants: &[v("970_v2.2", 0x0039_0202)],
        aliases: &[],
        family: Family::Book3s64,
        qemu: QemuSystem::Ppc64,
        machine: "pseries",
        flavours: BE_32_64,
        caps: caps(COMMON_64 | H::POWER4.bits() | H::HAS_ALTIVEC.bits(), 0, true, false, [1, 0, 0, 0, 0]),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_book3s_64.h: PPC970 (COMMON_64 | POWER4 | HAS_ALTIVEC_COMP)"),
            src("Altivec, no VSX, DABR", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(970), register_970_dbg_sprs (DABR, DABRX, IABR)"),
            src("machine", "qemu hw/ppc/spapr_cpu_core.c: sPAPR core types include 970_v2.2 (970fx only on mac99)"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "power5+",
        variants: &[v("power5p_v2.1", 0x003b_0201)],
        aliases: &["power5+_v2.1", "power5gs"],
        family: Family::Book3s64,
        qemu: QemuSystem::Ppc64,
        machine: "pseries",
        flavours: BE_32_64,
        caps: caps(
            COMMON_64 | H::POWER5_PLUS.bits() | H::SMT.bits() | H::ICACHE_SNOOP.bits(),
            0,
            true,
            false,
            [1, 0, 0, 0, 0],
        ),
        sources: &[
            src("AT_HWCAP", "linux arch/powerpc/kernel/cpu_specs_book3s_64.h: POWER5+ (COMMON_64 | POWER5_PLUS | SMT | ICACHE_SNOOP)"),
            src("no VMX (MSR[VEC] still settable), DABR", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(POWER5P) (no PPC_ALTIVEC), register_book3s_dbg_sprs"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "power7",
        variants: &[v("power7_v2.3", 0x003f_0203)],
        aliases: &[],
        family: Family::Book3s64,
        qemu: QemuSystem::Ppc64,
        machine: "pseries",
        flavours: ALL_FLAVOURS,
        caps: caps(POWER7_HWCAP, H2::DSCR.bits(), true, true, [1, 0, 0, 0, 0]),
        sources: &[
            src("AT_HWCAP/AT_HWCAP2", "linux arch/powerpc/kernel/cpu_specs_book3s_64.h: POWER7 (COMMON_64 | ARCH_2_06 | SMT | ICACHE_SNOOP | TRUE_LE | PSERIES_PERFMON_COMPAT; HWCAP2 DSCR) + prom.c ibm,vmx/ibm,dfp"),
            src("VMX, VSX, DFP, DABR", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(POWER7) (PPC2_VSX | PPC2_DFP), register_book3s_dbg_sprs"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "power8",
        variants: &[v("power8_v2.0", 0x004d_0200)],
        aliases: &[],
        family: Family::Book3s64,
        qemu: QemuSystem::Ppc64,
        machine: "pseries",
        flavours: ALL_FLAVOURS,
        caps: caps(POWER7_HWCAP, POWER8_HWCAP2, true, true, [0, 1, 0, 0, 0]),
        sources: &[
            src("AT_HWCAP/AT_HWCAP2", "linux arch/powerpc/kernel/cpu_specs_book3s_64.h: POWER8 (ARCH_2_07 | DSCR | ISEL | TAR | VEC_CRYPTO; EBB from init_power8_pmu)"),
            src("ISA 2.07, DAWR0, no DABR", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(POWER8) (PPC2_ISA207S), register_book3s_207_dbg_sprs (DAWR0, DAWRX0, CIABR)"),
            PSERIES_NO_HTM,
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "power9",
        variants: &[v("power9_v2.2", 0x004e_1202), v("power9_v2.0", 0x004e_1200)],
        aliases: &[],
        family: Family::Book3s64,
        qemu: QemuSystem::Ppc64,
        machine: "pseries",
        flavours: ALL_FLAVOURS,
        caps: caps(POWER7_HWCAP, POWER9_HWCAP2, true, true, [0, 1, 0, 0, 0]),
        sources: &[
            src("AT_HWCAP/AT_HWCAP2", "linux arch/powerpc/kernel/cpu_specs_book3s_64.h: POWER9 (POWER8 set + ARCH_3_00 | HAS_IEEE128 | DARN | SCV)"),
            src("ISA 3.0, DAWR0", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(POWER9) (PPC2_ISA300), register_book3s_207_dbg_sprs"),
            PSERIES_NO_HTM,
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "power10",
        variants: &[v("power10_v2.0", 0x0080_1200)],
        aliases: &[],
        family: Family::Book3s64,
        qemu: QemuSystem::Ppc64,
        machine: "pseries",
        flavours: ALL_FLAVOURS,
        caps: caps(POWER7_HWCAP, POWER10_HWCAP2, true, true, [0, 2, 0, 0, 0]),
        sources: &[
            src("AT_HWCAP/AT_HWCAP2", "linux arch/powerpc/kernel/cpu_specs_book3s_64.h: POWER10 (ARCH_3_1 | MMA | ARCH_3_00 | IEEE128 | DARN | SCV | 2.07 set; no HTM)"),
            src("ISA 3.1, DAWR0-1", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(POWER10) (PPC2_ISA310), register_power10_dbg_sprs (DAWR1, DAWRX1)"),
            src("second DAWR for a pseries guest", "qemu hw/ppc/spapr_caps.c cap-dawr1 (off by default: ppcr boots with cap-dawr1=on); linux pa-features byte 64 bit 0 -> CPU_FTR_DAWR1"),
            QEMU_MODELS,
        ],
    },
    CpuModel {
        name: "power11",
        variants: &[v("power11_v2.0", 0x0082_1200)],
        aliases: &[],
        family: Family::Book3s64,
        qemu: QemuSystem::Ppc64,
        machine: "pseries",
        flavours: ALL_FLAVOURS,
        caps: caps(POWER7_HWCAP, POWER10_HWCAP2, true, true, [0, 2, 0, 0, 0]),
        sources: &[
            src("AT_HWCAP/AT_HWCAP2", "linux arch/powerpc/kernel/cpu_specs_book3s_64.h: POWER11 (as POWER10)"),
            src("as POWER10", "qemu target/ppc/cpu_init.c: POWERPC_FAMILY(POWER11) uses init_proc_POWER10 with the POWER11 flag macros"),
            src("second DAWR for a pseries guest", "qemu hw/ppc/spapr_caps.c cap-dawr1 (ppcr boots with cap-dawr1=on)"),
            QEMU_MODELS,
        ],
    },
];
