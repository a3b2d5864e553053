//! Thread ids as the protocol writes them: `tid` or, with the multiprocess
//! extension QEMU uses, `p<pid>.<tid>`; `-1` means all, `0` any.

use std::fmt;

use crate::packet::parse_hex_u64;

/// One component of a thread id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdPart {
    /// `-1`: every process or thread.
    All,
    /// `0`: any one, the stub chooses.
    Any,
    /// A specific id (positive, hex on the wire).
    Id(u64),
}

impl IdPart {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "-1" => Some(IdPart::All),
            _ => match parse_hex_u64(text.as_bytes())? {
                0 => Some(IdPart::Any),
                n => Some(IdPart::Id(n)),
            },
        }
    }
}

impl fmt::Display for IdPart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdPart::All => f.write_str("-1"),
            IdPart::Any => f.write_str("0"),
            IdPart::Id(n) => write!(f, "{n:x}"),
        }
    }
}

/// A thread id; QEMU has one thread per vCPU (`p1.1`, `p1.2`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ThreadId {
    /// The process part, present in the multiprocess form.
    pub pid: Option<IdPart>,
    /// The thread part.
    pub tid: IdPart,
}

impl ThreadId {
    /// Every thread (`-1`), e.g. for `Hg`.
    pub const ALL: ThreadId = ThreadId {
        pid: None,
        tid: IdPart::All,
    };

    /// Parses `tid`, `p<pid>`, or `p<pid>.<tid>`; `None` if malformed.
    pub fn parse(text: &str) -> Option<Self> {
        if let Some(rest) = text.strip_prefix('p') {
            let (pid, tid) = match rest.split_once('.') {
                Some((p, t)) => (p, Some(t)),
                None => (rest, None),
            };
            let pid = IdPart::parse(pid)?;
            let tid = match tid {
                Some(t) => IdPart::parse(t)?,
                None => IdPart::All,
            };
            Some(ThreadId {
                pid: Some(pid),
                tid,
            })
        } else {
            Some(ThreadId {
                pid: None,
                tid: IdPart::parse(text)?,
            })
        }
    }
}

impl fmt::Display for ThreadId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pid {
            Some(pid) => write!(f, "p{pid}.{}", self.tid),
            None => write!(f, "{}", self.tid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_qemu_and_gdb_use() {
        let t = ThreadId::parse("p01.01").unwrap();
        assert_eq!(t.pid, Some(IdPart::Id(1)));
        assert_eq!(t.tid, IdPart::Id(1));
        assert_eq!(t.to_string(), "p1.1");
        assert_eq!(ThreadId::parse("p1.a").unwrap().tid, IdPart::Id(10));
        assert_eq!(ThreadId::parse("p1").unwrap().tid, IdPart::All);
        assert_eq!(ThreadId::parse("-1").unwrap(), ThreadId::ALL);
        assert_eq!(ThreadId::parse("0").unwrap().tid, IdPart::Any);
        assert_eq!(ThreadId::parse("p-1.-1").unwrap().to_string(), "p-1.-1");
        assert_eq!(ThreadId::parse("1f").unwrap().to_string(), "1f");
    }

    #[test]
    fn rejects_garbage() {
        for bad in ["", "p", "p1.", "x1", "p1.2.3", "-2", "12345678901234567"] {
            assert_eq!(ThreadId::parse(bad), None, "{bad:?}");
        }
    }
}
