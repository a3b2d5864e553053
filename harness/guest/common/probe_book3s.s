# ppcr capability probe for Book3S-64 and Book3S-32 (user part, linked at PPCR_USER_BASE).
# One instruction per facility; records into the mailbox probe table which
# ones executed and which trapped (docs/GUEST.md "Probe index").
#
# Assembled three ways (all from this file):
#   FAM64=1 LE=0  book3s64 BE (ppc64 and ppc32 flavours: the code is the same,
#                 the boot part picks MSR[SF])
#   FAM64=1 LE=1  book3s64 ppc64le
#   FAM64=0 LE=0  book3s32 (no mtmsrd/rfid/std: 32-bit CPUs lack them)
# Runs in supervisor state (see docs/GUEST.md): it needs mtmsr to turn on
# FP/VEC/VSX, mtspr/mfspr on debug SPRs and hcalls.
#
# Mechanism: before each instruction the probe clears MB_VEC and arms
# MB_RESUME with the address after the test; the boot part's vectors record
# vector/SRR0/SRR1 and return there. Registers: r31 mailbox, r29 base MSR,
# r9 status / r10 detail when the test does not trap.
#
# Instruction choice (QEMU 10.0 gating, target/ppc):
#   fmr      translate/fp-impl.c.inc gen_fmr            PPC_FLOAT + MSR[FP]
#   vor      translate/vmx-impl.c.inc (GEN_VXFORM vor)  PPC_ALTIVEC + MSR[VEC]
#   xxlor    translate/vsx-impl.c.inc (VSX_LOGICAL)     PPC2_VSX + MSR[VSX]
#   evaddw   translate/spe-impl.c.inc                   PPC_SPE (opcode 4: on a
#            VMX CPU the same word is vaddubs, hence run with MSR[VEC]=0)
#   efdadd   translate/spe-impl.c.inc                   PPC_SPE_DOUBLE
#   popcntw  translate.c GEN_HANDLER(popcntw ...)       PPC_POPCNTWD (ISA 2.06)
#   lqarx    translate.c GEN_HANDLER_E(lqarx ...)       PPC2_LSQ_ISA207 (ISA 2.07)
#   cmpeqb   translate.c GEN_HANDLER_E(cmpeqb ...)      PPC2_ISA300 (ppc64 binary only)
#   setbc    insn32.decode SETBC, fixedpoint-impl.c.inc do_set_bool_cond:
#            REQUIRE_INSNS_FLAGS2(ctx, ISA310)
#   mtspr/mfspr: translate.c gen_op_mfspr/gen_op_mtspr: an SPR the model does
#            not register is a no-op in supervisor state when SPR bit 0x10 is
#            set (all debug SPRs probed here), hence write-then-read-back.
        .include "ppcr.inc"

        .equ H_SET_DABR,        0x28
        .equ H_SET_XDABR,       0x134
        .equ H_SET_MODE,        0x31c

.if FAM64
.macro ST64 reg, off
        std     \reg, \off(%r31)
.endm
.macro LD64 reg, off
        ld      \reg, \off(%r31)
.endm
.macro SET_MSR reg
        mtmsrd  \reg
        isync
.endm
.else
# u64 mailbox fields from a 32-bit CPU: BE, high word stays 0 (boot zeroes it)
.macro ST64 reg, off
        stw     \reg, \off+4(%r31)
.endm
.macro LD64 reg, off
        lwz     \reg, \off+4(%r31)
.endm
.macro SET_MSR reg
        mtmsr   \reg
        isync
.endm
.endif

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
# not applicable in this family
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

# pseries hcall: status executed if rc == H_SUCCESS, else no effect; detail = rc.
.macro T_HCALL idx, op, a4, a5
        T_BEGIN \idx
        li      %r3, \op
        li      %r4, \a4
        li      %r5, \a5
        sc      1
        mr      %r10, %r3
        li      %r9, PROBE_EXECUTED
        cmpwi   %r3, 0
        beq     1f
        li      %r9, PROBE_NO_EFFECT
