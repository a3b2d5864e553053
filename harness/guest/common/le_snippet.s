# Assembled in the *other* byte order than the probe that .incbin's it:
# executed with MSR[LE] flipped, returns to r8 with MSR = r29.
# Its first word read in the probe's own byte order has primary opcode 0
# (illegal), so a CPU that ignores MSR[LE] traps instead of running garbage.
        .text
        li      %r11, 1
        mfmsr   %r10
        mtsrr1  %r29
        mtsrr0  %r8
.if FAM64
        rfid
.else
        rfi
.endif
