//! A bounded record of a QMP conversation, for bug reports.

use std::collections::VecDeque;
use std::fmt;
use std::time::{Duration, Instant};

use crate::text::truncate;

/// Which way a line went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Harness → QEMU.
    Sent,
    /// QEMU → harness.
    Received,
    /// A remark by the client (timeout, discarded reply, ...).
    Note,
}

/// One line of the transcript.
#[derive(Debug, Clone)]
pub struct TranscriptEntry {
    /// Time since the connection was made.
    pub at: Duration,
    /// Which way.
    pub direction: Direction,
    /// The line, truncated to the configured width.
    pub text: String,
}

/// The last `capacity` lines exchanged, each cut to `width` bytes.
#[derive(Debug, Clone)]
pub struct Transcript {
    start: Instant,
    entries: VecDeque<TranscriptEntry>,
    capacity: usize,
    width: usize,
    dropped: u64,
}

impl Transcript {
    pub(crate) fn new(capacity: usize, width: usize) -> Self {
        Transcript {
            start: Instant::now(),
            entries: VecDeque::new(),
            capacity,
            width,
            dropped: 0,
        }
    }

    pub(crate) fn record(&mut self, direction: Direction, text: &str) {
        if self.capacity == 0 {
            self.dropped += 1;
            return;
        }
        if self.entries.len() == self.capacity {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(TranscriptEntry {
            at: self.start.elapsed(),
            direction,
            text: truncate(text.trim_end(), self.width),
        });
    }

    /// The kept entries, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &TranscriptEntry> {
        self.entries.iter()
    }

    /// How many older entries were dropped to stay bounded.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

impl fmt::Display for Transcript {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.dropped > 0 {
            writeln!(f, "[{} earlier lines dropped]", self.dropped)?;
        }
        for e in &self.entries {
            let arrow = match e.direction {
                Direction::Sent => "->",
                Direction::Received => "<-",
                Direction::Note => "==",
            };
            writeln!(f, "{:>10.3}ms {arrow} {}", e.at.as_secs_f64() * 1e3, e.text)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_in_lines_and_width() {
        let mut t = Transcript::new(3, 10);
        for i in 0..5 {
            t.record(Direction::Sent, &format!("line {i} {}", "x".repeat(50)));
        }
        assert_eq!(t.entries().count(), 3);
        assert_eq!(t.dropped(), 2);
        let s = t.to_string();
        assert!(s.starts_with("[2 earlier lines dropped]"));
        assert!(s.contains("-> line 2 xxx…"), "{s}");
        assert!(!s.contains("line 1"));
    }
}