1:
        T_END \idx
.endm

# pseries DAWRn through H_SET_MODE: arm a write watch (DAWRX = DW|WTI|KERNEL)
# on PPCR_DATA_BASE+0x100, store there, disarm. Executed = the hcall
# succeeded and the store raised the watchpoint DSI (detail = DSISR);
# no effect = hcall refused (detail = rc) or accepted but nothing fired
# (detail = 0).
.macro T_HWATCH idx, resource
        T_BEGIN \idx
        li      %r3, H_SET_MODE
        li      %r4, 0
        li      %r5, \resource
        lis     %r6, PPCR_DATA_BASE@h
        ori     %r6, %r6, 0x100
        li      %r7, DAWRX_ARM
        sc      1
        mr      %r10, %r3
        li      %r9, PROBE_NO_EFFECT
        cmpwi   %r3, 0
        bne     .Lend_\idx
        lis     %r5, 2f@h
        ori     %r5, %r5, 2f@l
        ST64    %r5, MB_RESUME
        lis     %r6, PPCR_DATA_BASE@h
        stw     %r6, 0x100(%r6)                 # the watched store
2:      li      %r0, 0
        ST64    %r0, MB_RESUME
        LD64    %r28, MB_VEC
        LD64    %r27, MB_DSISR
        ST64    %r0, MB_VEC                     # not a probe trap
        li      %r3, H_SET_MODE                 # disarm
        li      %r4, 0
        li      %r5, \resource
        li      %r6, 0
        li      %r7, 0
        sc      1
        li      %r9, PROBE_NO_EFFECT
        li      %r10, 0
        cmpwi   %r28, 0x300
        bne     .Lend_\idx
        li      %r9, PROBE_EXECUTED
        mr      %r10, %r27
        T_END \idx
.endm
        .equ DAWRX_ARM, 0x40 | 0x08 | 0x02     # DW | WTI | privileged (Linux DAWRX_*)

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

        # FP
        T_BEGIN PROBE_FP
        ori     %r5, %r29, 0x2000               # MSR[FP]
        SET_MSR   %r5
        fmr     %f0, %f0
        T_END   PROBE_FP

        # VMX (MSR bit is not a probe: POWER5+ keeps MSR[VEC] without VMX)
        T_BEGIN PROBE_VMX
        oris    %r5, %r29, 0x0200               # MSR[VEC]
        SET_MSR   %r5
        .long   0x10000484                      # vor v0,v0,v0
        T_END   PROBE_VMX

        # VSX
        T_BEGIN PROBE_VSX
        oris    %r5, %r29, 0x0080               # MSR[VSX]
        SET_MSR   %r5
        .long   0xf0000490                      # xxlor vs0,vs0,vs0
        T_END   PROBE_VSX

        # SPE / double EFP with MSR[VEC]=0 (opcode 4 is shared with VMX)
        T_BEGIN PROBE_SPE
        .long   0x10642a00                      # evaddw r3,r4,r5
        T_END   PROBE_SPE
        T_BEGIN PROBE_EFPD
        .long   0x10642ae0                      # efdadd r3,r4,r5
        T_END   PROBE_EFPD

        # ISA levels
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
        T_SPR   PROBE_DABR, 1013
        T_SPR   PROBE_DAWR0, 180
        T_SPR   PROBE_DAWR1, 181
        # IAC/DAC/DVC are BookE SPRs. On Book3S-64, 312-318 are RMOR, HRMOR,
        # HSRR0/1, LPCR... (QEMU registers some of them supervisor-accessible
        # on POWER7), so a read-back says nothing about debug resources:
        # not applicable to Book3S.
        T_NA    PROBE_IAC1
        T_NA    PROBE_IAC3
        T_NA    PROBE_DAC1
        T_NA    PROBE_DVC1

        # little-endian mode
        T_BEGIN PROBE_LE
