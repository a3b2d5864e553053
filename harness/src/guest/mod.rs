//! Layer 5, "guest": the bare-metal payloads (built from `harness/guest` by
//! `build.rs`), where their symbols and buffers live, how QEMU boots them,
//! and the capability probe. The contract is docs/GUEST.md.

pub mod boot;
pub mod error;
pub mod launch;
pub mod mailbox;
pub mod payload;
pub mod probe;
pub mod regs;

pub use boot::{
    boot, boot_with, run_probe, BootOptions, BootTimings, ProbeReport, ReadyGuest, UserOutcome,
};
pub use error::GuestError;
pub use launch::{GuestSpec, LaunchPlan};
pub use mailbox::{ByteOrder, ExceptionRecord, Mailbox, State};
pub use payload::Payload;
pub use probe::{Findings, Mismatch, ProbeIndex, ProbeResults, ProbeStatus};
