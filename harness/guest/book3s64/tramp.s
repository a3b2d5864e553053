# book3s64 entry trampoline, always big-endian: pseries enters at 0x100 in
# 32-bit BE mode (MSR=0x3000) with r3 = FDT. Assembled on its own and
# `.incbin`ed at 0x100 by boot.s, so the LE image carries BE code here.
#
# LE (--defsym LE=1): ask the hypervisor for little-endian interrupts
# (H_SET_MODE resource 4, mflags 1 = LPCR[ILE]; LPCR is hypervisor-only in a
# pseries guest), then rfid to `start` with MSR[LE]=1.
        .include "ppcr.inc"
        .equ H_SET_MODE,        0x31c
        .equ START,             0x2000          # boot.s places `start` here
        .text
tramp:
        mr      %r29, %r3                       # FDT
        li      %r28, 0                         # hcall status (BE: none)
.if LE
        li      %r3, H_SET_MODE
        li      %r4, 1                          # mflags: interrupts little-endian
        li      %r5, 4                          # resource: LE interrupts
        li      %r6, 0
        li      %r7, 0
        sc      1
        mr      %r28, %r3
.endif
        li      %r11, 1
        sldi    %r11, %r11, 63                  # MSR[SF]
        ori     %r11, %r11, 0x1000 | LE         # MSR[ME] (| MSR[LE])
        li      %r10, START
        mtsrr0  %r10
        mtsrr1  %r11
        rfid
