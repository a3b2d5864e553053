# ppcr boot part for Book3S-64 on pseries (raw -bios image, loaded at 0).
# See docs/GUEST.md. One image per flavour, built from this file:
#   FLAV=0 ppc64 (BE, user MSR[SF]=1), FLAV=1 ppc32 (BE, user MSR[SF]=0),
#   FLAV=2 ppc64le (this file assembled little-endian; the trampoline at 0x100
#   stays big-endian and turns on LE interrupts with H_SET_MODE).
# The boot part runs in supervisor state, real mode (MSR[IR]=MSR[DR]=0),
# 64-bit. Interrupts arrive with MSR[SF]=1 and MSR[LE]=LPCR[ILE].
        .include "ppcr.inc"

        .equ H_PUT_TERM_CHAR, 0x58
        .equ MSR_SF_HI,   0x8000                # MSR[SF] as the top halfword
        .equ MSR_ME,      0x1000
        .equ MSR_RI,      0x0002
        .equ MSR_LE,      0x0001

.if FLAV == 0
        .equ USER_MSR_HI, MSR_SF_HI
        .equ USER_MSR_LO, MSR_ME | MSR_RI
        .equ MB_FLAGS_VAL, PPCR_FL_64BIT
.elseif FLAV == 1
        .equ USER_MSR_HI, 0
        .equ USER_MSR_LO, MSR_ME | MSR_RI
        .equ MB_FLAGS_VAL, 0
.else
        .equ USER_MSR_HI, MSR_SF_HI
        .equ USER_MSR_LO, MSR_ME | MSR_RI | MSR_LE
        .equ MB_FLAGS_VAL, PPCR_FL_64BIT | PPCR_FL_LE
.endif

.macro LOAD64 reg, val
        lis     \reg, ((\val) >> 48) & 0xffff
        ori     \reg, \reg, ((\val) >> 32) & 0xffff
        sldi    \reg, \reg, 32
        oris    \reg, \reg, ((\val) >> 16) & 0xffff
        ori     \reg, \reg, (\val) & 0xffff
.endm

        .text
        .globl _start
_start:
        .long   0                               # 0x0: nothing runs here

        .org    0x100                           # system reset = entry
.if FLAV == 2
        .incbin "book3s64_tramp_le.bin"
.else
        .incbin "book3s64_tramp_be.bin"
.endif

# Vector stub: save r3/r4 in SPRG1/SPRG2, r3 = vector offset, go to `common`.
.macro VEC off
        .org    \off
        mtsprg  1, %r3
        mtsprg  2, %r4
        li      %r3, \off
        b       common
.endm
        VEC 0x200       # machine check
        VEC 0x300       # data storage
        VEC 0x380       # data segment
        VEC 0x400       # instruction storage
        VEC 0x480       # instruction segment
        VEC 0x500       # external
        VEC 0x600       # alignment
        VEC 0x700       # program
        VEC 0x800       # FP unavailable
        VEC 0x900       # decrementer
        VEC 0x980       # hypervisor decrementer
        VEC 0xa00       # directed privileged doorbell
        VEC 0xc00       # system call: the user part's exit
        VEC 0xd00       # trace
        VEC 0xe00       # hypervisor data storage
        VEC 0xe20       # hypervisor instruction storage
        VEC 0xe40       # hypervisor emulation assistance
        VEC 0xe60       # hypervisor maintenance
        VEC 0xe80       # directed hypervisor doorbell
        VEC 0xea0       # hypervisor virtualization
        VEC 0xf00       # performance monitor
        VEC 0xf20       # VMX unavailable
        VEC 0xf40       # VSX unavailable
        VEC 0xf60       # facility unavailable
        VEC 0xf80       # hypervisor facility unavailable
        VEC 0x1300      # instruction address breakpoint (970)
        VEC 0x1500      # denormalisation / soft patch (970)
        VEC 0x1600      # maintenance (970)
        VEC 0x1700      # VMX assist (970)
        VEC 0x1800      # thermal (970)

# Record the exception in the mailbox. If the user part armed MB_RESUME,
# return there (MSR = SRR1, i.e. the interrupted state); a system call is the
# user part's exit; anything else is a crash.
        .org    0x1c00
