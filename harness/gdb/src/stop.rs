//! Stop replies: `S`, `T` (with `key:value;` pairs), `W` and `X`.

use crate::packet::{hex_decode, parse_hex_u64};
use crate::thread::ThreadId;

/// Why and how the target stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReply {
    /// The target stopped with a signal (`S` or `T`).
    Stopped(Stop),
    /// The process exited (`W`); QEMU sends this when the guest shuts down.
    Exited {
        /// The exit status.
        status: u8,
        /// The process, with the multiprocess extension.
        pid: Option<u64>,
    },
    /// The process was terminated by a signal (`X`).
    Terminated {
        /// The signal.
        signal: u8,
        /// The process, with the multiprocess extension.
        pid: Option<u64>,
    },
}

/// The details of an `S`/`T` stop reply.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stop {
    /// The GDB signal number (5 = SIGTRAP for breakpoints and steps, 2 =
    /// SIGINT after an interrupt).
    pub signal: u8,
    /// The thread that stopped (`thread:`).
    pub thread: Option<ThreadId>,
    /// The core it ran on (`core:`).
    pub core: Option<u64>,
    /// A watchpoint or breakpoint reason, when given.
    pub reason: Option<StopReason>,
    /// Register values sent with the reply (`nn:bytes`), regnum and raw
    /// bytes in the guest's current byte order.
    pub registers: Vec<(u32, Vec<u8>)>,
    /// Any other `key:value` pairs, in order.
    pub other: Vec<(String, String)>,
}

/// A stop reason from the `T` reply's pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    /// A write watchpoint hit (`watch:addr`).
    Watch(u64),
    /// A read watchpoint hit (`rwatch:addr`).
    ReadWatch(u64),
    /// An access watchpoint hit (`awatch:addr`).
    AccessWatch(u64),
    /// A software breakpoint (`swbreak:`).
    SoftwareBreak,
    /// A hardware breakpoint (`hwbreak:`).
    HardwareBreak,
}

impl StopReply {
    /// Parses a stop reply, or says what is wrong with it.
    pub fn parse(reply: &[u8]) -> Result<StopReply, String> {
        let text = std::str::from_utf8(reply).map_err(|_| "not UTF-8".to_string())?;
        let kind = text.chars().next().ok_or("empty stop reply")?;
        let rest = &text[kind.len_utf8()..];
        let (code, tail) = (rest.get(..2), rest.get(2..).unwrap_or(""));
        let code = code
            .and_then(|c| parse_hex_u64(c.as_bytes()))
            .ok_or_else(|| format!("{kind} needs two hex digits"))? as u8;
        match kind {
            'S' if tail.is_empty() => Ok(StopReply::Stopped(Stop {
                signal: code,
                ..Stop::default()
            })),
            'T' => parse_pairs(code, tail).map(StopReply::Stopped),
            'W' | 'X' => {
                let pid = match tail {
                    "" => None,
                    _ => {
                        let p = tail
                            .strip_prefix(";process:")
                            .and_then(|p| parse_hex_u64(p.as_bytes()))
                            .ok_or_else(|| format!("bad exit suffix {tail:?}"))?;
                        Some(p)
                    }
                };
                Ok(if kind == 'W' {
                    StopReply::Exited { status: code, pid }
                } else {
                    StopReply::Terminated { signal: code, pid }
                })
            }
            _ => Err(format!("not a stop reply (starts with {kind:?})")),
        }
    }
}

fn parse_pairs(signal: u8, tail: &str) -> Result<Stop, String> {
    let mut stop = Stop {
        signal,
        ..Stop::default()
    };
    for pair in tail.split(';').filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once(':')
            .ok_or_else(|| format!("pair {pair:?} has no ':'"))?;
        let addr =
            || parse_hex_u64(value.as_bytes()).ok_or_else(|| format!("bad address in {pair:?}"));
        match key {
            "thread" => {
                stop.thread =
                    Some(ThreadId::parse(value).ok_or_else(|| format!("bad thread {value:?}"))?)
            }
            "core" => stop.core = Some(addr()?),
            "watch" => stop.reason = Some(StopReason::Watch(addr()?)),
            "rwatch" => stop.reason = Some(StopReason::ReadWatch(addr()?)),
            "awatch" => stop.reason = Some(StopReason::AccessWatch(addr()?)),
            "swbreak" => stop.reason = Some(StopReason::SoftwareBreak),
            "hwbreak" => stop.reason = Some(StopReason::HardwareBreak),
            _ => match parse_hex_u64(key.as_bytes()) {
                Some(n) if key.len() <= 8 => {
                    let bytes =
                        hex_decode(value.as_bytes()).map_err(|e| format!("register {key}: {e}"))?;
                    stop.registers.push((n as u32, bytes));
                }
                _ => stop.other.push((key.to_string(), value.to_string())),
            },
        }
    }
    Ok(stop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::thread::IdPart;

    #[test]
    fn qemu_attach_reply() {
        let StopReply::Stopped(s) = StopReply::parse(b"T05thread:p01.01;").unwrap() else {
            panic!("not a stop");
        };
        assert_eq!(s.signal, 5);
        let t = s.thread.unwrap();
        assert_eq!((t.pid, t.tid), (Some(IdPart::Id(1)), IdPart::Id(1)));
        assert!(s.registers.is_empty() && s.other.is_empty() && s.reason.is_none());
    }

    #[test]
    fn t_with_registers_watch_and_unknown_pairs() {
        let r = StopReply::parse(b"T0540:0000000000000100;watch:10a0;thread:p1.2;core:1;foo:bar")
            .unwrap();
        let StopReply::Stopped(s) = r else { panic!() };
        assert_eq!(s.registers, vec![(0x40, vec![0, 0, 0, 0, 0, 0, 1, 0])]);
        assert_eq!(s.reason, Some(StopReason::Watch(0x10a0)));
        assert_eq!(s.core, Some(1));
        assert_eq!(s.thread.unwrap().tid, IdPart::Id(2));
        assert_eq!(s.other, vec![("foo".into(), "bar".into())]);
        let StopReply::Stopped(s) = StopReply::parse(b"T05swbreak:;").unwrap() else {
            panic!()
        };
        assert_eq!(s.reason, Some(StopReason::SoftwareBreak));
    }

    #[test]
    fn s_w_x() {
        assert_eq!(
            StopReply::parse(b"S02").unwrap(),
            StopReply::Stopped(Stop {
                signal: 2,
                ..Stop::default()
            })
        );
        assert_eq!(
            StopReply::parse(b"W00").unwrap(),
            StopReply::Exited {
                status: 0,
                pid: None
            }
        );
        assert_eq!(
            StopReply::parse(b"W01;process:2a").unwrap(),
            StopReply::Exited {
                status: 1,
                pid: Some(42)
            }
        );
        assert_eq!(
            StopReply::parse(b"X09").unwrap(),
            StopReply::Terminated {
                signal: 9,
                pid: None
            }
        );
    }

    #[test]
    fn malformed_replies_are_errors_not_panics() {
        for bad in [
            &b""[..],
            b"T",
            b"T5",
            b"Tzz",
            b"S05extra",
            b"OK",
            b"E14",
            b"T05thread",
            b"T05thread:q1",
            b"T0540:xyz;",
            b"T05watch:nothex",
            b"W00;pid:1",
            b"\xff\xfe",
            "T\u{e9}5".as_bytes(),
        ] {
            assert!(StopReply::parse(bad).is_err(), "{bad:?}");
        }
    }
}
