# ppcr boot part for bamboo (family 4): 440epb, qemu-system-ppc, ppc32 only.
# Shares the Book E boot code (booke/core.inc); payload.mk passes -I for it.
        .set FAMILY_ID, 4       # PPCR_FAM_PPC440
        .set IS_440, 1
        .set FLAVOUR64, 0
        .include "core.inc"
