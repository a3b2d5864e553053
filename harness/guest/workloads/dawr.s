# dawr: DAWR record (POWER8+ on pseries). Arms DAWR0 with H_SET_MODE on a
# doubleword at data+0x100 (DW|WTI|privileged: the user part runs in
# supervisor state), then stores into it with MB_RESUME armed: a hit is a
# DSI (0x300) the boot part returns from at the hit label. Hits before and
# after the checkpoint are counted into the checksum, so a restore that
# does not re-arm the watch is `wrong`.
        .include "wl.inc"
        .equ WATCH, PPCR_DATA_BASE+0x100
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
3:      stw     r16, 0x108(r29)         # outside the watch
        FOLDR   r16
        addi    r14, r14, 4
        addi    r15, r15, -1
        cmpwi   cr7, r15, 0
        bne     cr7, 1b
        mtlr    r23
        blr
