# isa300: integer state only; after the checkpoint, ISA 3.0 instructions
# (cmpeqb, cnttzw, modsw, moduw, setb) that POWER8 and older lack.
        .include "wl.inc"
        WL_START
        GEN     0, 16, 0x3003a300
        LWD     r14, 0
        LWD     r15, 4
        LWD     r16, 8
        LWD     r17, 12
        LWD     r18, 16
        LWD     r19, 20
        LWD     r20, 24
        ori     r18, r18, 1             # non-zero divisors
        ori     r20, r20, 1
        CKPT
        cmpeqb  cr1, r14, r15
        setb    r21, cr1
        cnttzw  r16, r16
        modsw   r17, r17, r18
        moduw   r19, r19, r20
        FOLDR   r14
        FOLDR   r16
        FOLDR   r17
        FOLDR   r19
        FOLDR   r21
        FOLD    0, 16
        WL_END
