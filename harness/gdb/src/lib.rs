//! GDB remote serial protocol client (see DESIGN §3, layer 4).
//!
//! A small async client for the protocol as QEMU 10.0's gdbstub speaks it:
//! acks always on (QEMU offers no no-ack mode), checksums verified, bad
//! packets NAKed and resent a bounded number of times, every operation
//! under a deadline, and a bounded [`Transcript`] of the wire for bug
//! reports.
//!
//! - [`Client`] — the connection: registers (`g`/`G`/`p`/`P`), memory
//!   (`m`/`M`/`X`), breakpoints (`Z`/`z`), threads, resume/step/interrupt,
//!   the target description.
//! - [`TargetDescription`] — registers with gdb's numbering, from
//!   `target.xml` and its includes.
//! - [`StopReply`] — `S`/`T`/`W`/`X` replies.
//! - [`RegisterValue`] and [`ByteOrder`] — raw register bytes; the caller
//!   picks the byte order (QEMU follows the guest's current `MSR[LE]`).
//! - [`GdbError`] — one variant per failure.
//! - [`packet`] — framing, checksums, run-length decoding, escaping.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ppcr_gdb::GdbError> {
//! use ppcr_gdb::{ByteOrder, Client};
//!
//! let mut gdb = Client::connect_unix("/tmp/vm/gdb.sock").await?;
//! let tdesc = gdb.target_description().await?;
//! let pc = tdesc.register("pc").expect("core feature");
//! let value = gdb.read_register(pc.regnum).await?;
//! println!("pc = {:#x}", value.to_u64(ByteOrder::Big)?);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod client;
pub mod error;
pub mod packet;
pub mod register;
pub mod stop;
pub mod target_xml;
pub mod thread;
pub mod transcript;

pub use client::{
    BreakpointKind, Client, Config, ResumeAction, Supported, VContAction, WithTimeout,
};
pub use error::{GdbError, Result};
pub use register::{ByteOrder, RegisterValue};
pub use stop::{Stop, StopReason, StopReply};
pub use target_xml::{Register, TargetDescription};
pub use thread::{IdPart, ThreadId};
pub use transcript::{Direction, Transcript, TranscriptEntry};
