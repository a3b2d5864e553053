//! The arguments this crate puts on every command line, and the check that
//! callers' arguments do not fight them.

use std::ffi::{OsStr, OsString};
use std::path::Path;

use crate::error::QemuError;

/// Chardev ids this crate uses; a caller's `-chardev` must not reuse them.
pub const RESERVED_ID_PREFIX: &str = "ppcr-";

/// Options the crate owns. Each is rejected in caller arguments.
const RESERVED: &[(&str, &str)] = &[
    ("-qmp", "the crate connects QMP itself (Guest::qmp)"),
    ("-qmp-pretty", "the crate connects QMP itself (Guest::qmp)"),
    (
        "-monitor",
        "the crate owns the monitor; use HMP via Guest::hmp",
    ),
    ("-mon", "the crate owns the monitor; use HMP via Guest::hmp"),
    (
        "-serial",
        "the crate captures serial port 0 (Guest::serial_text)",
    ),
    (
        "-gdb",
        "use LaunchConfig::gdb(true) and Guest::take_gdb_stream",
    ),
    ("-s", "use LaunchConfig::gdb(true); no TCP ports"),
    ("-daemonize", "a daemonized QEMU would escape cleanup"),
    (
        "-run-with",
        "may daemonize/chroot; a QEMU must stay a child of ppcr",
    ),
    ("-pidfile", "the crate tracks the pid itself"),
    ("-nographic", "always passed by the crate"),
    ("-display", "the crate passes -nographic"),
    ("-nodefaults", "always passed by the crate"),
    ("-no-user-config", "always passed by the crate"),
];

/// Options whose next argument is a value that may look like an option
/// (`-append "-s"`), so that value is not checked.
const TAKES_VALUE: &[&str] = &[
    "-append",
    "-kernel",
    "-initrd",
    "-bios",
    "-dtb",
    "-M",
    "-machine",
    "-cpu",
    "-m",
    "-smp",
    "-device",
    "-global",
    "-incoming",
    "-name",
    "-object",
    "-chardev",
    "-D",
    "-d",
    "-L",
    "-accel",
    "-fw_cfg",
    "-icount",
    "-trace",
    "-boot",
    "-rtc",
    "-drive",
    "-netdev",
    "-numa",
    "-plugin",
    "-prom-env",
    "-semihosting-config",
];

/// Normalises `--opt` to `-opt` and drops `=value` (QEMU accepts both forms).
fn option_name(arg: &OsStr) -> Option<String> {
    let s = arg.to_str()?;
    let s = s.strip_prefix('-')?;
    let s = s.strip_prefix('-').unwrap_or(s);
    Some(format!("-{}", s.split('=').next().unwrap_or(s)))
}

/// Rejects caller arguments that would take over what the crate owns.
pub(crate) fn check_caller_args(args: &[OsString]) -> Result<(), QemuError> {
    let mut skip_value = false;
    let mut chardev_value = false;
    for arg in args {
        if chardev_value {
            chardev_value = false;
            let s = arg.to_string_lossy();
            let uses_reserved_id = s.split(',').any(|kv| {
                kv.strip_prefix("id=")
                    .is_some_and(|id| id.starts_with(RESERVED_ID_PREFIX))
            });
            if uses_reserved_id {
                return Err(QemuError::ReservedArgument {
                    arg: s.into_owned(),
                    reason: "chardev ids starting with \"ppcr-\" belong to the crate",
                });
            }
            continue;
        }
        if skip_value {
            skip_value = false;
            continue;
        }
        let Some(name) = option_name(arg) else {
            continue;
        };
        if let Some((_, reason)) = RESERVED.iter().find(|(r, _)| *r == name) {
            return Err(QemuError::ReservedArgument {
                arg: arg.to_string_lossy().into_owned(),
                reason,
            });
        }
        if name == "-chardev" {
            chardev_value = true;
        } else if TAKES_VALUE.contains(&name.as_str()) {
            skip_value = true;
        }
    }
    Ok(())
}

/// `socket,id=ID,path=PATH,server=off`: QEMU connects to our listener.
/// Commas in the path are doubled, as QEMU's option syntax requires.
pub(crate) fn connect_back_chardev(id: &str, path: &Path) -> OsString {
    let mut s = OsString::from(format!("socket,id={id},path="));
    let p = path.to_string_lossy().replace(',', ",,");
    s.push(p);
    s.push(",server=off");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(args: &[&str]) -> Result<(), QemuError> {
        let v: Vec<OsString> = args.iter().map(OsString::from).collect();
        check_caller_args(&v)
    }

    #[test]
    fn accepts_normal_guest_arguments() {
        check(&[
            "-M",
            "pseries",
            "-cpu",
            "power9",
            "-m",
            "512",
            "-bios",
            "fw.bin",
            "-S",
            "-append",
            "-s -serial",
            "-incoming",
            "defer",
            "-chardev",
            "socket,id=mine,path=/tmp/x",
        ])
        .unwrap();
    }

    #[test]
    fn rejects_each_reserved_option() {
        for (opt, _) in RESERVED {
            let err = check(&["-S", opt, "x"]).unwrap_err();
            assert!(matches!(err, QemuError::ReservedArgument { .. }), "{opt}");
            let dashed = format!("-{opt}");
            assert!(check(&[&dashed]).is_err(), "{dashed}");
        }
        assert!(check(&["-serial=stdio"]).is_err());
    }

    #[test]
    fn rejects_reserved_chardev_ids() {
        assert!(check(&["-chardev", "socket,id=ppcr-qmp,path=/x"]).is_err());
        assert!(check(&["-chardev", "socket,path=/x,id=ppcr-x"]).is_err());
    }

    #[test]
    fn escapes_commas_in_socket_paths() {
        let a = connect_back_chardev("ppcr-qmp", Path::new("/tmp/a,b/qmp.sock"));
        assert_eq!(a, "socket,id=ppcr-qmp,path=/tmp/a,,b/qmp.sock,server=off");
    }
}
