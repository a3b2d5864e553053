//! Helpers that corrupt one thing of an encoded image, re-sealing length
//! and checksum so that the decoder's deeper checks are reached.
#![allow(dead_code)]

/// Recomputes the total length and the CRC32C trailer.
pub fn reseal(bytes: &mut [u8]) {
    let body = bytes.len() - 4;
    let total = bytes.len() as u64;
    bytes[16..24].copy_from_slice(&total.to_le_bytes());
    let crc = crc32c::crc32c(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
}

pub fn get_u32(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

pub fn put_u16(b: &mut [u8], at: usize, v: u16) {
    b[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

pub fn put_u32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

pub fn put_u64(b: &mut [u8], at: usize, v: u64) {
    b[at..at + 8].copy_from_slice(&v.to_le_bytes());
}

/// Offset of the record mask.
pub fn mask_offset(b: &[u8]) -> usize {
    get_u32(b, 12) as usize
}

/// Offsets of every record frame, in order, and the segment-count offset.
pub fn frames(b: &[u8]) -> (Vec<usize>, usize) {
    let mask = u64::from_le_bytes(b[mask_offset(b)..mask_offset(b) + 8].try_into().unwrap());
    let mut at = mask_offset(b) + 8;
    let mut out = Vec::new();
    for _ in 0..mask.count_ones() {
        out.push(at);
        let len = get_u32(b, at + 4) as usize;
        at += 8 + len + (8 - len % 8) % 8;
    }
    (out, at)
}
