# fp: FPR record. f0-f31 and FPSCR[RN] live at the checkpoint; after it the
# FPU adds neighbours (rounding per FPSCR), stores and folds them.
        .include "wl.inc"
        WL_START
        MSR_OR  0, MSR_FP_LO
        GEN     0, 64, 0x0ddba11
        mtfsfi  7, 1                    # RN = round toward zero
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        lfd     \n, \n*8(r29)
        .endr
        CKPT
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
        fadd    \n, \n, \n+1
        .endr
        fadd    31, 31, 0
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        stfd    \n, 0x200+\n*8(r29)
        .endr
        mffs    0
        stfd    0, 0x300(r29)
        FOLD    0x200, 66
        WL_END
