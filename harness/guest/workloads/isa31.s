# isa31: integer state only; after the checkpoint, ISA 3.1 instructions
# (setbc, setnbc, brw, brh, pli) that POWER9 and older lack.
        .include "wl.inc"
        WL_START
        GEN     0, 16, 0x31031031
        LWD     r14, 0
        LWD     r15, 4
        LWD     r16, 8
        LWD     r17, 12
        cmpw    cr2, r14, r15
        CKPT
        setbc   r18, 9                  # cr2[gt]
        setnbc  r19, 8                  # !cr2[lt]
        brw     r16, r16
        brh     r17, r17
        .p2align 4
        pli     r20, 0x12345678
        FOLDR   r16
        FOLDR   r17
        FOLDR   r18
        FOLDR   r19
        FOLDR   r20
        FOLD    0, 16
        WL_END
