//! Integration tests of ppcr-qemu, one binary (see Cargo.toml `autotests`).
//!
//! - `fake_qmp`: the QMP client against an in-process fake server (faults).
//! - `find`: locating QEMU and its version check.
//! - `real_qemu`: real `qemu-system-ppc{,64}` guests. Missing QEMU fails
//!   these tests with the install command; they never skip.
//! - `cleanup`: no QEMU outlives a dropped guest, a panic, a timeout, or
//!   the death of the launching process by signal.

mod cleanup;
mod fake_qmp;
mod find;
mod real_qemu;
mod util;
