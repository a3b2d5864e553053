//! A whole image: header, CPU state (record mask + records), memory
//! segments, and the CRC32C trailer. Decoding checks, in this order: size,
//! magic, major version, declared length, checksum, then every field
//! (docs/FORMAT.md §6).

use super::error::{DecodeError, EncodeError};
use super::header::{
    check_header, decode_header, decode_preamble, encode_header, Header, FIXED_HEADER_LEN,
    FORMAT_MAJOR, FORMAT_MINOR, TOTAL_LEN_OFFSET,
};
use super::reader::{Reader, Writer};
use super::record::*;
use serde::{Deserialize, Serialize};

/// Largest image this reader accepts (1 GiB): a guard against forged lengths.
pub const MAX_IMAGE_LEN: u64 = 1 << 30;
/// Bytes of the trailer (CRC32C).
pub const TRAILER_LEN: usize = 4;
/// Bytes of a record frame header.
pub const FRAME_LEN: usize = 8;
/// Bytes of a segment header.
pub const SEGMENT_HEADER_LEN: usize = 24;
/// The smallest possible image: fixed header, one-byte model (padded),
/// mask, ppc32 main record, segment count, trailer.
pub const MIN_IMAGE_LEN: usize = FIXED_HEADER_LEN + 8 + 8 + FRAME_LEN + 192 + 8 + TRAILER_LEN;

/// The CPU state: the main record and the optional records. Which records
/// are present *is* the record mask; there is no separate mask to disagree.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct CpuState {
    pub main: MainRegs,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub fpr: Option<FprRecord>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vmx: Option<VmxRecord>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vsx: Option<VsxRecord>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub spe: Option<SpeRecord>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dabr: Option<DabrRecord>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub dawr: Option<DawrRecord>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub booke_debug: Option<BookeDebugRecord>,
}

impl CpuState {
    /// The record mask.
    pub fn mask(&self) -> u64 {
        self.records().iter().fold(0, |m, k| m | k.mask())
    }

    /// The present records, main first, in bit order.
    pub fn records(&self) -> Vec<RecordKind> {
        RecordKind::ALL
            .into_iter()
            .filter(|k| self.has(*k))
            .collect()
    }

    /// Whether a record is present.
    pub fn has(&self, kind: RecordKind) -> bool {
        match kind {
            RecordKind::Main => true,
            RecordKind::Fpr => self.fpr.is_some(),
            RecordKind::Vmx => self.vmx.is_some(),
            RecordKind::Vsx => self.vsx.is_some(),
            RecordKind::Spe => self.spe.is_some(),
            RecordKind::Dabr => self.dabr.is_some(),
            RecordKind::Dawr => self.dawr.is_some(),
            RecordKind::BookeDebug => self.booke_debug.is_some(),
        }
    }
}

/// Segment permission flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct SegmentFlags {
    pub read: bool,
    pub write: bool,
    pub exec: bool,
}

impl SegmentFlags {
    fn to_word(self) -> u32 {
        u32::from(self.read) | u32::from(self.write) << 1 | u32::from(self.exec) << 2
    }

    fn from_word(w: u32) -> Option<Self> {
        (w & !7 == 0).then_some(Self {
            read: w & 1 != 0,
            write: w & 2 != 0,
            exec: w & 4 != 0,
        })
    }
}

/// A range of the process's memory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    pub addr: u64,
    pub flags: SegmentFlags,
    #[serde(with = "hex_bytes")]
    pub data: Vec<u8>,
}

impl Segment {
    /// One past the last address.
    pub fn end(&self) -> Option<u64> {
        self.addr.checked_add(self.data.len() as u64)
    }
}

mod hex_bytes {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        s.serialize_str(&hex)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        if s.len() % 2 != 0 {
            return Err(serde::de::Error::custom("odd number of hex digits"));
        }
        (0..s.len())
            .step_by(2)
            .map(|i| {
                s.get(i..i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| serde::de::Error::custom("bad hex digit"))
            })
            .collect()
    }
}

