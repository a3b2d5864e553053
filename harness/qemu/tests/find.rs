//! Locating QEMU: missing, too old, unparsable, and the real one.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use ppcr_qemu::{QemuBinary, QemuError, QemuKind, INSTALL_HINT, MIN_VERSION};

fn fake_qemu(dir: &Path, program: &str, version_line: &str) -> PathBuf {
    let p = dir.join(program);
    std::fs::write(&p, format!("#!/bin/sh\necho '{version_line}'\n")).unwrap();
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    p
}

#[test]
fn missing_qemu_names_the_program_and_the_install_command() {
    let d = tempfile::tempdir().unwrap();
    let e =
        QemuBinary::find_in(QemuKind::Ppc64, &[d.path().to_owned()], "an empty dir").unwrap_err();
    assert!(matches!(
        e,
        QemuError::NotFound {
            program: "qemu-system-ppc64",
            ..
        }
    ));
    let msg = e.to_string();
    assert!(msg.contains("qemu-system-ppc64 not found"), "{msg}");
    assert!(msg.contains(INSTALL_HINT), "{msg}");
    assert!(msg.contains(
        "run 'sudo bash ci/setup' (installs qemu-system-ppc >= 10.0 from bookworm-backports)"
    ));
}

#[test]
fn too_old_qemu_is_refused_with_the_install_command() {
    let d = tempfile::tempdir().unwrap();
    fake_qemu(
        d.path(),
        "qemu-system-ppc",
        "QEMU emulator version 7.2.15 (Debian 1:7.2+dfsg-7+deb12u7)",
    );
    let e = QemuBinary::find_in(QemuKind::Ppc, &[d.path().to_owned()], "test").unwrap_err();
    match &e {
        QemuError::TooOld {
            found, required, ..
        } => {
            assert_eq!(found.to_string(), "7.2.15");
            assert_eq!(*required, MIN_VERSION);
        }
        e => panic!("{e:?}"),
    }
    assert!(e.to_string().contains(INSTALL_HINT));
}

#[test]
fn unparsable_version_is_refused() {
    let d = tempfile::tempdir().unwrap();
    fake_qemu(d.path(), "qemu-system-ppc", "hello, I am not QEMU");
    let e = QemuBinary::find_in(QemuKind::Ppc, &[d.path().to_owned()], "test").unwrap_err();
    assert!(matches!(e, QemuError::VersionUnparsable { .. }), "{e:?}");
}

#[test]
fn non_executable_file_is_not_found_and_later_dirs_are_searched() {
    let d1 = tempfile::tempdir().unwrap();
    let d2 = tempfile::tempdir().unwrap();
    std::fs::write(d1.path().join("qemu-system-ppc"), "not executable").unwrap();
    fake_qemu(d2.path(), "qemu-system-ppc", "QEMU emulator version 10.0.2");
    let b = QemuBinary::find_in(
        QemuKind::Ppc,
        &[d1.path().to_owned(), d2.path().to_owned()],
        "test",
    )
    .unwrap();
    assert_eq!(b.path, d2.path().join("qemu-system-ppc"));
    assert_eq!(b.version.to_string(), "10.0.2");
}

#[test]
fn installed_qemu_is_found_and_recent_enough() {
    for kind in [QemuKind::Ppc, QemuKind::Ppc64] {
        let b = crate::util::qemu(kind);
        assert!(b.version >= MIN_VERSION);
        assert!(b.path.ends_with(kind.program()));
    }
}
