//! The image header: format version, process flavour, ABI, the source CPU's
//! identity and the capability set the process saw (docs/FORMAT.md §2).

use super::error::{DecodeError, EncodeError};
use super::reader::{Reader, Writer};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The eight magic bytes every image starts with.
pub const MAGIC: [u8; 8] = *b"PPCRIMG\0";
/// The major version this crate writes and reads.
pub const FORMAT_MAJOR: u16 = 1;
/// The minor version this crate writes; it reads every minor of its major.
pub const FORMAT_MINOR: u16 = 0;
/// Bytes of the fixed header part, before the strings.
pub const FIXED_HEADER_LEN: usize = 56;
/// Longest model or workload name.
pub const MAX_NAME_LEN: usize = 63;

/// A format version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FormatVersion {
    pub major: u16,
    pub minor: u16,
}

impl FormatVersion {
    /// The version this crate writes.
    pub const CURRENT: FormatVersion = FormatVersion {
        major: FORMAT_MAJOR,
        minor: FORMAT_MINOR,
    };
}

impl fmt::Display for FormatVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The process mode: word size and byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Flavour {
    /// 32-bit big-endian.
    Ppc32,
    /// 64-bit big-endian.
    Ppc64,
    /// 64-bit little-endian.
    Ppc64le,
}

impl Flavour {
    /// Every flavour.
    pub const ALL: [Flavour; 3] = [Flavour::Ppc32, Flavour::Ppc64, Flavour::Ppc64le];

    /// The code stored in the header.
    pub const fn code(self) -> u8 {
        match self {
            Flavour::Ppc32 => 1,
            Flavour::Ppc64 => 2,
            Flavour::Ppc64le => 3,
        }
    }

    /// The flavour of a header code.
    pub const fn from_code(code: u8) -> Option<Self> {
        match code {
            1 => Some(Flavour::Ppc32),
            2 => Some(Flavour::Ppc64),
            3 => Some(Flavour::Ppc64le),
            _ => None,
        }
    }

    /// Bytes of a `pt_regs` slot.
    pub const fn word_size(self) -> usize {
        match self {
            Flavour::Ppc32 => 4,
            Flavour::Ppc64 | Flavour::Ppc64le => 8,
        }
    }

    /// Whether the process runs in 64-bit mode.
    pub const fn is_64bit(self) -> bool {
        !matches!(self, Flavour::Ppc32)
    }

    /// Whether the process is little-endian.
    pub const fn is_little_endian(self) -> bool {
        matches!(self, Flavour::Ppc64le)
    }

    /// The name used on the command line.
    pub const fn name(self) -> &'static str {
        match self {
            Flavour::Ppc32 => "ppc32",
            Flavour::Ppc64 => "ppc64",
            Flavour::Ppc64le => "ppc64le",
        }
    }

    /// Parses a command-line name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }
}

impl fmt::Display for Flavour {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The ELF ABI of the process (`e_flags & 3`), which decides signal delivery
/// (TIF_ELF2ABI) and appears in no regset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ElfAbi {
    /// Not stated (ppc32 has neither).
    Unspecified,
    /// ELFv1: function descriptors (usual on ppc64 big-endian).
    V1,
    /// ELFv2 (always on ppc64le).
    V2,
}

impl ElfAbi {
    pub(crate) const fn code(self) -> u8 {
        match self {
            ElfAbi::Unspecified => 0,
            ElfAbi::V1 => 1,
            ElfAbi::V2 => 2,
        }
    }

    pub(crate) const fn from_code(code: u8) -> Option<Self> {
        match code {
            0 => Some(ElfAbi::Unspecified),
            1 => Some(ElfAbi::V1),
            2 => Some(ElfAbi::V2),
            _ => None,
        }
    }

