# efp-double: SPE record used by double-precision embedded FP (e500v2 only,
# ppc32). Doubles in r14-r25 (64-bit GPRs: upper halves live) and
# SPEFSCR[FRMC] at the checkpoint; after it efdadd/efdmul, stores, folds.
        .include "wl.inc"
        WL_START
        MSR_OR  MSR_VEC_HI, 0           # MSR[SPE]
        GEN     0, 32, 0xdb1ed0b1
        li      r0, 2                   # SPEFSCR[FRMC] = round toward +inf
        mtspr   512, r0
        .irp n, 14,15,16,17,18,19,20,21,22,23,24,25
        lwz     \n, (\n-14)*4(r29)
        efdcfsi \n, \n                  # integer -> double (normal numbers)
        .endr
        CKPT
        .irp n, 14,15,16,17,18,19,20,21,22,23,24
        efdadd  \n, \n, \n+1
        efdmul  \n, \n, \n+1
        .endr
        efdsub  25, 25, 14
        addi    r28, r29, 0x100
        .irp n, 14,15,16,17,18,19,20,21,22,23,24,25
        evstdd  \n, (\n-14)*8(r28)
        .endr
        FOLD    0x100, 24
        mfspr   r7, 512
        FOLDR   r7
        WL_END
