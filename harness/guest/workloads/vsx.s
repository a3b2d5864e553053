# vsx: FPR + VSX records. VSR0-31 (both doublewords) live at the
# checkpoint; after it VSX logic ops of neighbours, stores and folds.
        .include "wl.inc"
        WL_START
        MSR_OR  MSR_VSX_HI, MSR_FP_LO
        GEN     0, 128, 0xc0ffee11
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        li      r28, \n*16
        lxvd2x  \n, r29, r28
        .endr
        CKPT
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
        xxlxor  \n, \n, \n+1
        xxpermdi \n, \n, \n, 2
        .endr
        xxlxor  31, 31, 0
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        li      r28, 0x800+\n*16
        stxvd2x \n, r29, r28
        .endr
        FOLD    0x800, 128
        WL_END
