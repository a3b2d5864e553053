# ppcr capability probe for the Book E families (ppce500: e500v1/v2, e500mc,
# e5500, e6500; bamboo: 440epb). User part linked at PPCR_USER_BASE, entered
# by booke/core.inc in supervisor state; one binary for the ppc32 and ppc64
# flavours (only instructions that behave the same with MSR[CM]=0 or 1; u64
# mailbox fields are written as two words). Records into the mailbox probe
# table (docs/GUEST.md "Probe index"); status/detail as in common/ppcr.inc,
# with detail = ESR when an instruction trapped (Book E has no SRR1 cause
# bits; QEMU does set 0x00080000 in SRR1 for an illegal instruction).
#
# Mechanism (same as common/probe_book3s.s): before each test clear MB_VEC
# and arm MB_RESUME with the address after it; the boot part records the
# interrupt (MB_VEC = 0x1000 + IVOR) and returns there. r31 = mailbox,
# r29 = base MSR, r9 status / r10 detail when the test does not trap.
#
# MSR[SPE] (e500v1/v2) and MSR[VEC] (e6500) are the same bit, 0x02000000:
# the VMX, SPE and EFP tests run with it set, so the SPE/EFP words must not be
# VMX instructions an e6500 has.
#
# Instruction choice (QEMU 10.0 gating, target/ppc):
#   fmr f0,f0        translate/fp-impl.c.inc             PPC_FLOAT + MSR[FP]
#   vor v0,v0,v0     translate/vmx-impl.c.inc            PPC_ALTIVEC + MSR[VEC]
#   xxlor vs0..      translate/vsx-impl.c.inc            PPC2_VSX
#   evxor r5,r5,r5   translate/spe-impl.c.inc            PPC_SPE + MSR[SPE]
#                    (as VMX this word is vsrdbi: PPC2_ISA310, not on e6500)
#   efdcfsid r5,r5   translate/spe-impl.c.inc            PPC_SPE_DOUBLE + MSR[SPE]
#                    (as VMX: vmsumudm, PPC2_ISA300, not on e6500; efdadd would
#                    be vmhaddshs, which e6500 executes)
#   popcntw r3,r4    translate.c                         PPC_POPCNTWD (ISA 2.06)
#   lqarx r10,0,r5   translate.c                         PPC2_LSQ_ISA207, ppc64 binary only
#   cmpeqb cr0,r3,r4 translate.c                         PPC2_ISA300, ppc64 binary only
#   setbc r3,2       insn32.decode SETBC                 PPC2_ISA310
#   mtspr/mfspr      translate.c gen_op_mfspr/gen_op_mtspr: an SPR the model
#                    does not register is a no-op in supervisor state when SPR
#                    bit 0x10 is set (all probed here): write, read back, clear.
#                    SPR 1013 is BUCSR on e500 (cpu.h SPR_Exxx_BUCSR), not
#                    DABR, so the DABR entry is "not applicable" there.
#   LE               rfi with MSR[LE]: no Book E msr_mask has LE (Book E
#                    endianness is per page), so the LE snippet's first word
#                    (opcode 0) traps as an illegal instruction.
#   64-bit           MSR[CM]=1, then 0x40000000 + itself twice: 0x1_0000_0000
#                    (CR0 GT) only with 64-bit computation.
        .include "ppcr.inc"

        .equ MSR_CM,  0x80000000
        .equ MSR_SPV, 0x02000000        # SPE / VEC
        .equ MSR_VSX, 0x00800000        # no Book E core has it (masked)
        .equ MSR_FP,  0x00002000
        .equ MSR_LE,  0x00000001

# u64 mailbox fields: two big-endian words (works with MSR[CM] 0 or 1)
.macro ST64 reg, off
        stw     %r0, \off(%r31)
        stw     \reg, \off+4(%r31)
.endm
.macro LD64 reg, off
        lwz     \reg, \off+4(%r31)
.endm
# the whole MSR through rfi (QEMU's mtmsr keeps ME/LE): r8 is clobbered
.macro SET_MSR reg
        mtsrr1  \reg
        lis     %r8, 9f@h
        ori     %r8, %r8, 9f@l
        mtsrr0  %r8
        rfi
9:
.endm

.macro T_BEGIN idx
        li      %r9, PROBE_EXECUTED
        li      %r10, 0
        li      %r0, 0
        ST64    %r0, MB_VEC
        lis     %r5, .Lend_\idx@h
        ori     %r5, %r5, .Lend_\idx@l
        ST64    %r5, MB_RESUME
.endm
.macro T_END idx
.Lend_\idx:
        li      %r3, \idx
        bl      record
.endm
.macro T_NA idx
        li      %r3, \idx
        li      %r4, PROBE_NA
        bl      record_status
.endm
# Debug SPR: write a pattern, read it back over a sentinel, clear it.
.macro T_SPR idx, spr
        T_BEGIN \idx
        lis     %r6, PPCR_DATA_BASE@h           # address-like, no enable bits
        lis     %r10, 0x5eed                    # sentinel
        mtspr   \spr, %r6
        mfspr   %r10, \spr
        li      %r0, 0
        mtspr   \spr, %r0
        cmpw    %r10, %r6
        beq     1f
        li      %r9, PROBE_NO_EFFECT
1:
        T_END \idx
.endm

        .text
        .globl _start
_start:
        lis     %r31, PPCR_MAILBOX@h
        mfmsr   %r29
        li      %r0, 0
        li      %r4, PROBE_MAX * PROBE_ENTRY_SIZE / 4
        mtctr   %r4
        addi    %r4, %r31, MB_PROBE
