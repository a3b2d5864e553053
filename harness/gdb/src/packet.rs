//! Framing of the remote serial protocol, on plain byte slices.
//!
//! A packet is `$payload#cc` where `cc` is the modulo-256 sum of the payload
//! bytes in two hex digits. The receiver answers `+` (good) or `-` (resend).
//! Inside a payload `}` escapes the next byte (xor 0x20) in binary data, and
//! `x*n` repeats `x` `n - 29` more times (run-length encoding, replies only).
//! Nothing here does I/O; the [`Client`](crate::Client) feeds bytes through
//! [`scan`].

use std::fmt::Write as _;

/// Positive acknowledgement.
pub const ACK: u8 = b'+';
/// Negative acknowledgement: resend the last packet.
pub const NAK: u8 = b'-';
/// The out-of-band interrupt byte (Ctrl-C), sent unframed.
pub const INTERRUPT: u8 = 0x03;
const ESCAPE: u8 = b'}';
const RUN: u8 = b'*';

/// Why a payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A `*` with no byte before it to repeat.
    #[error("run-length marker at offset {0} has nothing to repeat")]
    RunWithoutByte(usize),
    /// A `*` at the end of the payload, without its count.
    #[error("run-length marker at offset {0} has no count")]
    RunWithoutCount(usize),
    /// A run-length count outside the printable range.
    #[error("run-length count byte {count:#04x} at offset {at} is out of range")]
    BadRunCount {
        /// The count byte.
        count: u8,
        /// Its offset.
        at: usize,
    },
    /// A `}` at the end of the payload.
    #[error("escape character at the end of the payload")]
    TrailingEscape,
    /// The decoded payload would exceed the limit.
    #[error("decoded payload exceeds {0} bytes")]
    TooLong(usize),
    /// Hex text with an odd number of digits.
    #[error("odd number of hex digits ({0})")]
    OddHex(usize),
    /// A byte that is not a hex digit.
    #[error("byte {byte:#04x} at offset {at} is not a hex digit")]
    NotHex {
        /// The byte.
        byte: u8,
        /// Its offset.
        at: usize,
    },
}

/// The modulo-256 sum of `data`.
pub fn checksum(data: &[u8]) -> u8 {
    data.iter().fold(0u8, |sum, b| sum.wrapping_add(*b))
}

/// Frames an (already escaped) payload as `$payload#cc`.
pub fn frame(payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(payload.len() + 4);
    out.push(b'$');
    out.extend_from_slice(payload);
    out.push(b'#');
    let sum = checksum(payload);
    out.push(HEX_DIGITS[usize::from(sum >> 4)]);
    out.push(HEX_DIGITS[usize::from(sum & 0xf)]);
    out
}

/// Escapes binary data for an `X` packet: `#`, `$`, `}` and `*` become `}`
/// followed by the byte xor 0x20.
pub fn escape_binary(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 8);
    for &b in data {
        if matches!(b, b'#' | b'$' | ESCAPE | RUN) {
            out.push(ESCAPE);
            out.push(b ^ 0x20);
        } else {
            out.push(b);
        }
    }
    out
}

/// Undoes [`escape_binary`] (used for binary replies such as `qXfer`).
pub fn unescape_binary(data: &[u8]) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::with_capacity(data.len());
    let mut it = data.iter();
    while let Some(&b) = it.next() {
        if b == ESCAPE {
            let &next = it.next().ok_or(DecodeError::TrailingEscape)?;
            out.push(next ^ 0x20);
        } else {
            out.push(b);
        }
    }
    Ok(out)
}