    /// A short name.
    pub const fn name(self) -> &'static str {
        match self {
            ElfAbi::Unspecified => "unspecified",
            ElfAbi::V1 => "ELFv1",
            ElfAbi::V2 => "ELFv2",
        }
    }

    /// The ABI a process of `flavour` usually has: none on ppc32, ELFv1 on
    /// ppc64 big-endian (FACTS A§7), ELFv2 on ppc64le.
    pub const fn usual_for(flavour: Flavour) -> Self {
        match flavour {
            Flavour::Ppc32 => ElfAbi::Unspecified,
            Flavour::Ppc64 => ElfAbi::V1,
            Flavour::Ppc64le => ElfAbi::V2,
        }
    }

    /// Whether a process of `flavour` can use this ABI: ppc32 has no ELFv1/v2
    /// distinction and ppc64le is ELFv2 only.
    pub const fn fits(self, flavour: Flavour) -> bool {
        matches!(
            (flavour, self),
            (Flavour::Ppc32, ElfAbi::Unspecified)
                | (Flavour::Ppc64, _)
                | (Flavour::Ppc64le, ElfAbi::Unspecified | ElfAbi::V2)
        )
    }
}

/// Debug resources of a CPU: slot and register counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct DebugCounts {
    pub dabr: u8,
    pub dawr: u8,
    pub iac: u8,
    pub dac: u8,
    pub dvc: u8,
}

/// The capability set as the process saw it, stored as raw words: AT_HWCAP,
/// AT_HWCAP2, the CPU's 64-bit and true-LE ability, and its debug resources.
/// The `cpu` layer gives the bits their names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct CapabilityWords {
    pub hwcap: u32,
    pub hwcap2: u32,
    pub cpu64: bool,
    pub true_le: bool,
    pub debug: DebugCounts,
}

/// The CPU the image was checkpointed on.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SourceCpu {
    /// The QEMU `-cpu` name (printable ASCII, 1–63 bytes).
    pub model: String,
    /// The processor version register.
    pub pvr: u32,
    /// What the process could observe.
    pub caps: CapabilityWords,
}

/// The process-visible meaning of the source MSR: which facilities the
/// process had enabled. A restore builds the target MSR from this and the
/// flavour, never from the raw MSR bits (Book3S and BookE lay them out
/// differently; bit 25 is VEC on one and SPE on the other).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Facilities {
    pub fp: bool,
    pub vec: bool,
    pub vsx: bool,
    pub spe: bool,
    /// FP exception mode bits MSR[FE0] and MSR[FE1].
    pub fe0: bool,
    pub fe1: bool,
}

impl Facilities {
    const BITS: [(u32, &'static str); 6] = [
        (1 << 0, "fp"),
        (1 << 1, "vec"),
        (1 << 2, "vsx"),
        (1 << 3, "spe"),
        (1 << 4, "fe0"),
        (1 << 5, "fe1"),
    ];

    /// The stored word.
    pub fn to_word(self) -> u32 {
        let flags = [self.fp, self.vec, self.vsx, self.spe, self.fe0, self.fe1];
        Self::BITS
            .iter()
            .zip(flags)
            .filter(|(_, on)| *on)
            .fold(0, |acc, ((bit, _), _)| acc | bit)
    }

    /// Parses the stored word; unknown bits are returned as the error value.
    pub fn from_word(word: u32) -> Result<Self, u32> {
        let known: u32 = Self::BITS.iter().map(|(b, _)| b).sum();
        if word & !known != 0 {
            return Err(word & !known);
        }
        let on = |i: usize| word & Self::BITS[i].0 != 0;
        Ok(Self {
            fp: on(0),
            vec: on(1),
            vsx: on(2),
            spe: on(3),
            fe0: on(4),
            fe1: on(5),
        })
    }

    /// Names of the enabled facilities.
    pub fn names(self) -> Vec<&'static str> {
        let word = self.to_word();
        Self::BITS
            .iter()
            .filter(|(b, _)| word & b != 0)
            .map(|(_, n)| *n)
            .collect()
    }
}