1:      stw     %r0, 0(%r4)
        addi    %r4, %r4, 4
        bdnz    1b

        # FP (e500v1/v2 keep MSR[FP] without an FPU: the instruction decides)
        T_BEGIN PROBE_FP
        ori     %r5, %r29, MSR_FP
        SET_MSR %r5
        fmr     %f0, %f0
        T_END   PROBE_FP

        T_BEGIN PROBE_VMX
        oris    %r5, %r29, MSR_SPV@h
        SET_MSR %r5
        .long   0x10000484                      # vor v0,v0,v0
        T_END   PROBE_VMX

        T_BEGIN PROBE_VSX
        oris    %r5, %r29, MSR_VSX@h
        SET_MSR %r5
        .long   0xf0000490                      # xxlor vs0,vs0,vs0
        T_END   PROBE_VSX

        T_BEGIN PROBE_SPE
        oris    %r5, %r29, MSR_SPV@h
        SET_MSR %r5
        li      %r5, 0
        .long   0x10a52a16                      # evxor r5,r5,r5
        T_END   PROBE_SPE

        T_BEGIN PROBE_EFPD
        oris    %r5, %r29, MSR_SPV@h
        SET_MSR %r5
        li      %r5, 0
        .long   0x10a02ae3                      # efdcfsid r5,r5
        T_END   PROBE_EFPD

        T_BEGIN PROBE_ISA206
        .long   0x7c8302f4                      # popcntw r3,r4
        T_END   PROBE_ISA206
        T_BEGIN PROBE_ISA207
        lis     %r5, PPCR_DATA_BASE@h
        .long   0x7d402a28                      # lqarx r10,0,r5
        li      %r10, 0
        T_END   PROBE_ISA207
        T_BEGIN PROBE_ISA300
        .long   0x7c0321c0                      # cmpeqb cr0,r3,r4
        T_END   PROBE_ISA300
        T_BEGIN PROBE_ISA310
        .long   0x7c620300                      # setbc r3,2
        T_END   PROBE_ISA310

        # debug SPRs
        lwz     %r4, MB_FAMILY(%r31)
        cmpwi   %r4, PPCR_FAM_PPC440
        beq     2f
        T_NA    PROBE_DABR                      # e500: SPR 1013 is BUCSR
        b       3f
2:      T_SPR   PROBE_DABR, 1013
3:      T_SPR   PROBE_DAWR0, 180
        T_SPR   PROBE_DAWR1, 181
        T_SPR   PROBE_IAC1, 312
        T_SPR   PROBE_IAC3, 314
        T_SPR   PROBE_DAC1, 316
        T_SPR   PROBE_DVC1, 318

        # little-endian mode: rfi into a snippet encoded little-endian
        T_BEGIN PROBE_LE
        lis     %r8, le_back@h                  # the snippet returns here
        ori     %r8, %r8, le_back@l
        lis     %r5, le_snippet@h
        ori     %r5, %r5, le_snippet@l
        ori     %r6, %r29, MSR_LE
        mtsrr0  %r5
        mtsrr1  %r6
        rfi
le_snippet:     # li r11,1; mfmsr r10; mtsrr1 r29; mtsrr0 r8; rfi (LE words;
                # read big-endian the first one has opcode 0: illegal)
        .long   0x01006039, 0xa600407d, 0xa603bb7f, 0xa6031a7d, 0x6400004c
le_back:
        andi.   %r0, %r10, MSR_LE               # did MSR[LE] stick?
        bne     1f
        li      %r9, PROBE_NO_EFFECT
1:
        T_END   PROBE_LE

        # 64-bit computation mode
        T_BEGIN PROBE_64BIT
        oris    %r5, %r29, MSR_CM@h
        SET_MSR %r5
        lis     %r5, 0x4000
        add     %r5, %r5, %r5
        add.    %r5, %r5, %r5
        mfcr    %r7
        SET_MSR %r29
        mtcr    %r7
        li      %r10, 1
        bgt     1f
        li      %r10, 0
        li      %r9, PROBE_NO_EFFECT
1:
        T_END   PROBE_64BIT

        # pseries hcalls: not on Book E
        T_NA    PROBE_H_SET_DABR
        T_NA    PROBE_H_SET_XDABR
        T_NA    PROBE_H_DAWR0
        T_NA    PROBE_H_DAWR1

        li      %r4, PPCR_ST_PROBED
        stw     %r4, MB_STATE(%r31)
        sync
        .globl probe_done
probe_done:
        sc                                      # exit through the boot part
        b       probe_done

# record(r3 = index): trapped if MB_VEC != 0 (detail = ESR), else r9 / r10.
record:
        li      %r0, 0
        ST64    %r0, MB_RESUME
        SET_MSR %r29
        slwi    %r4, %r3, 4
        addi    %r4, %r4, MB_PROBE
        add     %r4, %r4, %r31
        LD64    %r5, MB_VEC
        cmpwi   %r5, 0
        beq     1f
        li      %r6, PROBE_TRAPPED
        stw     %r6, 0(%r4)
        stw     %r5, 4(%r4)
        LD64    %r7, MB_DSISR                   # ESR
        stw     %r0, 8(%r4)
        stw     %r7, 12(%r4)
        blr
1:      stw     %r9, 0(%r4)
        stw     %r0, 4(%r4)
        stw     %r0, 8(%r4)
        stw     %r10, 12(%r4)
        blr

# record_status(r3 = index, r4 = status), detail unchanged
record_status:
        slwi    %r5, %r3, 4
        addi    %r5, %r5, MB_PROBE
        add     %r5, %r5, %r31
        stw     %r4, 0(%r5)
        blr