/// Expands run-length encoding (`x*n` = `x` then `n - 29` more copies).
///
/// Like gdb, a run repeats the previous raw byte; stubs escape a literal `*`
/// (as `}` 0x0a), so a `*` is always a run marker. The output never exceeds
/// `limit` bytes.
pub fn rle_decode(data: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
    if !data.contains(&RUN) {
        if data.len() > limit {
            return Err(DecodeError::TooLong(limit));
        }
        return Ok(data.to_vec());
    }
    let mut out: Vec<u8> = Vec::with_capacity(data.len().min(limit));
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if b == RUN {
            let &last = out.last().ok_or(DecodeError::RunWithoutByte(i))?;
            let &count = data.get(i + 1).ok_or(DecodeError::RunWithoutCount(i))?;
            // Counts are printable; `#` and `$` never appear as counts.
            if !(b' '..=b'~').contains(&count) || count == b'#' || count == b'$' {
                return Err(DecodeError::BadRunCount { count, at: i + 1 });
            }
            let repeat = usize::from(count - 29);
            if out.len() + repeat > limit {
                return Err(DecodeError::TooLong(limit));
            }
            out.resize(out.len() + repeat, last);
            i += 2;
        } else {
            if out.len() == limit {
                return Err(DecodeError::TooLong(limit));
            }
            out.push(b);
            i += 1;
        }
    }
    Ok(out)
}

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Lowercase hex text of `data`.
pub fn hex_encode(data: &[u8]) -> String {
    let mut s = String::with_capacity(data.len() * 2);
    for &b in data {
        s.push(char::from(HEX_DIGITS[usize::from(b >> 4)]));
        s.push(char::from(HEX_DIGITS[usize::from(b & 0xf)]));
    }
    s
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes hex text (either case) into bytes.
pub fn hex_decode(text: &[u8]) -> Result<Vec<u8>, DecodeError> {
    if text.len() % 2 != 0 {
        return Err(DecodeError::OddHex(text.len()));
    }
    text.chunks_exact(2)
        .enumerate()
        .map(|(i, pair)| {
            let hi = hex_value(pair[0]).ok_or(DecodeError::NotHex {
                byte: pair[0],
                at: 2 * i,
            })?;
            let lo = hex_value(pair[1]).ok_or(DecodeError::NotHex {
                byte: pair[1],
                at: 2 * i + 1,
            })?;
            Ok(hi << 4 | lo)
        })
        .collect()
}

/// Parses a hex number of at most 16 digits (no sign, no prefix).
pub fn parse_hex_u64(text: &[u8]) -> Option<u64> {
    if text.is_empty() || text.len() > 16 {
        return None;
    }
    text.iter()
        .try_fold(0u64, |acc, &b| Some(acc << 4 | u64::from(hex_value(b)?)))
}

/// Shows bytes for humans: printable ASCII as is, everything else as
/// `\xNN`, cut after `max` input bytes with a note of the full length.
pub fn preview(bytes: &[u8], max: usize) -> String {
    let mut s = String::new();
    for &b in bytes.iter().take(max) {
        if (0x20..0x7f).contains(&b) && b != b'\\' {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "\\x{b:02x}");
        }
    }
    if bytes.len() > max {
        let _ = write!(s, "... ({} bytes)", bytes.len());
    }
    s
}

/// One unit found at the head of the receive buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A `+`.
    Ack,
    /// A `-`.
    Nak,
    /// A `$...#cc` packet; `payload` is still run-length encoded/escaped.
    Packet {
        /// The payload between `$` and `#`.
        payload: Vec<u8>,
        /// The checksum field (`None` when it is not two hex digits).
        found: Option<u8>,
        /// The checksum computed over the payload.
        computed: u8,
    },
    /// A `%...#cc` asynchronous notification (ignored by the client).
    Notification(Vec<u8>),
    /// Bytes outside any frame, including a packet cut short by a new `$`.
    Junk(Vec<u8>),
}

impl Frame {
    /// Whether a packet's checksum field matches its payload.
    pub fn checksum_ok(&self) -> bool {
        match self {
            Frame::Packet {
                found, computed, ..
            } => *found == Some(*computed),
            _ => false,
        }
    }
}

/// The receive buffer holds an unfinished packet longer than the limit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("packet exceeds {limit} bytes")]
pub struct TooLarge {
    /// The limit.
    pub limit: usize,
}

