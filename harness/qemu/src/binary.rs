//! Finding `qemu-system-ppc` / `qemu-system-ppc64` and checking its version.

use std::ffi::OsStr;
use std::fmt;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::error::QemuError;

/// Environment variable naming a directory that holds the QEMU binaries.
/// When set, only that directory is searched (no `$PATH` fallback), so a
/// wrong value is reported rather than silently ignored.
pub const QEMU_DIR_ENV: &str = "PPCR_QEMU_DIR";

/// Oldest QEMU ppcr supports (FACTS Part B was verified on 10.0.2).
pub const MIN_VERSION: QemuVersion = QemuVersion {
    major: 10,
    minor: 0,
    micro: 0,
};

/// How long `--version` may take.
const VERSION_DEADLINE: Duration = Duration::from_secs(10);

/// Which system emulator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum QemuKind {
    /// `qemu-system-ppc`: 32-bit targets (G3/G4, e300, 440, e500v1/v2, e500mc).
    Ppc,
    /// `qemu-system-ppc64`: adds 64-bit targets (970, POWER*, e5500, e6500).
    Ppc64,
}

impl QemuKind {
    /// The program name.
    pub fn program(self) -> &'static str {
        match self {
            QemuKind::Ppc => "qemu-system-ppc",
            QemuKind::Ppc64 => "qemu-system-ppc64",
        }
    }
}

impl fmt::Display for QemuKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.program())
    }
}

/// A QEMU version as printed by `--version`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QemuVersion {
    /// Major.
    pub major: u32,
    /// Minor.
    pub minor: u32,
    /// Micro.
    pub micro: u32,
}

impl fmt::Display for QemuVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.micro)
    }
}

impl QemuVersion {
    /// Parses the first line of `qemu-system-* --version`:
    /// `QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)`.
    /// A missing micro number reads as 0.
    pub fn parse_version_output(text: &str) -> Option<QemuVersion> {
        let rest = text.split("QEMU emulator version ").nth(1)?;
        let word = rest.split_whitespace().next()?;
        let mut parts = word.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        let micro = match parts.next() {
            // Development builds print e.g. "10.0.50" or "10.1.0-rc1".
            Some(m) => m
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap_or("")
                .parse()
                .ok()?,
            None => 0,
        };
        Some(QemuVersion {
            major,
            minor,
            micro,
        })
    }
}

/// A QEMU binary that exists and is recent enough.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QemuBinary {
    /// Which emulator.
    pub kind: QemuKind,
    /// Absolute path of the binary.
    pub path: PathBuf,
    /// Version reported by `--version`.
    pub version: QemuVersion,
}

impl QemuBinary {
    /// Finds `kind` in `$PPCR_QEMU_DIR` if set, else in `$PATH`, and checks
    /// that it is at least [`MIN_VERSION`].
    ///
    /// This runs `--version` (about 10 ms); callers launching many guests
    /// should find once and clone the result.
    pub fn find(kind: QemuKind) -> Result<QemuBinary, QemuError> {
        let dirs: Vec<PathBuf>;
        let searched;
        if let Some(dir) = std::env::var_os(QEMU_DIR_ENV) {
            searched = format!("{QEMU_DIR_ENV}={}", Path::new(&dir).display());
            dirs = vec![PathBuf::from(dir)];
        } else {
            let path = std::env::var_os("PATH").unwrap_or_default();
            searched = format!("PATH={}", path.to_string_lossy());
            dirs = std::env::split_paths(&path).collect();
        }
        Self::find_in(kind, &dirs, &searched)
    }

    /// Like [`find`](Self::find) over an explicit list of directories;
    /// `searched` describes them in the error.
    pub fn find_in(
        kind: QemuKind,
        dirs: &[PathBuf],
        searched: &str,
    ) -> Result<QemuBinary, QemuError> {
        let program = kind.program();
        let path = dirs
            .iter()
            .map(|d| d.join(program))
            .find(|p| is_executable(p))
            .ok_or_else(|| QemuError::NotFound {
                program,
                searched: searched.to_owned(),
            })?;
        Self::at(kind, path)
    }

    /// Checks the binary at `path` (runs `--version`).
    pub fn at(kind: QemuKind, path: impl Into<PathBuf>) -> Result<QemuBinary, QemuError> {
        let path = path.into();
        let program = kind.program();
        let output = version_output(&path).map_err(|source| QemuError::VersionCheck {
            path: path.clone(),
            source,
        })?;
        let version = QemuVersion::parse_version_output(&output).ok_or_else(|| {
            QemuError::VersionUnparsable {
                program,
                path: path.clone(),
                output: crate::text::truncate(&output, 200),
            }
        })?;
        if version < MIN_VERSION {
            return Err(QemuError::TooOld {
                program,
                path,
                found: version,
                required: MIN_VERSION,
            });
        }
        Ok(QemuBinary {
            kind,
            path,
            version,
        })
    }

    /// The program name, for messages.
    pub fn program(&self) -> &'static str {
        self.kind.program()
    }
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p)
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Runs `path --version` with a deadline; returns stdout + stderr.
fn version_output(path: &Path) -> std::io::Result<String> {
    let mut child = Command::new(path)
        .arg(OsStr::new("--version"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    let start = Instant::now();
    loop {
        if child.try_wait()?.is_some() {
            break;
        }
        if start.elapsed() > VERSION_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            return Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("--version did not finish within {VERSION_DEADLINE:?}"),
            ));
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    // The process has exited, so reading to EOF cannot block for long
    // (only a grandchild holding the pipe could delay it). Cap the size.
    let mut out = Vec::new();
    if let Some(s) = child.stdout.take() {
        s.take(64 * 1024).read_to_end(&mut out)?;
    }
    if let Some(s) = child.stderr.take() {
        s.take(64 * 1024).read_to_end(&mut out)?;
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_debian_backports_version() {
        let v = QemuVersion::parse_version_output(
            "QEMU emulator version 10.0.2 (Debian 1:10.0.2+ds-2+deb13u1~bpo12+1)\nCopyright (c) 2003-2025",
        );
        assert_eq!(
            v,
            Some(QemuVersion {
                major: 10,
                minor: 0,
                micro: 2
            })
        );
    }

    #[test]
    fn parses_two_part_and_rc_versions() {
        let v = QemuVersion::parse_version_output("QEMU emulator version 11.1").unwrap();
        assert_eq!((v.major, v.minor, v.micro), (11, 1, 0));
        let v = QemuVersion::parse_version_output("QEMU emulator version 10.1.0-rc1").unwrap();
        assert_eq!((v.major, v.minor, v.micro), (10, 1, 0));
    }

    #[test]
    fn rejects_garbage_versions() {
        for s in [
            "",
            "qemu 10.0",
            "QEMU emulator version ",
            "QEMU emulator version x.y",
            "QEMU emulator version 10",
        ] {
            assert_eq!(QemuVersion::parse_version_output(s), None, "{s:?}");
        }
    }

    #[test]
    fn orders_versions() {
        let v = |s| QemuVersion::parse_version_output(s).unwrap();
        assert!(v("QEMU emulator version 9.2.3") < MIN_VERSION);
        assert!(v("QEMU emulator version 10.0.0") >= MIN_VERSION);
        assert!(v("QEMU emulator version 10.0.2") > v("QEMU emulator version 10.0.0"));
    }
}