common:
        lis     %r4, PPCR_MAILBOX@h
        std     %r3, MB_VEC(%r4)
        mfsrr0  %r3
        std     %r3, MB_SRR0(%r4)
        mfsrr1  %r3
        std     %r3, MB_SRR1(%r4)
        mfdsisr %r3
        std     %r3, MB_DSISR(%r4)
        mfdar   %r3
        std     %r3, MB_DAR(%r4)
        lwz     %r3, MB_NEXC(%r4)
        addi    %r3, %r3, 1
        stw     %r3, MB_NEXC(%r4)
        ld      %r3, MB_VEC(%r4)
        cmpdi   %r3, 0xc00
        beq     ppcr_exit
        ld      %r3, MB_RESUME(%r4)
        cmpdi   %r3, 0
        beq     crash
        mtsrr0  %r3
        li      %r3, 0
        std     %r3, MB_RESUME(%r4)
        mfsprg  %r3, 1
        mfsprg  %r4, 2
        rfid
crash:
        li      %r3, PPCR_ST_CRASHED
        stw     %r3, MB_STATE(%r4)
        sync
        .globl ppcr_crashed
ppcr_crashed:                                   # harness breakpoint: crash
        b       ppcr_crashed
        .globl ppcr_exit
ppcr_exit:                                      # harness breakpoint: user part ended (sc)
        b       ppcr_exit

        .org    0x2000
        .globl start
start:                                          # from the trampoline: SF=1, final endianness
        lis     %r31, PPCR_MAILBOX@h
        lis     %r1, PPCR_STACK_TOP@h
        ori     %r1, %r1, PPCR_STACK_TOP@l
        li      %r0, 0
        li      %r4, 4096 / 8
        mtctr   %r4
        mr      %r4, %r31
1:      std     %r0, 0(%r4)
        addi    %r4, %r4, 8
        bdnz    1b
        li      %r4, PPCR_FAM_BOOK3S64
        stw     %r4, MB_FAMILY(%r31)
        li      %r4, MB_FLAGS_VAL
        stw     %r4, MB_FLAGS(%r31)
        mfpvr   %r4
        stw     %r4, MB_PVR(%r31)
        std     %r29, MB_FDT(%r31)
        std     %r28, MB_BOOTRC(%r31)
        lis     %r4, USER_MSR_HI
        sldi    %r4, %r4, 32
        ori     %r4, %r4, USER_MSR_LO
        std     %r4, MB_USER_MSR(%r31)
        lis     %r4, PPCR_MAGIC@h
        ori     %r4, %r4, PPCR_MAGIC@l
        stw     %r4, MB_MAGIC(%r31)
        li      %r4, PPCR_ST_READY
        stw     %r4, MB_STATE(%r31)
        sync
        # Diagnostic on the console (vty 0: QEMU's spapr_vty maps reg 0 to
        # the first vty): H_PUT_TERM_CHAR takes up to 16 bytes in r6/r7,
        # first byte in the most significant one, whatever the byte order.
        li      %r3, H_PUT_TERM_CHAR
        li      %r4, 0
        li      %r5, 11
        LOAD64  %r6, 0x5050435220726561         # "PPCR rea"
        LOAD64  %r7, 0x64790a0000000000         # "dy\n"
        sc      1
        .globl ppcr_ready
ppcr_ready:                                     # harness breakpoint: ready point
        nop
        # Continuing from here enters the user part if one was loaded.
        lis     %r5, PPCR_USER_BASE@h
        lwz     %r4, 0(%r5)
        cmpwi   %r4, 0
        beq     ppcr_idle
        li      %r4, PPCR_ST_RUNNING
        stw     %r4, MB_STATE(%r31)
        ld      %r4, MB_USER_MSR(%r31)
        mtsrr0  %r5
        mtsrr1  %r4
        mr      %r3, %r31                       # r3 = mailbox, r1 = stack
        rfid
        .globl ppcr_idle
ppcr_idle:                                      # no user part: spin
        b       ppcr_idle