/// Everything before the CPU state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Header {
    /// The version of the encoding (decoded images keep theirs).
    pub version: FormatVersion,
    pub flavour: Flavour,
    pub abi: ElfAbi,
    pub source: SourceCpu,
    pub facilities: Facilities,
    /// The workload that was checkpointed (printable ASCII, 0–63 bytes).
    pub workload: String,
    /// Header bytes appended by a newer minor version, kept verbatim so that
    /// re-encoding is exact.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub extension: Vec<u8>,
}

const CPU_FLAG_64: u8 = 1 << 0;
const CPU_FLAG_TRUE_LE: u8 = 1 << 1;

pub(crate) fn header_len(model: &str, workload: &str, extension: &[u8]) -> usize {
    let strings = FIXED_HEADER_LEN + model.len() + workload.len();
    strings + super::reader::padding8(strings) + extension.len()
}

fn check_name(field: &'static str, s: &str, allow_empty: bool) -> Result<(), &'static str> {
    if s.is_empty() && !allow_empty {
        return Err("must not be empty");
    }
    if s.len() > MAX_NAME_LEN {
        return Err("longer than 63 bytes");
    }
    if !s.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be printable ASCII without spaces");
    }
    let _ = field;
    Ok(())
}

pub(crate) fn check_header(h: &Header) -> Result<(), EncodeError> {
    check_name("model", &h.source.model, false).map_err(|reason| EncodeError::BadString {
        field: "source model",
        reason,
    })?;
    check_name("workload", &h.workload, true).map_err(|reason| EncodeError::BadString {
        field: "workload",
        reason,
    })?;
    if !h.abi.fits(h.flavour) {
        return Err(EncodeError::AbiFlavourMismatch {
            flavour: h.flavour.name(),
            abi: h.abi.name(),
        });
    }
    if h.extension.len() % 8 != 0 {
        return Err(EncodeError::BadString {
            field: "header extension",
            reason: "length must be a multiple of 8",
        });
    }
    Ok(())
}

/// Writes the header; `total_len` is patched by the caller.
pub(crate) fn encode_header(w: &mut Writer, h: &Header) {
    let c = &h.source.caps;
    w.raw(&MAGIC);
    w.u16(h.version.major);
    w.u16(h.version.minor);
    w.u32(header_len(&h.source.model, &h.workload, &h.extension) as u32);
    w.u64(0); // total_len, patched once known
    w.u8(h.flavour.code());
    w.u8(h.abi.code());
    w.u8((u8::from(c.cpu64) * CPU_FLAG_64) | (u8::from(c.true_le) * CPU_FLAG_TRUE_LE));
    w.u8(0);
    w.u32(h.source.pvr);
    w.u32(c.hwcap);
    w.u32(c.hwcap2);
    for n in [
        c.debug.dabr,
        c.debug.dawr,
        c.debug.iac,
        c.debug.dac,
        c.debug.dvc,
    ] {
        w.u8(n);
    }
    w.zeros(3);
    w.u32(h.facilities.to_word());
    w.u8(h.source.model.len() as u8);
    w.u8(h.workload.len() as u8);
    w.u16(0);
    w.raw(h.source.model.as_bytes());
    w.raw(h.workload.as_bytes());
    w.align8();
    w.raw(&h.extension);
}

/// Offset of the total-length field.
pub(crate) const TOTAL_LEN_OFFSET: usize = 16;

/// The fields checked before the checksum: magic, version and lengths.
pub(crate) struct Preamble {
    pub version: FormatVersion,
    pub header_len: u32,
    pub total_len: u64,
}

pub(crate) fn decode_preamble(r: &mut Reader<'_>) -> Result<Preamble, DecodeError> {
    let magic: [u8; 8] = r.array("magic")?;
    if magic != MAGIC {
        return Err(DecodeError::BadMagic { found: magic });
    }
    let version = FormatVersion {
        major: r.u16("major version")?,
        minor: r.u16("minor version")?,
    };
    if version.major != FORMAT_MAJOR {
        return Err(DecodeError::UnsupportedMajor {
            major: version.major,
            minor: version.minor,
            reader_major: FORMAT_MAJOR,
            reader_minor: FORMAT_MINOR,
        });
    }
    let header_len = r.u32("header length")?;
    let total_len = r.u64("total length")?;
    Ok(Preamble {
        version,
        header_len,
        total_len,
    })
}