.if LE
        mfmsr   %r10                            # already little-endian
.else
        lis     %r8, le_back@h                  # the snippet returns here
        ori     %r8, %r8, le_back@l
        lis     %r5, le_snippet@h
        ori     %r5, %r5, le_snippet@l
        xori    %r6, %r29, 1                    # MSR[LE]
        mtsrr0  %r5
        mtsrr1  %r6
 .if FAM64
        rfid
 .else
        rfi
 .endif
le_snippet:     # li r11,1 (read BE: opcode 0, illegal); mfmsr r10; mtsrr1 r29; mtsrr0 r8; rfi(d)
 .if FAM64
        .incbin "probe_le_snippet64.bin"
 .else
        .incbin "probe_le_snippet32.bin"
 .endif
le_back:
        andi.   %r0, %r10, 1                    # did MSR[LE] stick?
        bne     1f
        li      %r9, PROBE_NO_EFFECT
1:
.endif
        T_END   PROBE_LE

        # 64-bit mode
        T_BEGIN PROBE_64BIT
.if FAM64
        li      %r5, 1
        sldi    %r5, %r5, 63                    # (runs in 32-bit mode too)
        or      %r5, %r5, %r29
        mtmsrd  %r5
        isync
        mfmsr   %r10
        SET_MSR   %r29
        rldicl. %r0, %r10, 1, 63                # did MSR[SF] stick?
        bne     1f
        li      %r9, PROBE_NO_EFFECT
1:
.else
        mtmsrd  %r29                            # illegal on 32-bit CPUs
        isync
        mfmsr   %r10
.endif
        T_END   PROBE_64BIT

        # pseries hcalls for the debug facilities
.if FAM64
        # DABR: value 0 (no match enables); TCG never matches a DABR anyway
        # (FACTS B2), so acceptance is all a probe can see.
        T_HCALL PROBE_H_SET_DABR, H_SET_DABR, 0, 0
        T_HCALL PROBE_H_SET_XDABR, H_SET_XDABR, 0, 3       # dabrx = user|kernel
        T_HWATCH PROBE_H_DAWR0, 2
        T_HWATCH PROBE_H_DAWR1, 5
.else
        T_NA    PROBE_H_SET_DABR
        T_NA    PROBE_H_SET_XDABR
        T_NA    PROBE_H_DAWR0
        T_NA    PROBE_H_DAWR1
.endif

        li      %r4, PPCR_ST_PROBED
        stw     %r4, MB_STATE(%r31)
        sync
        .globl probe_done
probe_done:
        sc                                      # exit through the boot part
        b       probe_done

# record(r3 = index): trapped if MB_VEC != 0, else status r9 / detail r10.
record:
        li      %r0, 0
        ST64    %r0, MB_RESUME
        SET_MSR   %r29
        slwi    %r4, %r3, 4
        addi    %r4, %r4, MB_PROBE
        add     %r4, %r4, %r31
        LD64    %r5, MB_VEC
        cmpwi   %r5, 0
        beq     1f
        li      %r6, PROBE_TRAPPED
        stw     %r6, 0(%r4)
        stw     %r5, 4(%r4)
        LD64    %r7, MB_SRR1
.if FAM64
        std     %r7, 8(%r4)
.else
        stw     %r0, 8(%r4)
        stw     %r7, 12(%r4)
.endif
        blr
1:      stw     %r9, 0(%r4)
        stw     %r0, 4(%r4)
.if FAM64
        std     %r10, 8(%r4)
.else
        stw     %r0, 8(%r4)
        stw     %r10, 12(%r4)
.endif
        blr

# record_status(r3 = index, r4 = status), detail unchanged
record_status:
        slwi    %r5, %r3, 4
        addi    %r5, %r5, MB_PROBE
        add     %r5, %r5, %r31
        stw     %r4, 0(%r5)
        blr
