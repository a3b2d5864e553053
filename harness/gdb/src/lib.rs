//! GDB remote serial protocol client (see DESIGN §3, layer 4).
