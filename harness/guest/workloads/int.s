# int: integer state only (main record): GPRs, CR, CTR, LR, XER live at the
# checkpoint and folded into the checksum after it.
        .include "wl.inc"
        WL_START
        GEN     0, 64, 0x1badb002
        LWD     r14, 0
        LWD     r15, 4
        LWD     r16, 8
        LWD     r17, 12
        LWD     r18, 16
        LWD     r19, 20
        LWD     r20, 24
        LWD     r21, 28
        LWD     r22, 32
        LWD     r23, 36
        LWD     r24, 40
        LWD     r25, 44
        LWD     r4, 48
        LWD     r5, 52
        LWD     r6, 56
        mtctr   r4
        mtlr    r5
        mtcrf   0xff, r6
        lis     r0, 0xa000              # XER: SO | CA, byte count 0x35
        ori     r0, r0, 0x35
        mtxer   r0
        addi    r14, r14, 1
        CKPT
        FOLDR   r14
        FOLDR   r15
        FOLDR   r16
        FOLDR   r17
        FOLDR   r18
        FOLDR   r19
        FOLDR   r20
        FOLDR   r21
        FOLDR   r22
        FOLDR   r23
        FOLDR   r24
        FOLDR   r25
        mfctr   r7
        FOLDR   r7
        mflr    r7
        FOLDR   r7
        mfcr    r7
        FOLDR   r7
        addze   r7, r4                  # uses XER[CA]
        FOLDR   r7
        mfxer   r7
        FOLDR   r7
        FOLD    0, 64
        WL_END