/// One checkpointed process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Image {
    pub header: Header,
    pub cpu: CpuState,
    pub segments: Vec<Segment>,
}

impl Image {
    /// Checks everything `encode` would refuse.
    pub fn validate(&self) -> Result<(), EncodeError> {
        check_header(&self.header)?;
        if let Some(d) = &self.cpu.dawr {
            check_dawr(d)?;
        }
        if let Some(d) = &self.cpu.booke_debug {
            check_booke(d)?;
        }
        let mut previous_end = 0u64;
        for (index, s) in self.segments.iter().enumerate() {
            let end = s.end().ok_or(EncodeError::BadSegment {
                index,
                addr: s.addr,
                reason: "address range wraps around",
            })?;
            if index > 0 && s.addr < previous_end {
                return Err(EncodeError::BadSegment {
                    index,
                    addr: s.addr,
                    reason: "overlaps or precedes the previous segment (segments are sorted and disjoint)",
                });
            }
            previous_end = end;
        }
        Ok(())
    }

    /// The encoded length, without encoding.
    pub fn encoded_len(&self) -> usize {
        let h = &self.header;
        let mut len = super::header::header_len(&h.source.model, &h.workload, &h.extension) + 8;
        for kind in self.cpu.records() {
            let payload = match kind {
                RecordKind::Dawr => dawr_len(self.cpu.dawr.map_or(0, |d| usize::from(d.count))),
                k => k.fixed_len(h.flavour).unwrap_or(0),
            };
            len += FRAME_LEN + payload + super::reader::padding8(payload);
        }
        len += 8;
        for s in &self.segments {
            len += SEGMENT_HEADER_LEN + s.data.len() + super::reader::padding8(s.data.len());
        }
        len + TRAILER_LEN
    }

    /// Encodes the image. Fails only for an image that could not decode back
    /// to itself (a value too wide for ppc32, a bad name, overlapping segments).
    pub fn encode(&self) -> Result<Vec<u8>, EncodeError> {
        self.validate()?;
        let size = self.encoded_len() as u64;
        if size > MAX_IMAGE_LEN {
            return Err(EncodeError::TooLarge {
                size,
                limit: MAX_IMAGE_LEN,
            });
        }
        let mut w = Writer::with_capacity(size as usize);
        encode_header(&mut w, &self.header);
        w.u64(self.cpu.mask());
        let flavour = self.header.flavour;
        for kind in self.cpu.records() {
            let frame_at = w.len();
            w.u16(kind.bit() as u16);
            w.u16(0);
            w.u32(0); // length, patched below
            let start = w.len();
            match kind {
                RecordKind::Main => encode_main(&mut w, &self.cpu.main, flavour)?,
                RecordKind::Fpr => self.cpu.fpr.iter().for_each(|r| encode_fpr(&mut w, r)),
                RecordKind::Vmx => self.cpu.vmx.iter().for_each(|r| encode_vmx(&mut w, r)),
                RecordKind::Vsx => self.cpu.vsx.iter().for_each(|r| encode_vsx(&mut w, r)),
                RecordKind::Spe => self.cpu.spe.iter().for_each(|r| encode_spe(&mut w, r)),
                RecordKind::Dabr => self.cpu.dabr.iter().for_each(|r| encode_dabr(&mut w, r)),
                RecordKind::Dawr => self.cpu.dawr.iter().for_each(|r| encode_dawr(&mut w, r)),
                RecordKind::BookeDebug => self
                    .cpu
                    .booke_debug
                    .iter()
                    .for_each(|r| encode_booke(&mut w, r)),
            }
            let len = (w.len() - start) as u32;
            w.bytes[frame_at + 4..frame_at + 8].copy_from_slice(&len.to_le_bytes());
            w.align8();
        }
        w.u32(self.segments.len() as u32);
        w.u32(0);
        for s in &self.segments {
            w.u64(s.addr);
            w.u64(s.data.len() as u64);
            w.u32(s.flags.to_word());
            w.u32(0);
            w.raw(&s.data);
            w.align8();
        }
        let total = (w.len() + TRAILER_LEN) as u64;
        w.bytes[TOTAL_LEN_OFFSET..TOTAL_LEN_OFFSET + 8].copy_from_slice(&total.to_le_bytes());
        let crc = crc32c::crc32c(&w.bytes);
        w.u32(crc);
        debug_assert_eq!(w.len() as u64, size);
        Ok(w.bytes)
    }

