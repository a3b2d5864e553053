# ppcr boot part for ppce500 (family 3): e500v1, e500v2, e500mc (qemu-system-ppc),
# e5500, e6500 (qemu-system-ppc64). Assembled twice by payload.mk:
#   booke_ppc32: FLAVOUR64=0, ELF32, all five models
#   booke_ppc64: FLAVOUR64=1, ELF64, e5500/e6500 only (MSR[CM]=1, EPCR[ICM]=1)
        .set FAMILY_ID, 3       # PPCR_FAM_BOOKE
        .set IS_440, 0
.if FLAVOUR64
        .abiversion 2           # e_entry is code, not an ELFv1 function descriptor
.endif
        .include "core.inc"