/// Takes one complete unit off the front of `buf`, or returns `Ok(None)` when
/// more bytes are needed. Never lets a packet payload grow past `max_payload`.
pub fn scan(buf: &mut Vec<u8>, max_payload: usize) -> Result<Option<Frame>, TooLarge> {
    let Some(&first) = buf.first() else {
        return Ok(None);
    };
    match first {
        ACK => {
            buf.drain(..1);
            Ok(Some(Frame::Ack))
        }
        NAK => {
            buf.drain(..1);
            Ok(Some(Frame::Nak))
        }
        b'$' | b'%' => {
            // A `$` before the end marker means the earlier packet was cut
            // short: hand it back as junk. (`%` is ordinary data inside a
            // packet; only `$`, `#` and `}` are always escaped.)
            let body = &buf[1..];
            let end = body.iter().position(|&b| b == b'#');
            let restart = body.iter().position(|&b| b == b'$');
            if let Some(r) = restart {
                if end.is_none_or(|e| r < e) {
                    let junk: Vec<u8> = buf.drain(..=r).collect();
                    return Ok(Some(Frame::Junk(junk)));
                }
            }
            let Some(end) = end else {
                if body.len() > max_payload {
                    return Err(TooLarge { limit: max_payload });
                }
                return Ok(None);
            };
            if end > max_payload {
                return Err(TooLarge { limit: max_payload });
            }
            // `$`, payload (end bytes), `#`, two checksum digits.
            let total = end + 4;
            if buf.len() < total {
                return Ok(None);
            }
            let unit: Vec<u8> = buf.drain(..total).collect();
            let payload = unit[1..=end].to_vec();
            let found = match (hex_value(unit[end + 2]), hex_value(unit[end + 3])) {
                (Some(hi), Some(lo)) => Some(hi << 4 | lo),
                _ => None,
            };
            let computed = checksum(&payload);
            if first == b'%' {
                Ok(Some(Frame::Notification(payload)))
            } else {
                Ok(Some(Frame::Packet {
                    payload,
                    found,
                    computed,
                }))
            }
        }
        _ => {
            let n = buf
                .iter()
                .position(|&b| matches!(b, ACK | NAK | b'$' | b'%'))
                .unwrap_or(buf.len());
            let junk: Vec<u8> = buf.drain(..n).collect();
            Ok(Some(Frame::Junk(junk)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_is_the_byte_sum_mod_256() {
        assert_eq!(checksum(b""), 0);
        assert_eq!(checksum(b"g"), 0x67);
        // "OK": 0x4f + 0x4b = 0x9a
        assert_eq!(checksum(b"OK"), 0x9a);
        assert_eq!(checksum(&[0xff, 0x02]), 0x01);
    }

    #[test]
    fn frame_appends_lowercase_checksum() {
        assert_eq!(frame(b"g"), b"$g#67");
        assert_eq!(frame(b"OK"), b"$OK#9a");
        assert_eq!(frame(b""), b"$#00");
        // Known QEMU exchange.
        assert_eq!(frame(b"T05thread:p01.01;"), b"$T05thread:p01.01;#06");
    }

    #[test]
    fn escape_round_trips_every_byte() {
        let all: Vec<u8> = (0..=255).collect();
        let esc = escape_binary(&all);
        assert!(!esc.contains(&b'#') && !esc.contains(&b'$') && !esc.contains(&b'*'));
        assert_eq!(esc.len(), 256 + 4);
        assert_eq!(unescape_binary(&esc).unwrap(), all);
    }

    #[test]
    fn escape_specific_bytes() {
        assert_eq!(escape_binary(b"a#b$c}d*"), b"a}\x03b}\x04c}]d}\x0a");
        assert_eq!(unescape_binary(b"}\x03}]").unwrap(), b"#}");
        assert_eq!(unescape_binary(b"ab}"), Err(DecodeError::TrailingEscape));
    }

    #[test]
    fn rle_expands_runs() {
        // '0' then ' ' (32) → 3 more copies.
        assert_eq!(rle_decode(b"0* ", 100).unwrap(), b"0000");
        // "0*\"" → 5 more copies: the GDB manual's example.
        assert_eq!(rle_decode(b"0*\"", 100).unwrap(), b"000000");
        assert_eq!(rle_decode(b"ab*!c", 100).unwrap(), b"abbbbbc");
        // '~' is the largest count: 126 - 29 = 97 more copies.
        assert_eq!(rle_decode(b"x*~", 1000).unwrap().len(), 98);
    }

    #[test]
    fn rle_repeats_the_previous_raw_byte() {
        // As gdb's read_frame: the run copies the last raw byte, here the
        // second byte of an escape pair.
        let d = rle_decode(b"}\x03* ", 100).unwrap();
        assert_eq!(d, b"}\x03\x03\x03\x03");
        // An escaped '*' (`}` 0x0a) is not a run.
        assert_eq!(
            unescape_binary(&rle_decode(b"a}\x0a", 10).unwrap()).unwrap(),
            b"a*"
        );
    }

    #[test]
    fn rle_rejects_bad_runs() {
        assert_eq!(rle_decode(b"*  ", 10), Err(DecodeError::RunWithoutByte(0)));
        assert_eq!(rle_decode(b"a*", 10), Err(DecodeError::RunWithoutCount(1)));
        assert!(matches!(
            rle_decode(b"a*\x01", 10),
            Err(DecodeError::BadRunCount { count: 1, at: 2 })
        ));
        assert_eq!(rle_decode(b"a*~", 10), Err(DecodeError::TooLong(10)));
        assert_eq!(rle_decode(b"abcdef", 3), Err(DecodeError::TooLong(3)));
    }

    #[test]
    fn hex_round_trip_and_errors() {
        assert_eq!(hex_encode(&[0x00, 0xab, 0xff]), "00abff");
        assert_eq!(hex_decode(b"00ABff").unwrap(), vec![0, 0xab, 0xff]);
        assert_eq!(hex_decode(b"abc"), Err(DecodeError::OddHex(3)));
        assert_eq!(
            hex_decode(b"0g"),
            Err(DecodeError::NotHex { byte: b'g', at: 1 })
        );
        assert_eq!(parse_hex_u64(b"ffffffffffffffff"), Some(u64::MAX));
        assert_eq!(parse_hex_u64(b"1ffffffffffffffff"), None);
        assert_eq!(parse_hex_u64(b""), None);
        assert_eq!(parse_hex_u64(b"-1"), None);
    }

    #[test]
    fn preview_escapes_and_truncates() {
        assert_eq!(preview(b"$OK#9a", 100), "$OK#9a");
        assert_eq!(preview(b"a\x00\\", 100), "a\\x00\\x5c");
        assert_eq!(preview(b"abcdef", 3), "abc... (6 bytes)");
    }

    fn scan_all(bytes: &[u8], max: usize) -> (Vec<Frame>, Vec<u8>) {
        let mut buf = bytes.to_vec();
        let mut out = Vec::new();
        while let Some(f) = scan(&mut buf, max).unwrap() {
            out.push(f);
        }
        (out, buf)
    }

    #[test]
    fn scan_splits_acks_packets_and_junk() {
        let (frames, rest) = scan_all(b"+-junk$OK#9a%Stop:x#00+$par", 100);
        assert_eq!(
            frames,
            vec![
                Frame::Ack,
                Frame::Nak,
                Frame::Junk(b"junk".to_vec()),
                Frame::Packet {
                    payload: b"OK".to_vec(),
                    found: Some(0x9a),
                    computed: 0x9a
                },
                Frame::Notification(b"Stop:x".to_vec()),
                Frame::Ack,
            ]
        );
        assert!(frames[3].checksum_ok());
        // The unfinished packet stays for the next read.
        assert_eq!(rest, b"$par");
    }

    #[test]
    fn scan_waits_for_both_checksum_digits() {
        let mut buf = b"$OK#9".to_vec();
        assert_eq!(scan(&mut buf, 100).unwrap(), None);
        buf.push(b'a');
        assert!(scan(&mut buf, 100).unwrap().unwrap().checksum_ok());
        assert!(buf.is_empty());
    }

    #[test]
    fn scan_reports_bad_and_unparsable_checksums() {
        let (frames, _) = scan_all(b"$OK#00$OK#zz$OK#9A", 100);
        assert!(!frames[0].checksum_ok());
        assert!(matches!(frames[1], Frame::Packet { found: None, .. }));
        assert!(
            frames[2].checksum_ok(),
            "uppercase checksum digits are fine"
        );
    }

    #[test]
    fn scan_drops_a_packet_cut_short_by_a_new_one() {
        let (frames, rest) = scan_all(b"$abc$OK#9a", 100);
        assert_eq!(frames[0], Frame::Junk(b"$abc".to_vec()));
        assert!(frames[1].checksum_ok());
        assert!(rest.is_empty());
    }

    #[test]
    fn percent_inside_a_packet_is_data() {
        // Found by proptest: '%' starts a notification only between packets.
        let mut buf = frame(b"a%b");
        let f = scan(&mut buf, 100).unwrap().unwrap();
        assert!(f.checksum_ok(), "{f:?}");
        assert!(buf.is_empty());
    }

    #[test]
    fn scan_caps_packet_size() {
        let mut buf = b"$0123456789".to_vec();
        assert_eq!(scan(&mut buf, 8), Err(TooLarge { limit: 8 }));
        let mut buf = b"$0123456789#00".to_vec();
        assert_eq!(scan(&mut buf, 8), Err(TooLarge { limit: 8 }));
        let mut buf = b"$01234567#00".to_vec();
        assert!(scan(&mut buf, 8).unwrap().is_some());
    }
}