    /// Decodes and validates an image.
    pub fn decode(bytes: &[u8]) -> Result<Image, DecodeError> {
        decode_image(bytes, true)
    }

    /// Validates an image exactly as [`Image::decode`] does, without copying
    /// its memory segments: the checksum pass plus the field checks.
    pub fn verify(bytes: &[u8]) -> Result<(), DecodeError> {
        decode_image(bytes, false).map(drop)
    }
}

fn decode_image(bytes: &[u8], keep_segments: bool) -> Result<Image, DecodeError> {
    let len = bytes.len() as u64;
    if bytes.len() < MIN_IMAGE_LEN {
        // Still report a wrong magic first when there are enough bytes for it.
        if bytes.len() >= 8 && bytes[..8] != super::header::MAGIC {
            let mut found = [0u8; 8];
            found.copy_from_slice(&bytes[..8]);
            return Err(DecodeError::BadMagic { found });
        }
        return Err(DecodeError::TooShort {
            len,
            minimum: MIN_IMAGE_LEN as u64,
        });
    }
    let mut r = Reader::new(bytes);
    let pre = decode_preamble(&mut r)?;
    if pre.total_len > MAX_IMAGE_LEN {
        return Err(DecodeError::TooLarge {
            declared: pre.total_len,
            limit: MAX_IMAGE_LEN,
        });
    }
    if pre.total_len > len {
        return Err(DecodeError::TruncatedFile {
            declared: pre.total_len,
            actual: len,
        });
    }
    if pre.total_len < len {
        return Err(DecodeError::TrailingBytes {
            declared: pre.total_len,
            extra: len - pre.total_len,
        });
    }
    let body_len = bytes.len() - TRAILER_LEN;
    let stored = u32::from_le_bytes([
        bytes[body_len],
        bytes[body_len + 1],
        bytes[body_len + 2],
        bytes[body_len + 3],
    ]);
    let computed = crc32c::crc32c(&bytes[..body_len]);
    if stored != computed {
        return Err(DecodeError::ChecksumMismatch { stored, computed });
    }
    // From here on, read only the body: the trailer is not data.
    let body = &bytes[..body_len];
    let mut r = Reader::at(body, r.offset());
    let header = decode_header(&mut r, &pre)?;
    let cpu = decode_cpu(&mut r, &header)?;
    let segments = decode_segments(&mut r, keep_segments)?;
    if r.remaining() != 0 {
        return Err(DecodeError::TrailingData {
            offset: r.offset() as u64,
            len: r.remaining() as u64,
        });
    }
    Ok(Image {
        header,
        cpu,
        segments,
    })
}

