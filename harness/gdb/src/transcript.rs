//! A bounded record of the wire exchange, for bug reports.

use std::collections::VecDeque;
use std::fmt;

use crate::packet::preview;

/// Which way a unit went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// From the client to the stub.
    Sent,
    /// From the stub to the client.
    Received,
}

/// One recorded unit: a packet, an ack, the interrupt byte or skipped junk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TranscriptEntry {
    /// Which way it went.
    pub direction: Direction,
    /// The bytes as they went over the wire, escaped and truncated.
    pub text: String,
    /// The full length in bytes.
    pub len: usize,
    /// A note from the client (e.g. "bad checksum", "junk skipped").
    pub note: Option<&'static str>,
}

/// The last `capacity` units exchanged with the stub.
#[derive(Debug, Clone)]
pub struct Transcript {
    entries: VecDeque<TranscriptEntry>,
    capacity: usize,
    preview_len: usize,
    dropped: u64,
}

impl Transcript {
    /// An empty transcript keeping `capacity` entries of at most
    /// `preview_len` bytes each.
    pub fn new(capacity: usize, preview_len: usize) -> Self {
        Transcript {
            entries: VecDeque::with_capacity(capacity.min(1024)),
            capacity,
            preview_len,
            dropped: 0,
        }
    }

    pub(crate) fn record(
        &mut self,
        direction: Direction,
        bytes: &[u8],
        note: Option<&'static str>,
    ) {
        if self.capacity == 0 {
            self.dropped += 1;
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(TranscriptEntry {
            direction,
            text: preview(bytes, self.preview_len),
            len: bytes.len(),
            note,
        });
    }

    /// The kept entries, oldest first.
    pub fn entries(&self) -> impl ExactSizeIterator<Item = &TranscriptEntry> {
        self.entries.iter()
    }

    /// How many older entries were dropped to respect the capacity.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

impl fmt::Display for Transcript {
    /// One line per entry: `->` sent, `<-` received.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dropped > 0 {
            writeln!(f, "... {} earlier entries dropped", self.dropped)?;
        }
        for e in &self.entries {
            let arrow = match e.direction {
                Direction::Sent => "->",
                Direction::Received => "<-",
            };
            write!(f, "{arrow} {}", e.text)?;
            if let Some(note) = e.note {
                write!(f, "  [{note}]")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_last_entries_truncated() {
        let mut t = Transcript::new(2, 4);
        t.record(Direction::Sent, b"$g#67", None);
        t.record(Direction::Received, b"+", None);
        t.record(Direction::Received, b"$OK#9a", Some("late"));
        assert_eq!(t.entries().len(), 2);
        assert_eq!(t.dropped(), 1);
        assert_eq!(
            t.to_string(),
            "... 1 earlier entries dropped\n<- +\n<- $OK#... (6 bytes)  [late]\n"
        );
    }

    #[test]
    fn zero_capacity_keeps_nothing() {
        let mut t = Transcript::new(0, 4);
        t.record(Direction::Sent, b"x", None);
        assert_eq!(t.entries().len(), 0);
        assert_eq!(t.dropped(), 1);
    }
}
