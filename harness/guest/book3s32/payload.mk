# Book3S-32 (750, 74xx, e300) on mac99/g3beige: raw -bios ROM image at
# 0xfff00000 and the probe.
B3S32_DIR := $(GUEST_DIR)/book3s32
PAYLOADS += book3s32_ppc32 probe_book3s32

$(OUT)/book3s32_ppc32.o: $(B3S32_DIR)/boot.s $(COMMON_DEPS) | $(OUT)
	$(AS32) $(GUEST_ASFLAGS) -mbig -o $@ $<
$(OUT)/book3s32_ppc32.elf: $(OUT)/book3s32_ppc32.o
	$(LD32) $(GUEST_LDFLAGS) -Ttext=0xfff00000 -o $@ $<

$(OUT)/probe_le_snippet32.o: $(COMMON)/le_snippet.s | $(OUT)
	$(AS32) $(GUEST_ASFLAGS) -mlittle --defsym FAM64=0 -o $@ $<
$(OUT)/probe_le_snippet32.bin: $(OUT)/probe_le_snippet32.o
	$(OBJCOPY) -O binary -j .text $< $@
$(OUT)/probe_book3s32.o: $(COMMON)/probe_book3s.s $(OUT)/probe_le_snippet32.bin $(COMMON_DEPS)
	$(AS32) $(GUEST_ASFLAGS) -mbig --defsym FAM64=0 --defsym LE=0 -o $@ $<
$(OUT)/probe_book3s32.elf: $(OUT)/probe_book3s32.o
	$(LD32) $(GUEST_LDFLAGS) -Ttext=0x500000 -o $@ $<
