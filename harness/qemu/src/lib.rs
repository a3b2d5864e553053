//! QEMU process and QMP layer of ppcr (see DESIGN §3, layer 4).
