# dawr: DAWR record (POWER8+ on pseries). Arms DAWR0 with H_SET_MODE on a
# doubleword at data+0x100 (DW|WTI|privileged: the user part runs in
# supervisor state), then stores into it with MB_RESUME armed: a hit is a
# DSI (0x300) the boot part returns from at the hit label. Hits before and
# after the checkpoint are counted into the checksum, so a restore that
# does not re-arm the watch is `wrong`. DAWR1 (resource 5) watches
# data+0x110 the same way: it exists on POWER10/11 only (QEMU answers
# H_SUCCESS on POWER8/9 too but arms nothing, so there the stores to it
# never hit and the checkpoint records one slot).
        .include "wl.inc"
        .equ WATCH, PPCR_DATA_BASE+0x100
        .equ WATCH1, PPCR_DATA_BASE+0x110
        .equ DAWRX_VAL, 0x4a            # DW | WTI | KERNEL
        WL_START
        li      r3, H_SET_MODE
        li      r4, 0
        li      r5, 2
        lis     r6, WATCH@h
        ori     r6, r6, WATCH@l
        li      r7, DAWRX_VAL
        sc      1
        FOLDR   r3                      # hcall status (0)
        li      r3, H_SET_MODE
        li      r4, 0
        li      r5, 5
        lis     r6, WATCH1@h
        ori     r6, r6, WATCH1@l
        li      r7, DAWRX_VAL
        sc      1
        FOLDR   r3
        GEN     0, 32, 0xda3da3da
        li      r24, 0                  # hits
        li      r14, 0
        li      r15, 8
        bl      storeloop
        CKPT
        li      r15, 8
        bl      storeloop
        FOLDR   r24
        FOLD    0, 32
        WL_END

# r15 iterations: store word r14 of the data to the watched word (hit),
# then to the word after the watch (no hit).
storeloop:
        mflr    r23
1:      lwzx    r16, r29, r14
        SET_RESUME 2f
        stw     r16, 0x100(r29)         # watched: DSI -> 2f
        CLEAR_RESUME
        b       3f
2:      addi    r24, r24, 1
3:      SET_RESUME 4f
        stw     r16, 0x110(r29)         # DAWR1's word (POWER10+): DSI -> 4f
        CLEAR_RESUME
        b       5f
4:      addi    r24, r24, 0x100
5:      stw     r16, 0x108(r29)         # outside both watches
        FOLDR   r16
        addi    r14, r14, 4
        addi    r15, r15, -1
        cmpwi   cr7, r15, 0
        bne     cr7, 1b
        mtlr    r23
        blr
