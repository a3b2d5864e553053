//! Integration tests of ppcr-gdb, indexed from one file:
//! - `fake`: a scripted in-process stub over a tokio duplex pipe;
//! - `protocol`: every command against the fake stub;
//! - `faults`: garbage, closes, stalls, bad checksums, NAKs, size caps;
//! - `props`: properties of the pure layers over arbitrary input;
//! - `qemu`: the real QEMU 10.0 gdbstub (fails, never skips, without QEMU).

mod fake;
mod faults;
mod props;
mod protocol;
mod qemu;
