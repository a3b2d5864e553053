//! Errors of the image format: one variant per check, each saying what is
//! wrong and where (absolute byte offset), with the expected and found values.

use super::record::RecordKind;
use thiserror::Error;

/// Why a byte string is not a valid image.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Shorter than the smallest possible image.
    #[error("not a ppcr image: {len} bytes, the smallest image is {minimum} bytes")]
    TooShort { len: u64, minimum: u64 },
    /// The first eight bytes are not the magic.
    #[error("not a ppcr image: magic is {found:02x?}, expected \"PPCRIMG\\0\"")]
    BadMagic { found: [u8; 8] },
    /// A newer (or unknown) major version.
    #[error("image format {major}.{minor} is not readable by this reader (format {reader_major}.{reader_minor}); a newer ppcr wrote it")]
    UnsupportedMajor {
        major: u16,
        minor: u16,
        reader_major: u16,
        reader_minor: u16,
    },
    /// The declared length exceeds the reader's limit.
    #[error("header declares {declared} bytes, more than the {limit}-byte limit of this reader")]
    TooLarge { declared: u64, limit: u64 },
    /// The file is shorter than its header says.
    #[error("image truncated: header declares {declared} bytes, only {actual} present")]
    TruncatedFile { declared: u64, actual: u64 },
    /// The file is longer than its header says.
    #[error("{extra} unexpected bytes after the declared end of the image at offset {declared}")]
    TrailingBytes { declared: u64, extra: u64 },
    /// The CRC32C over the image does not match.
    #[error("checksum mismatch: stored CRC32C {stored:#010x}, computed {computed:#010x} (image corrupted)")]
    ChecksumMismatch { stored: u32, computed: u32 },
    /// A field runs past the end of its section.
    #[error("truncated {what} at offset {offset}: needs {needed} bytes, {available} left")]
    Truncated {
        what: &'static str,
        offset: u64,
        needed: u64,
        available: u64,
    },
    /// A reserved field or padding byte is not zero.
    #[error("{what} at offset {offset} must be zero, found {value:#04x}")]
    NonZeroReserved {
        what: &'static str,
        offset: u64,
        value: u8,
    },
    /// The header length does not match its contents.
    #[error("header length is {found} bytes, expected {expected} for format {major}.{minor}")]
    BadHeaderLength {
        found: u64,
        expected: u64,
        major: u16,
        minor: u16,
    },
    /// Unknown process flavour code.
    #[error("unknown flavour code {value} at offset {offset} (1 ppc32, 2 ppc64, 3 ppc64le)")]
    UnknownFlavour { value: u8, offset: u64 },
    /// Unknown ELF ABI code.
    #[error("unknown ELF ABI code {value} at offset {offset} (0 unspecified, 1 ELFv1, 2 ELFv2)")]
    UnknownAbi { value: u8, offset: u64 },
    /// The flavour and the ABI contradict each other.
    #[error("flavour {flavour} cannot use {abi}")]
    AbiFlavourMismatch {
        flavour: &'static str,
        abi: &'static str,
    },
    /// Unknown bits in the CPU flags byte.
    #[error("unknown CPU flag bits {value:#04x} at offset {offset}")]
    UnknownCpuFlags { value: u8, offset: u64 },
    /// Unknown bits in the facilities word.
    #[error("unknown facility bits {value:#010x} at offset {offset}")]
    UnknownFacilities { value: u32, offset: u64 },
    /// A string field is empty, too long or not printable ASCII.
    #[error("{field} at offset {offset}: {reason}")]
    BadString {
        field: &'static str,
        offset: u64,
        reason: &'static str,
    },
    /// The main record bit is not set.
    #[error("record mask {mask:#018x} lacks bit 0 (main state), which every image has")]
    MissingMainRecord { mask: u64 },
    /// A record bit this reader does not know.
    #[error("record bit {bit} unknown to this reader (format {reader_major}.{reader_minor}; image is format {major}.{minor})")]
    UnknownRecordBit {
        bit: u32,
        major: u16,
        minor: u16,
        reader_major: u16,
        reader_minor: u16,
    },
    /// The record frame at this offset is not the next record of the mask.
    #[error("record frame at offset {offset} has kind {found}, expected {expected} (records follow the mask in bit order)")]
    RecordOutOfOrder {
        offset: u64,
        expected: RecordKind,
        found: u16,
    },
    /// A record's length is not the one its kind requires.
    #[error("{record} record at offset {offset}: length {found} bytes, expected {expected}")]
    BadRecordLength {
        record: RecordKind,
        offset: u64,
        expected: u64,
        found: u64,
    },
    /// A DAWR record claims an impossible number of slots.
    #[error("DAWR record at offset {offset}: {count} slots in use, must be 1 to {max}")]
    BadDawrCount { offset: u64, count: u32, max: u32 },
    /// A BookE in-use mask names a register that does not exist.
    #[error("BookE debug record at offset {offset}: {field} in-use mask {value:#04x} names registers beyond {max}")]
    BadDebugMask {
        offset: u64,
        field: &'static str,
        value: u8,
        max: u8,
    },
    /// More segments than the rest of the file could hold.
    #[error("segment count {count} at offset {offset} cannot fit in the {available} bytes left")]
    TooManySegments {
        count: u64,
        offset: u64,
        available: u64,
    },
    /// A segment's address range wraps around.
    #[error("segment {index} at offset {offset}: address {addr:#x} + length {len:#x} overflows")]
    SegmentOverflow {
        index: u32,
        offset: u64,
        addr: u64,
        len: u64,
    },
    /// Unknown segment flag bits.
    #[error("segment {index} at offset {offset}: unknown flag bits {value:#x}")]
    BadSegmentFlags { index: u32, offset: u64, value: u32 },
    /// Segments must be sorted by address and must not overlap.
    #[error("segment {index} at offset {offset} (address {addr:#x}) overlaps or precedes the previous segment ending at {previous_end:#x}")]
    SegmentOrder {
        index: u32,
        offset: u64,
        addr: u64,
        previous_end: u64,
    },
    /// Bytes between the last segment and the checksum.
    #[error("{len} unexpected bytes at offset {offset} before the checksum")]
    TrailingData { offset: u64, len: u64 },
}

/// Why an in-memory image cannot be encoded (it would not decode back to itself).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A register value does not fit the 4-byte slots of a ppc32 image.
    #[error("{field} = {value:#x} does not fit a 32-bit slot of a ppc32 image")]
    ValueTooWide { field: String, value: u64 },
    /// A string field is empty, too long or not printable ASCII.
    #[error("{field}: {reason}")]
    BadString {
        field: &'static str,
        reason: &'static str,
    },
    /// The flavour and the ABI contradict each other.
    #[error("flavour {flavour} cannot use {abi}")]
    AbiFlavourMismatch {
        flavour: &'static str,
        abi: &'static str,
    },
    /// DAWR slot count outside 1..=max.
    #[error("DAWR record has {count} slots in use, must be 1 to {max}")]
    BadDawrCount { count: usize, max: usize },
    /// A BookE in-use mask names a register that does not exist.
    #[error("BookE debug {field} in-use mask {value:#04x} names registers beyond {max}")]
    BadDebugMask {
        field: &'static str,
        value: u8,
        max: u8,
    },
    /// Segments overlap, are unsorted or wrap.
    #[error("segment {index} at {addr:#x}: {reason}")]
    BadSegment {
        index: usize,
        addr: u64,
        reason: &'static str,
    },
    /// The image would exceed the size limit.
    #[error("image of {size} bytes exceeds the {limit}-byte limit")]
    TooLarge { size: u64, limit: u64 },
}
