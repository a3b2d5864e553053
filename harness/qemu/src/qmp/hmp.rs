//! Recognising HMP failures, which arrive as successful QMP replies.

use crate::error::{HmpFailure, QmpError};

/// Turns the text returned by `human-monitor-command` into `Ok(text)` or an
/// error. `\r\n` is normalised to `\n`.
///
/// Recognised failures (QEMU 10.0, checked against a live monitor):
/// - `unknown command: 'info nosuch'` → [`HmpFailure::UnknownCommand`]
/// - a line `Try "help x" for more information` after a parser complaint
///   (`unexpected end of expression`, `extraneous characters ...`,
///   `string expected`) → [`HmpFailure::BadArguments`]
/// - a first line starting `Error: ` (HMP commands built on QMP),
///   `invalid CPU index`, or `Cannot access memory` anywhere
///   (`x`/`xp` past RAM) → [`HmpFailure::Failed`]
pub fn check_hmp_output(command_line: &str, text: String) -> Result<String, QmpError> {
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text
    };
    let first = text.lines().next().unwrap_or("");
    let kind = if first.starts_with("unknown command:") {
        Some(HmpFailure::UnknownCommand)
    } else if text.lines().any(|l| l.starts_with("Try \"help")) {
        Some(HmpFailure::BadArguments)
    } else if first.starts_with("Error: ")
        || first == "invalid CPU index"
        || text.contains("Cannot access memory")
    {
        Some(HmpFailure::Failed)
    } else {
        None
    };
    match kind {
        None => Ok(text),
        Some(kind) => Err(QmpError::Hmp {
            command_line: command_line.to_owned(),
            kind,
            message: crate::text::truncate(text.trim_end(), 500),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(cmd: &str, out: &str) -> Option<HmpFailure> {
        match check_hmp_output(cmd, out.to_owned()) {
            Ok(_) => None,
            Err(QmpError::Hmp { kind, .. }) => Some(kind),
            Err(e) => panic!("unexpected {e}"),
        }
    }

    #[test]
    fn recognises_qemu_10_failures() {
        assert_eq!(
            kind("nosuch", "unknown command: 'nosuch'\r\n"),
            Some(HmpFailure::UnknownCommand)
        );
        assert_eq!(
            kind(
                "x",
                "unexpected end of expression\r\nTry \"help x\" for more information\r\n"
            ),
            Some(HmpFailure::BadArguments)
        );
        assert_eq!(
            kind("cpu 5", "invalid CPU index\r\n"),
            Some(HmpFailure::Failed)
        );
        assert_eq!(
            kind(
                "x /2x 0xffffffffffffff00",
                "ffffffffffffff00: Cannot access memory\r\n"
            ),
            Some(HmpFailure::Failed)
        );
        assert_eq!(
            kind("device_del x", "Error: Device 'x' not found\r\n"),
            Some(HmpFailure::Failed)
        );
    }

    #[test]
    fn passes_normal_output_and_normalises_newlines() {
        let out = check_hmp_output(
            "info registers",
            "\r\nCPU#0\r\nNIP 0000000000000100   LR 0000000000000000\r\n".into(),
        )
        .unwrap();
        assert_eq!(out, "\nCPU#0\nNIP 0000000000000100   LR 0000000000000000\n");
        assert_eq!(check_hmp_output("stop", String::new()).unwrap(), "");
    }
}
