# Book E on ppce500 (e500v1, e500v2, e500mc, e5500, e6500): boot parts loaded
# by QEMU's -kernel (ELF at p_paddr 0, entry _start) and the probe user part
# (linked at PPCR_USER_BASE, loaded raw from $(OUT)/probe_booke.bin). The
# 440 (bamboo) boot part shares core.inc; see ppc440/payload.mk.
BOOKE_DIR := $(GUEST_DIR)/booke
PAYLOADS += booke_ppc32 booke_ppc64 probe_booke

# core.inc uses bare register names
BOOKE_ASFLAGS := $(GUEST_ASFLAGS) -mregnames -mbig -I $(BOOKE_DIR)
BOOKE_DEPS := $(BOOKE_DIR)/core.inc $(BOOKE_DIR)/payload.mk $(COMMON_DEPS)

$(OUT)/booke_ppc32.o: $(BOOKE_DIR)/booke.s $(BOOKE_DEPS) | $(OUT)
	$(AS32) $(BOOKE_ASFLAGS) --defsym FLAVOUR64=0 -o $@ $<
$(OUT)/booke_ppc64.o: $(BOOKE_DIR)/booke.s $(BOOKE_DEPS) | $(OUT)
	$(AS64) $(BOOKE_ASFLAGS) -a64 --defsym FLAVOUR64=1 -o $@ $<
$(OUT)/booke_ppc32.elf: $(OUT)/booke_ppc32.o
	$(LD32) $(GUEST_LDFLAGS) -Ttext=0 -o $@ $<
$(OUT)/booke_ppc64.elf: $(OUT)/booke_ppc64.o
	$(LD64) $(GUEST_LDFLAGS) -Ttext=0 -o $@ $<

# one probe for every Book E model and flavour (ppc440 too)
$(OUT)/probe_booke.o: $(BOOKE_DIR)/probe_booke.s $(BOOKE_DEPS) | $(OUT)
	$(AS32) $(BOOKE_ASFLAGS) -o $@ $<
$(OUT)/probe_booke.elf: $(OUT)/probe_booke.o
	$(LD32) $(GUEST_LDFLAGS) -Ttext=0x500000 -o $@ $<
