# dispatch: picks a copy routine from the hwcap word the harness hands it in
# MB_HWCAP (low word = AT_HWCAP), as glibc ifunc does: VSX, else VMX, else
# FP, else integer. The choice is made and kept in r24 (and data+0x7fc)
# before the checkpoint; the chosen path first runs after it, enabling its
# facility then (as Linux does on first use), so no record betrays the
# choice. Every path computes the same result.
        .include "wl.inc"
        .equ HAS_VSX,     0x00000080
        .equ HAS_ALTIVEC, 0x10000000
        .equ HAS_FPU,     0x08000000
        WL_START
.if W64
        ld      r5, MB_HWCAP(r31)
.else
        lwz     r5, MB_HWCAP+4(r31)
.endif
        li      r24, 3
        andi.   r0, r5, HAS_VSX
        bne     1f
        li      r24, 2
        andis.  r0, r5, HAS_ALTIVEC@h
        bne     1f
        li      r24, 1
        andis.  r0, r5, HAS_FPU@h
        bne     1f
        li      r24, 0
1:      stw     r24, 0x7fc(r29)
        GEN     0, 64, 0xd15ba7c4
        CKPT
        cmpwi   cr7, r24, 3
        beq     cr7, path_vsx
        cmpwi   cr7, r24, 2
        beq     cr7, path_vmx
        cmpwi   cr7, r24, 1
        beq     cr7, path_fp
path_int:
        .irp n, 0,4,8,12,16,20,24,28,32,36,40,44,48,52,56,60
        lwz     r0, \n*4(r29)
        stw     r0, 0x400+\n*4(r29)
        lwz     r0, \n*4+4(r29)
        stw     r0, 0x400+\n*4+4(r29)
        lwz     r0, \n*4+8(r29)
        stw     r0, 0x400+\n*4+8(r29)
        lwz     r0, \n*4+12(r29)
        stw     r0, 0x400+\n*4+12(r29)
        .endr
        b       done
path_fp:
        MSR_OR  0, MSR_FP_LO
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        lfd     \n, \n*8(r29)
        stfd    \n, 0x400+\n*8(r29)
        .endr
        b       done
path_vmx:
        MSR_OR  MSR_VEC_HI, 0
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        li      r28, \n*16
        lvx     \n, r29, r28
        li      r28, 0x400+\n*16
        stvx    \n, r29, r28
        .endr
        b       done
path_vsx:
        MSR_OR  MSR_VSX_HI, MSR_FP_LO
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        li      r28, \n*16
        lxvd2x  \n, r29, r28
        li      r28, 0x400+\n*16
        stxvd2x \n, r29, r28
        .endr
done:
        FOLD    0x400, 64
        WL_END
