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

/// The file naming the process that owns a run directory.
const OWNER_FILE: &str = "owner.pid";

impl RunDir {
    /// Creates a fresh directory, recording this process as its owner, and
    /// first removes run directories whose owner has died: a process killed
    /// by a signal cannot remove its own (the SIGINT/SIGTERM handler exits
    /// without destructors, SIGKILL runs nothing), so the next one does.
    pub fn new() -> Result<RunDir, QemuError> {
        sweep_stale(Path::new("/tmp"));
        let dir = tempfile::Builder::new()
            .prefix("ppcr-")
            .permissions(Permissions::from_mode(0o700))
            .tempdir_in("/tmp")
            .map_err(QemuError::RunDir)?;
        std::fs::write(dir.path().join(OWNER_FILE), std::process::id().to_string())
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

/// Removes `ppcr-*` directories in `parent` whose recorded owner process no
/// longer exists. Directories without an owner file (being created, or made
/// by another tool) are left alone; errors are ignored, the sweep is best
/// effort and never fails a launch.
fn sweep_stale(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with("ppcr-") {
            continue;
        }
        let path = entry.path();
        let Ok(owner) = std::fs::read_to_string(path.join(OWNER_FILE)) else {
            continue;
        };
        let Ok(pid) = owner.trim().parse::<libc::pid_t>() else {
            continue;
        };
        if pid > 0 && !alive(pid) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

fn alive(pid: libc::pid_t) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_of_dead_owners_are_swept() {
        let parent = tempfile::tempdir().unwrap();
        let dead = parent.path().join("ppcr-dead");
        let live = parent.path().join("ppcr-live");
        let foreign = parent.path().join("ppcr-noowner");
        for d in [&dead, &live, &foreign] {
            std::fs::create_dir(d).unwrap();
        }
        // A pid that cannot exist (above the kernel's pid_max limit).
        std::fs::write(dead.join(OWNER_FILE), "2147483000").unwrap();
        std::fs::write(live.join(OWNER_FILE), std::process::id().to_string()).unwrap();
        sweep_stale(parent.path());
        assert!(!dead.exists());
        assert!(live.exists());
        assert!(foreign.exists());
    }

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