/// Decodes the rest of the header after the preamble.
pub(crate) fn decode_header(r: &mut Reader<'_>, pre: &Preamble) -> Result<Header, DecodeError> {
    let at = r.offset() as u64;
    let flavour_code = r.u8("flavour")?;
    let flavour = Flavour::from_code(flavour_code).ok_or(DecodeError::UnknownFlavour {
        value: flavour_code,
        offset: at,
    })?;
    let abi_code = r.u8("ELF ABI")?;
    let abi = ElfAbi::from_code(abi_code).ok_or(DecodeError::UnknownAbi {
        value: abi_code,
        offset: at + 1,
    })?;
    if !abi.fits(flavour) {
        return Err(DecodeError::AbiFlavourMismatch {
            flavour: flavour.name(),
            abi: abi.name(),
        });
    }
    let flags = r.u8("CPU flags")?;
    if flags & !(CPU_FLAG_64 | CPU_FLAG_TRUE_LE) != 0 {
        return Err(DecodeError::UnknownCpuFlags {
            value: flags,
            offset: at + 2,
        });
    }
    r.zeros(1, "reserved header byte 27")?;
    let pvr = r.u32("PVR")?;
    let hwcap = r.u32("AT_HWCAP")?;
    let hwcap2 = r.u32("AT_HWCAP2")?;
    let debug = DebugCounts {
        dabr: r.u8("DABR slot count")?,
        dawr: r.u8("DAWR slot count")?,
        iac: r.u8("IAC count")?,
        dac: r.u8("DAC count")?,
        dvc: r.u8("DVC count")?,
    };
    r.zeros(3, "reserved header bytes 45-47")?;
    let fac_at = r.offset() as u64;
    let facilities = Facilities::from_word(r.u32("facilities")?).map_err(|value| {
        DecodeError::UnknownFacilities {
            value,
            offset: fac_at,
        }
    })?;
    let model_len = usize::from(r.u8("model name length")?);
    let workload_len = usize::from(r.u8("workload name length")?);
    r.zeros(2, "reserved header bytes 54-55")?;
    let model = read_name(r, model_len, "source model", false)?;
    let workload = read_name(r, workload_len, "workload", true)?;
    r.align8("header string padding")?;

    let expected = r.offset() as u64;
    let found = u64::from(pre.header_len);
    let extension_len = match (found.cmp(&expected), pre.version.minor > FORMAT_MINOR) {
        (std::cmp::Ordering::Equal, _) => 0,
        // A newer minor may append header fields; keep them verbatim.
        (std::cmp::Ordering::Greater, true) if (found - expected) % 8 == 0 => found - expected,
        _ => {
            return Err(DecodeError::BadHeaderLength {
                found,
                expected,
                major: pre.version.major,
                minor: pre.version.minor,
            })
        }
    };
    let extension = r.take(extension_len as usize, "header extension")?.to_vec();
    Ok(Header {
        version: pre.version,
        flavour,
        abi,
        source: SourceCpu {
            model,
            pvr,
            caps: CapabilityWords {
                hwcap,
                hwcap2,
                cpu64: flags & CPU_FLAG_64 != 0,
                true_le: flags & CPU_FLAG_TRUE_LE != 0,
                debug,
            },
        },
        facilities,
        workload,
        extension,
    })
}

fn read_name(
    r: &mut Reader<'_>,
    len: usize,
    field: &'static str,
    allow_empty: bool,
) -> Result<String, DecodeError> {
    let offset = r.offset() as u64;
    let bytes = r.take(len, field)?;
    let s = std::str::from_utf8(bytes).unwrap_or("\u{fffd}");
    check_name(field, s, allow_empty).map_err(|reason| DecodeError::BadString {
        field,
        offset,
        reason,
    })?;
    Ok(s.to_string())
}
