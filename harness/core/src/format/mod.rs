//! Layer 1 — the image format: encode, decode, validate (docs/FORMAT.md).
//!
//! Pure: byte slices in, byte vectors out; no I/O, no tokio, no QEMU.

mod error;
mod header;
mod image;
mod reader;
mod record;

pub use error::{DecodeError, EncodeError};
pub use header::{
    CapabilityWords, DebugCounts, ElfAbi, Facilities, Flavour, FormatVersion, Header, SourceCpu,
    FORMAT_MAJOR, FORMAT_MINOR, MAGIC, MAX_NAME_LEN,
};
pub use image::{CpuState, Image, Segment, SegmentFlags, MAX_IMAGE_LEN, MIN_IMAGE_LEN};
pub use record::{
    dabr_bits, dawrx_bits, BookeDebugRecord, DabrRecord, DawrRecord, DawrSlot, FprRecord, MainRegs,
    RecordKind, SpeRecord, VmxRecord, VsxRecord, MAX_DAWR_SLOTS, PT_REGS_COUNT,
};
