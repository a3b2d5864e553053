//! Small text helpers: bounded byte tails and safe truncation of peer text.

use std::collections::VecDeque;

/// Truncates `s` to at most `max` bytes on a char boundary, marking the cut.
pub(crate) fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…[{} more bytes]", &s[..end], s.len() - end)
}

/// Lossy UTF-8 then [`truncate`].
pub(crate) fn truncate_bytes(b: &[u8], max: usize) -> String {
    truncate(&String::from_utf8_lossy(b), max)
}

/// The last `cap` bytes of a stream, plus how many bytes went through.
#[derive(Debug)]
pub(crate) struct ByteTail {
    buf: VecDeque<u8>,
    cap: usize,
    total: u64,
}

impl ByteTail {
    pub(crate) fn new(cap: usize) -> Self {
        ByteTail {
            buf: VecDeque::with_capacity(cap.min(64 * 1024)),
            cap,
            total: 0,
        }
    }

    pub(crate) fn push(&mut self, data: &[u8]) {
        self.total += data.len() as u64;
        if self.cap == 0 {
            return;
        }
        let data = if data.len() > self.cap {
            &data[data.len() - self.cap..]
        } else {
            data
        };
        let overflow = (self.buf.len() + data.len()).saturating_sub(self.cap);
        self.buf.drain(..overflow);
        self.buf.extend(data);
    }

    pub(crate) fn bytes(&self) -> Vec<u8> {
        self.buf.iter().copied().collect()
    }

    /// The tail as text; if bytes were dropped, says so first.
    pub(crate) fn text(&self) -> String {
        let body = String::from_utf8_lossy(&self.bytes()).into_owned();
        let dropped = self.total - self.buf.len() as u64;
        if dropped > 0 {
            format!("[{dropped} earlier bytes dropped]\n{body}")
        } else {
            body
        }
    }

    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Finds `needle` in the kept bytes whose stream offset is >= `since`;
    /// returns the stream offset just past the first match.
    pub(crate) fn find_since(&self, needle: &[u8], since: u64) -> Option<u64> {
        let base = self.total - self.buf.len() as u64;
        let skip = usize::try_from(since.saturating_sub(base)).unwrap_or(usize::MAX);
        if skip > self.buf.len() {
            return None;
        }
        let (a, b) = self.buf.as_slices();
        let mut hay = Vec::with_capacity(self.buf.len() - skip);
        if skip < a.len() {
            hay.extend_from_slice(&a[skip..]);
            hay.extend_from_slice(b);
        } else {
            hay.extend_from_slice(&b[skip - a.len()..]);
        }
        let end = if needle.is_empty() {
            Some(0)
        } else {
            hay.windows(needle.len())
                .position(|w| w == needle)
                .map(|p| p + needle.len())
        }?;
        Some(base + skip as u64 + end as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncate_respects_char_boundaries() {
        let s = "aé€😀";
        for max in 0..s.len() + 2 {
            let t = truncate(s, max);
            assert!(t.starts_with(&s[..t.find('…').unwrap_or(t.len())]));
        }
        assert_eq!(truncate("abc", 3), "abc");
        assert_eq!(truncate("abcdef", 2), "ab…[4 more bytes]");
    }

    #[test]
    fn tail_keeps_last_bytes_and_counts_all() {
        let mut t = ByteTail::new(4);
        t.push(b"ab");
        t.push(b"cdef");
        assert_eq!(t.bytes(), b"cdef");
        t.push(b"0123456789");
        assert_eq!(t.bytes(), b"6789");
        assert_eq!(t.total(), 16);
        assert!(t.text().starts_with("[12 earlier bytes dropped]"));
        // Offsets are absolute stream offsets.
        let mut f = ByteTail::new(32);
        f.push(b"xxREADYxxDONExREADY");
        assert_eq!(f.find_since(b"READY", 0), Some(7));
        assert_eq!(f.find_since(b"READY", 7), Some(19));
        assert_eq!(f.find_since(b"DONE", 0), Some(13));
        assert_eq!(f.find_since(b"DONE", 13), None);
        assert_eq!(f.find_since(b"READY", 19), None);
        assert_eq!(f.find_since(b"", 19), Some(19));
        assert_eq!(f.find_since(b"x", 100), None);
        // After scrolling, offsets stay absolute.
        let mut g = ByteTail::new(8);
        g.push(b"0123456789ABCDEF");
        assert_eq!(g.find_since(b"9A", 0), Some(11));
        assert_eq!(g.find_since(b"9A", 10), None);
        assert_eq!(g.find_since(b"01", 0), None);
        let mut z = ByteTail::new(0);
        z.push(b"xyz");
        assert_eq!(z.bytes(), b"");
        assert_eq!(z.total(), 3);
    }
}
