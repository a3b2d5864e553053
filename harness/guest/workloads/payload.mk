# Workloads (docs/WORKLOADS.md): user parts linked at PPCR_USER_BASE and
# loaded raw there, one build per flavour, the same bytes for every family
# of that flavour. Payload names: wl_<workload>_<flavour> (a '-' in the
# workload name is '_' here: efp-double -> wl_efp_double_ppc32).
WL_DIR := $(GUEST_DIR)/workloads
WL_ppc32   := int fp vmx spe efp_double dabr dawr booke_debug isa300 isa31 dispatch
WL_ppc64   := int fp vmx vsx dabr dawr booke_debug isa300 isa31 dispatch mix
WL_ppc64le := int fp vmx vsx dabr dawr isa300 isa31 dispatch mix
PAYLOADS += $(foreach f,ppc32 ppc64 ppc64le,$(foreach w,$(WL_$(f)),wl_$(w)_$(f)))

WL_ASFLAGS := $(GUEST_ASFLAGS) -mregnames -I $(WL_DIR)
WL_DEPS := $(WL_DIR)/wl.inc $(WL_DIR)/payload.mk $(COMMON_DEPS)

$(OUT)/wl_%_ppc32.o: $(WL_DIR)/%.s $(WL_DEPS) | $(OUT)
	$(AS32) $(WL_ASFLAGS) -mbig --defsym W64=0 --defsym LE=0 -o $@ $<
$(OUT)/wl_%_ppc64.o: $(WL_DIR)/%.s $(WL_DEPS) | $(OUT)
	$(AS64) $(WL_ASFLAGS) -a64 -mbig --defsym W64=1 --defsym LE=0 -o $@ $<
$(OUT)/wl_%_ppc64le.o: $(WL_DIR)/%.s $(WL_DEPS) | $(OUT)
	$(AS64LE) $(WL_ASFLAGS) -a64 -mlittle --defsym W64=1 --defsym LE=1 -o $@ $<
$(OUT)/wl_%_ppc32.elf: $(OUT)/wl_%_ppc32.o
	$(LD32) $(GUEST_LDFLAGS) -Ttext=0x500000 -o $@ $<
$(OUT)/wl_%_ppc64.elf: $(OUT)/wl_%_ppc64.o
	$(LD64) $(GUEST_LDFLAGS) -Ttext=0x500000 -o $@ $<
$(OUT)/wl_%_ppc64le.elf: $(OUT)/wl_%_ppc64le.o
	$(LD64LE) $(GUEST_LDFLAGS) -Ttext=0x500000 -o $@ $<
