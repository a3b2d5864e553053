# Book3S-64 on pseries: raw -bios images at 0 (one per flavour) and the probe.
B3S64_DIR := $(GUEST_DIR)/book3s64
PAYLOADS += book3s64_ppc64 book3s64_ppc32 book3s64_ppc64le probe_book3s64 probe_book3s64le

# trampoline at 0x100: always big-endian
$(OUT)/book3s64_tramp_%.o: $(B3S64_DIR)/tramp.s $(COMMON_DEPS) | $(OUT)
	$(AS64) $(GUEST_ASFLAGS) -a64 -mbig --defsym LE=$(if $(filter le,$*),1,0) -o $@ $<
$(OUT)/book3s64_tramp_%.bin: $(OUT)/book3s64_tramp_%.o
	$(OBJCOPY) -O binary -j .text $< $@

$(OUT)/book3s64_ppc64.o: $(B3S64_DIR)/boot.s $(OUT)/book3s64_tramp_be.bin $(COMMON_DEPS)
	$(AS64) $(GUEST_ASFLAGS) -a64 -mbig --defsym FLAV=0 -o $@ $<
$(OUT)/book3s64_ppc32.o: $(B3S64_DIR)/boot.s $(OUT)/book3s64_tramp_be.bin $(COMMON_DEPS)
	$(AS64) $(GUEST_ASFLAGS) -a64 -mbig --defsym FLAV=1 -o $@ $<
$(OUT)/book3s64_ppc64le.o: $(B3S64_DIR)/boot.s $(OUT)/book3s64_tramp_le.bin $(COMMON_DEPS)
	$(AS64LE) $(GUEST_ASFLAGS) -a64 -mlittle --defsym FLAV=2 -o $@ $<
$(OUT)/book3s64_ppc64.elf $(OUT)/book3s64_ppc32.elf: $(OUT)/%.elf: $(OUT)/%.o
	$(LD64) $(GUEST_LDFLAGS) -Ttext=0 -o $@ $<
$(OUT)/book3s64_ppc64le.elf: $(OUT)/book3s64_ppc64le.o
	$(LD64LE) $(GUEST_LDFLAGS) -Ttext=0 -o $@ $<

# probe: code in the image's byte order, MSR[LE] snippet in the other one
$(OUT)/probe_le_snippet64.o: $(COMMON)/le_snippet.s | $(OUT)
	$(AS64LE) $(GUEST_ASFLAGS) -a64 -mlittle --defsym FAM64=1 -o $@ $<
$(OUT)/probe_le_snippet64.bin: $(OUT)/probe_le_snippet64.o
	$(OBJCOPY) -O binary -j .text $< $@
$(OUT)/probe_book3s64.o: $(COMMON)/probe_book3s.s $(OUT)/probe_le_snippet64.bin $(COMMON_DEPS)
	$(AS64) $(GUEST_ASFLAGS) -a64 -mbig --defsym FAM64=1 --defsym LE=0 -o $@ $<
$(OUT)/probe_book3s64le.o: $(COMMON)/probe_book3s.s $(COMMON_DEPS) | $(OUT)
	$(AS64LE) $(GUEST_ASFLAGS) -a64 -mlittle --defsym FAM64=1 --defsym LE=1 -o $@ $<
$(OUT)/probe_book3s64.elf: $(OUT)/probe_book3s64.o
	$(LD64) $(GUEST_LDFLAGS) -Ttext=0x500000 -o $@ $<
$(OUT)/probe_book3s64le.elf: $(OUT)/probe_book3s64le.o
	$(LD64LE) $(GUEST_LDFLAGS) -Ttext=0x500000 -o $@ $<
