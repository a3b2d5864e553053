# vmx: VMX record. v0-v31, VSCR[NJ] and VRSAVE live at the checkpoint; after
# it vadduwm of neighbours, stores and folds, plus VSCR and VRSAVE.
        .include "wl.inc"
        WL_START
        MSR_OR  MSR_VEC_HI, 0
        GEN     0, 128, 0xfeedface
        li      r0, 0                   # VSCR word: NJ
        stw     r0, 0x400(r29)
        stw     r0, 0x404(r29)
        stw     r0, 0x408(r29)
        lis     r0, 1
        stw     r0, 0x40c(r29)
        li      r28, 0x400
        lvx     0, r29, r28
        mtvscr  0
        lis     r0, 0xc3a5
        ori     r0, r0, 0x5a3c
        mtspr   256, r0                 # VRSAVE
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        li      r28, \n*16
        lvx     \n, r29, r28
        .endr
        CKPT
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
        vadduwm \n, \n, \n+1
        .endr
        vadduwm 31, 31, 0
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        li      r28, 0x800+\n*16
        stvx    \n, r29, r28
        .endr
        mfvscr  0
        li      r28, 0xa00
        stvx    0, r29, r28
        FOLD    0x800, 132
        mfspr   r7, 256
        FOLDR   r7
        WL_END
