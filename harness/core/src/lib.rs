//! The pure core of ppcr: the PowerPC checkpoint image format, the CPU
//! catalogue and the restore policies.
//!
//! Layers, lowest first (each uses only those below it):
//! - [`format`]: image encode/decode/validate.
//! - [`cpu`]: capability bits, flavours, the CPU-model catalogue.
//! - [`policy`]: accept/refuse an image for a target CPU, with reasons.
//!
//! Nothing here performs I/O beyond byte slices, so a checkpointer can use
//! this crate without tokio or QEMU.

pub mod class;
pub mod cpu;
pub mod format;
pub mod policy;
pub mod synth;