fn decode_cpu(r: &mut Reader<'_>, header: &Header) -> Result<CpuState, DecodeError> {
    let mask = r.u64("record mask")?;
    if mask & RecordKind::Main.mask() == 0 {
        return Err(DecodeError::MissingMainRecord { mask });
    }
    let known = RecordKind::ALL.iter().fold(0u64, |m, k| m | k.mask());
    if mask & !known != 0 {
        return Err(DecodeError::UnknownRecordBit {
            bit: (mask & !known).trailing_zeros(),
            major: header.version.major,
            minor: header.version.minor,
            reader_major: FORMAT_MAJOR,
            reader_minor: FORMAT_MINOR,
        });
    }
    let flavour = header.flavour;
    let mut cpu = CpuState::default();
    for kind in RecordKind::ALL.into_iter().filter(|k| mask & k.mask() != 0) {
        let offset = r.offset() as u64;
        let found = r.u16("record kind")?;
        if u32::from(found) != kind.bit() {
            return Err(DecodeError::RecordOutOfOrder {
                offset,
                expected: kind,
                found,
            });
        }
        r.zeros(2, "record frame reserved bytes")?;
        let len = r.u32("record length")? as usize;
        if let Some(expected) = kind.fixed_len(flavour) {
            if len != expected {
                return Err(DecodeError::BadRecordLength {
                    record: kind,
                    offset,
                    expected: expected as u64,
                    found: len as u64,
                });
            }
        }
        let payload_at = r.offset();
        // Bound the record's reader to its declared length.
        let payload = r.take(len, "record payload")?;
        let mut pr = Reader::at(&r_body(r)[..payload_at + payload.len()], payload_at);
        match kind {
            RecordKind::Main => cpu.main = decode_main(&mut pr, flavour)?,
            RecordKind::Fpr => cpu.fpr = Some(decode_fpr(&mut pr)?),
            RecordKind::Vmx => cpu.vmx = Some(decode_vmx(&mut pr)?),
            RecordKind::Vsx => cpu.vsx = Some(decode_vsx(&mut pr)?),
            RecordKind::Spe => cpu.spe = Some(decode_spe(&mut pr)?),
            RecordKind::Dabr => cpu.dabr = Some(decode_dabr(&mut pr)?),
            RecordKind::Dawr => cpu.dawr = Some(decode_dawr(&mut pr, len)?),
            RecordKind::BookeDebug => cpu.booke_debug = Some(decode_booke(&mut pr)?),
        }
        r.align8("record padding")?;
    }
    Ok(cpu)
}

/// The whole byte slice a reader walks (records are read through a
/// sub-reader that shares absolute offsets).
fn r_body<'a>(r: &Reader<'a>) -> &'a [u8] {
    r.bytes()
}

fn decode_segments(r: &mut Reader<'_>, keep: bool) -> Result<Vec<Segment>, DecodeError> {
    let offset = r.offset() as u64;
    let count = u64::from(r.u32("segment count")?);
    r.zeros(4, "segment count reserved word")?;
    // Each segment needs at least its header: refuse counts the file cannot hold
    // before allocating anything sized by them.
    let available = r.remaining() as u64;
    if count > available / SEGMENT_HEADER_LEN as u64 {
        return Err(DecodeError::TooManySegments {
            count,
            offset,
            available,
        });
    }
    let mut segments = Vec::with_capacity(if keep { count as usize } else { 0 });
    let mut previous_end = 0u64;
    for index in 0..count as u32 {
        let at = r.offset() as u64;
        let addr = r.u64("segment address")?;
        let len = r.u64("segment length")?;
        let flags_word = r.u32("segment flags")?;
        let flags = SegmentFlags::from_word(flags_word).ok_or(DecodeError::BadSegmentFlags {
            index,
            offset: at,
            value: flags_word,
        })?;
        r.zeros(4, "segment reserved word")?;
        let end = addr.checked_add(len).ok_or(DecodeError::SegmentOverflow {
            index,
            offset: at,
            addr,
            len,
        })?;
        if index > 0 && addr < previous_end {
            return Err(DecodeError::SegmentOrder {
                index,
                offset: at,
                addr,
                previous_end,
            });
        }
        previous_end = end;
        let len = usize::try_from(len).map_err(|_| DecodeError::Truncated {
            what: "segment data",
            offset: r.offset() as u64,
            needed: len,
            available: r.remaining() as u64,
        })?;
        let data = r.take(len, "segment data")?;
        r.align8("segment padding")?;
        if keep {
            segments.push(Segment {
                addr,
                flags,
                data: data.to_vec(),
            });
        }
    }
    Ok(segments)
}
