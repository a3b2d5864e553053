# mix: FPR + VMX + VSX records at once. f0-f31 (VSR0-31 dw0), VSR0-31 dw1
# and v0-v31 (VSR32-63) live at the checkpoint; after it FP adds, VMX adds
# and VSX permutes, then all 64 VSRs are stored and folded.
        .include "wl.inc"
        WL_START
        MSR_OR  MSR_VEC_HI|MSR_VSX_HI, MSR_FP_LO
        GEN     0, 256, 0x5eed1e55
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        li      r28, \n*16
        lxvd2x  \n, r29, r28
        li      r28, 0x200+\n*16
        lvx     \n, r29, r28
        .endr
        mtfsfi  7, 2                    # RN = round toward +inf
        CKPT
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        li      r28, 0x800+\n*16
        stxvd2x \n, r29, r28
        li      r28, 0xa00+\n*16
        stxvd2x \n+32, r29, r28
        .endr
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
        fadd    \n, \n, \n+1
        vadduwm \n, \n, \n+1
        .endr
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        stfd    \n, 0xc00+\n*8(r29)
        li      r28, 0xd00+\n*16
        stvx    \n, r29, r28
        .endr
        FOLD    0x800, 448
        WL_END
