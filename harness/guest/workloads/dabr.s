# dabr: DABR record (classic Book3S: 750/74xx/e300, 970, POWER5+, POWER7).
# Sets a write watch on data+0x100 (DABR = addr|W|T, DABRX = user|kernel)
# and stores around it. TCG never matches a DABR (FACTS B§2): the harness
# verifies the restored DABR by reading it back at the exit.
        .include "wl.inc"
        WL_START
        lis     r0, (PPCR_DATA_BASE+0x100)@h
        ori     r0, r0, (PPCR_DATA_BASE+0x100+6)@l
        mtspr   1013, r0                # DABR
        li      r0, 3
        mtspr   1015, r0                # DABRX (a no-op where it does not exist)
        GEN     0, 32, 0xdab1dab1
        li      r14, 0
        li      r15, 16
        mtctr   r15
1:      lwzx    r16, r29, r14
        stw     r16, 0x100(r29)         # the watched word
        addi    r14, r14, 4
        FOLDR   r16
        bdnz    1b
        CKPT
        li      r15, 16
        mtctr   r15
1:      lwzx    r16, r29, r14
        stw     r16, 0x100(r29)
        addi    r14, r14, 4
        FOLDR   r16
        bdnz    1b
        FOLD    0x100, 1
        WL_END
