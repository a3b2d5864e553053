# booke-debug: Book E debug record (e500v1/v2/e500mc/440 ppc32,
# e5500/e6500 ppc64). Sets IAC1 (an address in this code), IAC3 (another
# one; a no-op on e500, which has two IACs: SPR 314 has bit 0x10, QEMU
# ignores it there), DAC1 (data+0x100) and DBCR0 = IDM|IAC1|DAC1W
# (MSR[DE] stays 0; TCG never matches IAC/DAC, FACTS B§2). The harness
# verifies them by reading them back at the exit.
        .include "wl.inc"
        WL_START
        lis     r0, watched_code@h
        ori     r0, r0, watched_code@l
        mtspr   312, r0                 # IAC1
        addi    r0, r0, 8
        mtspr   314, r0                 # IAC3 (440: four IACs)
        lis     r0, (PPCR_DATA_BASE+0x100)@h
        ori     r0, r0, (PPCR_DATA_BASE+0x100)@l
        mtspr   316, r0                 # DAC1
        lis     r0, 0x4084              # DBCR0: IDM | IAC1 | DAC1W
        mtspr   308, r0
        GEN     0, 32, 0xdeb0deb0
        li      r14, 0
        li      r15, 16
        mtctr   r15
1:      lwzx    r16, r29, r14
        stw     r16, 0x100(r29)
        addi    r14, r14, 4
        FOLDR   r16
        bdnz    1b
        CKPT
        li      r15, 16
        mtctr   r15
watched_code:
1:      lwzx    r16, r29, r14
        stw     r16, 0x100(r29)
        addi    r14, r14, 4
        FOLDR   r16
        bdnz    1b
        FOLD    0x100, 1
        WL_END
