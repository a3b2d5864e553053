//! The private per-guest run directory.

use std::fs::Permissions;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::error::QemuError;

/// Longest socket path that fits `sockaddr_un.sun_path` (108 bytes with NUL).
pub const MAX_SOCKET_PATH: usize = 107;

/// A private directory (`/tmp/ppcr-XXXXXX`, mode 0700) for one guest's
/// sockets and files; removed with its contents on drop.
///
/// It is always under `/tmp`, never `$TMPDIR`, so socket paths stay short.
/// Create one yourself and pass it to [`Guest::launch_in`](crate::Guest::launch_in)
/// when the command line must name a file inside it (an `-incoming
/// unix:` socket, a firmware blob, a migration file).
#[derive(Debug)]
pub struct RunDir {
    dir: tempfile::TempDir,
}

impl RunDir {
    /// Creates a fresh directory.
    pub fn new() -> Result<RunDir, QemuError> {
        let dir = tempfile::Builder::new()
            .prefix("ppcr-")
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in("/tmp")
            .map_err(QemuError::RunDir)?;
        Ok(RunDir { dir })
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `self.path()/name`, checked to fit `sun_path`.
    pub fn socket_path(&self, name: &str) -> Result<PathBuf, QemuError> {
        let path = self.dir.path().join(name);
        let len = path.as_os_str().len();
        if len > MAX_SOCKET_PATH {
            return Err(QemuError::SocketPathTooLong {
                path,
                len,
                max: MAX_SOCKET_PATH,
            });
        }
        Ok(path)
    }

    /// Keeps the directory on disk after drop (for post-mortem debugging)
    /// and returns its path.
    pub fn keep(self) -> PathBuf {
        self.dir.keep()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_short_and_removed_on_drop() {
        let d = RunDir::new().unwrap();
        let p = d.path().to_owned();
        assert!(
            p.to_string_lossy().starts_with("/tmp/ppcr-"),
            "{}",
            p.display()
        );
        let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        assert!(d.socket_path("qmp.sock").unwrap().as_os_str().len() < 40);
        let long = "x".repeat(MAX_SOCKET_PATH);
        assert!(matches!(
            d.socket_path(&long),
            Err(QemuError::SocketPathTooLong { .. })
        ));
        drop(d);
        assert!(!p.exists());
    }
}
