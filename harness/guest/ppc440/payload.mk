# 440 on bamboo (440epb): boot part loaded by QEMU's -kernel (ELF, entry
# _start). The boot code is shared with Book E (booke/core.inc); the probe is
# booke/probe_booke (see booke/payload.mk).
PPC440_DIR := $(GUEST_DIR)/ppc440
PAYLOADS += ppc440_ppc32

$(OUT)/ppc440_ppc32.o: $(PPC440_DIR)/ppc440.s $(GUEST_DIR)/booke/core.inc $(PPC440_DIR)/payload.mk $(COMMON_DEPS) | $(OUT)
	$(AS32) $(GUEST_ASFLAGS) -mregnames -mbig -I $(GUEST_DIR)/booke -o $@ $<
$(OUT)/ppc440_ppc32.elf: $(OUT)/ppc440_ppc32.o
	$(LD32) $(GUEST_LDFLAGS) -Ttext=0 -o $@ $<
