# ppcr boot part for Book3S-32 (750, 74xx, e300) on mac99/g3beige.
# Raw `-bios` image in the 1 MiB ROM at 0xfff00000; every reset starts at
# 0xfff00100 with MSR[IP]=1. The vectors stay in ROM (MSR[IP] is kept set,
# also for the user part), so nothing is copied to RAM at 0.
# Supervisor state, real mode (MSR[IR]=MSR[DR]=0), big-endian, 32-bit.
        .include "ppcr.inc"

        .equ MSR_ME,    0x1000
        .equ MSR_IP,    0x0040
        .equ MSR_RI,    0x0002
        .equ USER_MSR,  MSR_ME | MSR_IP | MSR_RI

        .text
        .globl _start
_start:
        .long   0

        .org    0x100                           # system reset = entry
        b       start

.macro VEC off
        .org    \off
        mtsprg  1, %r3
        mtsprg  2, %r4
        li      %r3, \off
        b       common
.endm
        VEC 0x200       # machine check
        VEC 0x300       # data storage
        VEC 0x400       # instruction storage
        VEC 0x500       # external
        VEC 0x600       # alignment
        VEC 0x700       # program
        VEC 0x800       # FP unavailable
        VEC 0x900       # decrementer
        VEC 0xa00       # reserved / critical
        VEC 0xc00       # system call: the user part's exit
        VEC 0xd00       # trace
        VEC 0xe00       # FP assist
        VEC 0xf00       # performance monitor
        VEC 0xf20       # VMX unavailable (74xx)
        VEC 0x1000      # ITLB miss (603/e300)
        VEC 0x1100      # DTLB load miss (603/e300)
        VEC 0x1200      # DTLB store miss (603/e300)
        VEC 0x1300      # instruction address breakpoint
        VEC 0x1400      # system management
        VEC 0x1600      # VMX assist (74xx)
        VEC 0x1700      # thermal

# Same protocol as book3s64/boot.s; u64 mailbox fields are written as their
# low (second, BE) word, the high word stays 0.
        .org    0x2000
common:
        lis     %r4, PPCR_MAILBOX@h
        stw     %r3, MB_VEC+4(%r4)
        mfsrr0  %r3
        stw     %r3, MB_SRR0+4(%r4)
        mfsrr1  %r3
        stw     %r3, MB_SRR1+4(%r4)
        mfdsisr %r3
        stw     %r3, MB_DSISR+4(%r4)
        mfdar   %r3
        stw     %r3, MB_DAR+4(%r4)
        lwz     %r3, MB_NEXC(%r4)
        addi    %r3, %r3, 1
        stw     %r3, MB_NEXC(%r4)
        lwz     %r3, MB_VEC+4(%r4)
        cmpwi   %r3, 0xc00
        beq     ppcr_exit
        lwz     %r3, MB_RESUME+4(%r4)
        cmpwi   %r3, 0
        beq     crash
        mtsrr0  %r3
        li      %r3, 0
        stw     %r3, MB_RESUME+4(%r4)
        mfsprg  %r3, 1
        mfsprg  %r4, 2
        rfi
crash:
        li      %r3, PPCR_ST_CRASHED
        stw     %r3, MB_STATE(%r4)
        sync
        .globl ppcr_crashed
ppcr_crashed:
        b       ppcr_crashed
        .globl ppcr_exit
ppcr_exit:
        b       ppcr_exit

        .org    0x3000
        .globl start
start:
        mr      %r29, %r3                       # whatever the machine left in r3
        lis     %r31, PPCR_MAILBOX@h
        lis     %r1, PPCR_STACK_TOP@h
        ori     %r1, %r1, PPCR_STACK_TOP@l
        li      %r0, 0
        li      %r4, 4096 / 4
        mtctr   %r4
        mr      %r4, %r31
1:      stw     %r0, 0(%r4)
        addi    %r4, %r4, 4
        bdnz    1b
        li      %r4, PPCR_FAM_BOOK3S32
        stw     %r4, MB_FAMILY(%r31)
        li      %r4, 0
        stw     %r4, MB_FLAGS(%r31)
        mfpvr   %r4
        stw     %r4, MB_PVR(%r31)
        li      %r4, USER_MSR
        stw     %r4, MB_USER_MSR+4(%r31)
        lis     %r4, PPCR_MAGIC@h
        ori     %r4, %r4, PPCR_MAGIC@l
        stw     %r4, MB_MAGIC(%r31)
        li      %r4, PPCR_ST_READY
        stw     %r4, MB_STATE(%r31)
        sync
        .globl ppcr_ready
ppcr_ready:
        nop
        lis     %r5, PPCR_USER_BASE@h
        lwz     %r4, 0(%r5)
        cmpwi   %r4, 0
        beq     ppcr_idle
        li      %r4, PPCR_ST_RUNNING
        stw     %r4, MB_STATE(%r31)
        li      %r4, USER_MSR
        mtsrr0  %r5
        mtsrr1  %r4
        mr      %r3, %r31
        rfi
        .globl ppcr_idle
ppcr_idle:
        b       ppcr_idle
