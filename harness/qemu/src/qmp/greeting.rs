//! The QMP greeting.

use serde_json::Value;

use crate::binary::QemuVersion;

/// What QEMU announced on connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// `QMP.version.qemu`.
    pub version: QemuVersion,
    /// `QMP.version.package` (e.g. the Debian version), empty if absent.
    pub package: String,
    /// `QMP.capabilities`, as text; unknown ones are kept, none is enabled.
    pub capabilities: Vec<String>,
}

impl Greeting {
    /// Parses `{"QMP": {"version": {"qemu": {...}, "package": ...}, "capabilities": [...]}}`.
    /// Extra members anywhere are ignored.
    pub(crate) fn parse(v: &Value) -> Result<Greeting, String> {
        let qmp = v.get("QMP").ok_or("no \"QMP\" member")?;
        let version = qmp.get("version").ok_or("no QMP.version")?;
        let qemu = version.get("qemu").ok_or("no QMP.version.qemu")?;
        let num = |k: &str| -> Result<u32, String> {
            qemu.get(k)
                .and_then(Value::as_u64)
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| format!("QMP.version.qemu.{k} missing or not a small integer"))
        };
        let version_num = QemuVersion {
            major: num("major")?,
            minor: num("minor")?,
            micro: num("micro")?,
        };
        let package = version
            .get("package")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_owned();
        let capabilities = match qmp.get("capabilities") {
            None => Vec::new(),
            Some(Value::Array(a)) => a
                .iter()
                .map(|c| match c {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect(),
            Some(_) => return Err("QMP.capabilities is not an array".into()),
        };
        Ok(Greeting {
            version: version_num,
            package,
            capabilities,
        })
    }

    /// True if QEMU offers out-of-band execution (this client does not enable it).
    pub fn offers_oob(&self) -> bool {
        self.capabilities.iter().any(|c| c == "oob")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_qemu_10_greeting_and_unknown_capabilities() {
        let v = json!({"QMP": {"version": {"qemu": {"micro": 2, "minor": 0, "major": 10},
            "package": "Debian 1:10.0.2+ds-2+deb13u1~bpo12+1"},
            "capabilities": ["oob", "future-cap", {"weird": 1}], "extra": true}});
        let g = Greeting::parse(&v).unwrap();
        assert_eq!(g.version.to_string(), "10.0.2");
        assert!(g.offers_oob());
        assert_eq!(g.capabilities.len(), 3);
        assert!(g.package.starts_with("Debian"));
    }

    #[test]
    fn rejects_non_greetings() {
        for v in [
            json!({"return": {}}),
            json!({"QMP": {}}),
            json!({"QMP": {"version": {"qemu": {"major": "ten", "minor": 0, "micro": 0}}}}),
            json!({"QMP": {"version": {"qemu": {"major": 10, "minor": 0, "micro": 0}}, "capabilities": "oob"}}),
        ] {
            assert!(Greeting::parse(&v).is_err(), "{v}");
        }
    }
}
