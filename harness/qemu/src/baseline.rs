//! QEMU's own cold start, the yardstick every ppcr benchmark reports
//! against: the program with the caller's machine arguments and
//! `-qmp stdio`, `qmp_capabilities` and `quit` on its stdin, timed from
//! spawn to exit. Nothing of ppcr (sockets, spawner thread, gdb) is in it.

use crate::QemuBinary;
use std::io::{self, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Times one start+quit of `bin` with `args` (machine, cpu, memory, payloads).
pub fn start_quit(bin: &QemuBinary, args: &[String]) -> io::Result<Duration> {
    let start = Instant::now();
    let mut child = Command::new(&bin.path)
        .args([
            "-nodefaults",
            "-no-user-config",
            "-nographic",
            "-qmp",
            "stdio",
        ])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(b"{\"execute\":\"qmp_capabilities\"}\n{\"execute\":\"quit\"}\n")?;
    }
    let status = child.wait()?;
    if !status.success() {
        return Err(io::Error::other(format!(
            "{} start+quit failed: {status}",
            bin.path.display()
        )));
    }
    Ok(start.elapsed())
}
