# spe: SPE record (e500v1/v2, ppc32). The upper halves of r3-r12/r14-r25,
# ACC and SPEFSCR[FRMC] live at the checkpoint; after it evaddw of
# neighbours, a multiply-accumulate through ACC, stores and folds.
        .include "wl.inc"
        WL_START
        MSR_OR  MSR_VEC_HI, 0           # MSR[SPE]
        GEN     0, 64, 0x5be5be5b
        li      r0, 1                   # SPEFSCR[FRMC] = round toward zero
        mtspr   512, r0
        .irp n, 3,4,5,6,7,8,9,10,11,12,14,15,16,17,18,19,20,21,22,23,24,25
        evldd   \n, \n*8(r29)
        .endr
        evmra   r0, r25                 # ACC = r25 (64 bits)
        CKPT
        .irp n, 3,4,5,6,7,8,9,10,11,12,14,15,16,17,18,19,20,21,22,23,24
        evaddw  \n, \n, \n+1
        .endr
        evmwumiaa r25, r3, r4           # r25 = ACC += r3.lo * r4.lo
        addi    r28, r29, 0x100
        .irp n, 3,4,5,6,7,8,9,10,11,12,14,15,16,17,18,19,20,21,22,23,24,25
        evstdd  \n, \n*8(r28)
        .endr
        li      r0, 0
        evmwumiaa r26, r0, r0           # r26 = ACC + 0 = ACC
        evstdd  r26, 0xf8(r28)
        FOLD    0x100, 128
        mfspr   r7, 512
        FOLDR   r7
        WL_END
