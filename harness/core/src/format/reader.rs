//! Bounds-checked little-endian reading and writing of the image encoding.
//!
//! Every read returns a `Result`; nothing here indexes a slice without a
//! check, and nothing allocates by a length read from the input.

use super::error::DecodeError;

/// A cursor over untrusted bytes. Offsets in errors are absolute file offsets.
#[derive(Debug, Clone)]
pub(crate) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    pub(crate) fn at(bytes: &'a [u8], pos: usize) -> Self {
        Self { bytes, pos }
    }

    pub(crate) fn offset(&self) -> usize {
        self.pos
    }

    pub(crate) fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    /// Takes `len` bytes, or reports what was being read and how short the input is.
    pub(crate) fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], DecodeError> {
        let end = self
            .pos
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(DecodeError::Truncated {
                what,
                offset: self.pos as u64,
                needed: len as u64,
                available: self.remaining() as u64,
            })?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    pub(crate) fn array<const N: usize>(
        &mut self,
        what: &'static str,
    ) -> Result<[u8; N], DecodeError> {
        let slice = self.take(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    pub(crate) fn u8(&mut self, what: &'static str) -> Result<u8, DecodeError> {
        Ok(self.array::<1>(what)?[0])
    }

    pub(crate) fn u16(&mut self, what: &'static str) -> Result<u16, DecodeError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u32(&mut self, what: &'static str) -> Result<u32, DecodeError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u64(&mut self, what: &'static str) -> Result<u64, DecodeError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    pub(crate) fn u128(&mut self, what: &'static str) -> Result<u128, DecodeError> {
        Ok(u128::from_le_bytes(self.array(what)?))
    }

    /// Reads `len` bytes that the spec requires to be zero (reserved fields and padding).
    pub(crate) fn zeros(&mut self, len: usize, what: &'static str) -> Result<(), DecodeError> {
        let offset = self.pos as u64;
        let bytes = self.take(len, what)?;
        match bytes.iter().position(|&b| b != 0) {
            None => Ok(()),
            Some(i) => Err(DecodeError::NonZeroReserved {
                what,
                offset: offset + i as u64,
                value: bytes[i],
            }),
        }
    }

    /// Skips the zero padding that aligns the next item to 8 bytes.
    pub(crate) fn align8(&mut self, what: &'static str) -> Result<(), DecodeError> {
        let pad = padding8(self.pos);
        self.zeros(pad, what)
    }
}

/// Bytes of padding needed after `len` bytes to reach a multiple of 8.
pub(crate) const fn padding8(len: usize) -> usize {
    (8 - len % 8) % 8
}

/// Appends little-endian values; writing cannot fail.
#[derive(Debug, Default)]
pub(crate) struct Writer {
    pub(crate) bytes: Vec<u8>,
}

impl Writer {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            bytes: Vec::with_capacity(capacity),
        }
    }

    pub(crate) fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }
    pub(crate) fn u16(&mut self, v: u16) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u32(&mut self, v: u32) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u64(&mut self, v: u64) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn u128(&mut self, v: u128) {
        self.bytes.extend_from_slice(&v.to_le_bytes());
    }
    pub(crate) fn raw(&mut self, v: &[u8]) {
        self.bytes.extend_from_slice(v);
    }
    pub(crate) fn zeros(&mut self, n: usize) {
        self.bytes.resize(self.bytes.len() + n, 0);
    }
    pub(crate) fn align8(&mut self) {
        self.zeros(padding8(self.bytes.len()));
    }
    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }
}

impl<'a> Reader<'a> {
    /// The whole slice this reader walks.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }
}
