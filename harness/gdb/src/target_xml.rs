//! Target descriptions (`target.xml` and the files it includes).
//!
//! gdb numbers registers in document order, following `xi:include` as if the
//! included file were pasted in place: a `<reg>` with a `regnum` attribute
//! takes that number, one without takes the previous register's number plus
//! one (0 for the first). [`TargetDescription::from_documents`] does the same.
//! QEMU does not declare the `xi` namespace prefix, so the parser matches
//! names literally rather than by namespace.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::{GdbError, Result};

/// Most nested includes followed before giving up (guards against loops).
pub const MAX_INCLUDE_DEPTH: usize = 8;

/// One register of a target description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    /// The register's name (`r0`, `pc`, `vs0h`, `dawr0`, ...).
    pub name: String,
    /// The number used with `p`/`P`.
    pub regnum: u32,
    /// The width in bits.
    pub bitsize: u32,
    /// The gdb type (`uint64`, `ieee_double`, `vec128`, `code_ptr`, ...);
    /// `int` when the file gives none, as in gdb.
    pub ty: String,
    /// The `group` attribute, if any (QEMU puts SPRs in `spr`).
    pub group: Option<String>,
    /// The `name` of the enclosing `<feature>` (empty outside any feature).
    pub feature: String,
}

impl Register {
    /// The width in bytes (rounded up).
    pub fn size(&self) -> usize {
        (self.bitsize as usize).div_ceil(8)
    }
}

/// A parsed target description: architecture and every register.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetDescription {
    /// The `<architecture>` text (`powerpc:common64` on qemu-system-ppc64).
    pub architecture: Option<String>,
    /// Registers in document order.
    pub registers: Vec<Register>,
}

impl TargetDescription {
    /// Builds the description rooted at `root` from already fetched files
    /// (annex name → content). Every include must be present in `docs`.
    pub fn from_documents(root: &str, docs: &BTreeMap<String, String>) -> Result<Self> {
        let mut b = Builder::default();
        b.parse_file(root, docs, 0)?;
        Ok(TargetDescription {
            architecture: b.architecture,
            registers: b.registers,
        })
    }

    /// The register with this name.
    pub fn register(&self, name: &str) -> Option<&Register> {
        self.registers.iter().find(|r| r.name == name)
    }

    /// The register with this number.
    pub fn by_regnum(&self, regnum: u32) -> Option<&Register> {
        self.registers.iter().find(|r| r.regnum == regnum)
    }

    /// Feature names in first-appearance order.
    pub fn features(&self) -> Vec<&str> {
        let mut seen = Vec::<&str>::new();
        for r in &self.registers {
            if !seen.contains(&r.feature.as_str()) {
                seen.push(&r.feature);
            }
        }
        seen
    }

    /// The registers of one feature.
    pub fn feature_registers<'a>(&'a self, feature: &'a str) -> impl Iterator<Item = &'a Register> {
        self.registers.iter().filter(move |r| r.feature == feature)
    }

    /// How a `g` reply of `len` bytes splits into registers: registers in
    /// regnum order, each taking its size, until exactly `len` bytes are
    /// used. Fails if no prefix of the registers adds up to `len`.
    pub fn g_layout(&self, len: usize) -> Result<Vec<(&Register, Range<usize>)>> {
        let mut regs: Vec<&Register> = self.registers.iter().collect();
        regs.sort_by_key(|r| r.regnum);
        let mut out = Vec::new();
        let mut off = 0;
        for r in regs {
            if off == len {
                break;
            }
            let end = off + r.size();
            if end > len {
                break;
            }
            out.push((r, off..end));
            off = end;
        }
        if off != len {
            return Err(GdbError::TargetXml {
                file: "target.xml".into(),
                reason: format!(
                    "no prefix of the registers fills a {len}-byte g reply (stopped at {off})"
                ),
            });
        }
        Ok(out)
    }
}

/// Files that `xml` includes, in document order (for fetching).
pub fn includes(file: &str, xml: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event().map_err(|e| xml_err(file, &reader, e))? {
            Event::Start(e) | Event::Empty(e) if is_include(&e) => {
                out.push(attr(file, &e, "href")?.ok_or_else(|| GdbError::TargetXml {
                    file: file.into(),
                    reason: "xi:include without href".into(),
                })?);
            }
            Event::Eof => return Ok(out),
            _ => {}
        }
    }
}

#[derive(Default)]
struct Builder {
    architecture: Option<String>,
    registers: Vec<Register>,
    next_regnum: u32,
    used: HashSet<u32>,
}

impl Builder {
    fn parse_file(
        &mut self,
        file: &str,
        docs: &BTreeMap<String, String>,
        depth: usize,
    ) -> Result<()> {
        if depth > MAX_INCLUDE_DEPTH {
            return Err(GdbError::TargetXml {
                file: file.into(),
                reason: format!("includes nested deeper than {MAX_INCLUDE_DEPTH} (a loop?)"),
            });
        }
        let xml = docs.get(file).ok_or_else(|| GdbError::TargetXml {
            file: file.into(),
            reason: "included file was not fetched".into(),
        })?;
        let mut reader = Reader::from_str(xml);
        let mut feature: Vec<String> = Vec::new();
        let mut in_arch = false;
        let mut arch_text = String::new();
        loop {
            let ev = reader.read_event().map_err(|e| xml_err(file, &reader, e))?;
            match ev {
                Event::Start(e) | Event::Empty(e) if is_include(&e) => {
                    let href = attr(file, &e, "href")?.ok_or_else(|| GdbError::TargetXml {
                        file: file.into(),
                        reason: "xi:include without href".into(),
                    })?;
                    self.parse_file(&href, docs, depth + 1)?;
                }
                Event::Start(e) if e.name().as_ref() == b"feature" => {
                    feature.push(attr(file, &e, "name")?.unwrap_or_default());
                }
                Event::End(e) if e.name().as_ref() == b"feature" => {
                    feature.pop();
                }
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"reg" => {
                    let f = feature.last().cloned().unwrap_or_default();
                    self.add_reg(file, &e, f)?;
                }
                Event::Start(e) if e.name().as_ref() == b"architecture" => {
                    in_arch = true;
                    arch_text.clear();
                }
                Event::Text(t) if in_arch => {
                    let s = t.decode().map_err(|e| GdbError::TargetXml {
                        file: file.into(),
                        reason: e.to_string(),
                    })?;
                    arch_text.push_str(&s);
                }
                Event::End(e) if e.name().as_ref() == b"architecture" => {
                    in_arch = false;
                    self.architecture = Some(arch_text.trim().to_string());
                }
                Event::Eof => return Ok(()),
                _ => {}
            }
        }
    }

    fn add_reg(&mut self, file: &str, e: &BytesStart<'_>, feature: String) -> Result<()> {
        let bad = |reason: String| GdbError::TargetXml {
            file: file.into(),
            reason,
        };
        let name = attr(file, e, "name")?.ok_or_else(|| bad("<reg> without name".into()))?;
        let number = |key: &str| -> Result<Option<u32>> {
            attr(file, e, key)?
                .map(|v| {
                    v.trim()
                        .parse::<u32>()
                        .map_err(|_| bad(format!("register {name}: {key}={v:?} is not a number")))
                })
                .transpose()
        };
        let bitsize =
            number("bitsize")?.ok_or_else(|| bad(format!("register {name} has no bitsize")))?;
        if bitsize == 0 || bitsize > 4096 {
            return Err(bad(format!(
                "register {name}: bitsize {bitsize} out of range"
            )));
        }
        let regnum = number("regnum")?.unwrap_or(self.next_regnum);
        if !self.used.insert(regnum) {
            return Err(bad(format!(
                "register {name}: regnum {regnum} is used twice"
            )));
        }
        self.next_regnum = regnum
            .checked_add(1)
            .ok_or_else(|| bad(format!("register {name}: regnum overflows")))?;
        self.registers.push(Register {
            name,
            regnum,
            bitsize,
            ty: attr(file, e, "type")?.unwrap_or_else(|| "int".into()),
            group: attr(file, e, "group")?,
            feature,
        });
        Ok(())
    }
}

fn is_include(e: &BytesStart<'_>) -> bool {
    let name = e.name();
    name.as_ref() == b"xi:include" || name.local_name().as_ref() == b"include"
}

fn attr(file: &str, e: &BytesStart<'_>, key: &str) -> Result<Option<String>> {
    for a in e.attributes() {
        let a = a.map_err(|err| GdbError::TargetXml {
            file: file.into(),
            reason: err.to_string(),
        })?;
        if a.key.as_ref() == key.as_bytes() {
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| GdbError::TargetXml {
                    file: file.into(),
                    reason: err.to_string(),
                })?;
            return Ok(Some(v.into_owned()));
        }
    }
    Ok(None)
}

fn xml_err(file: &str, reader: &Reader<&[u8]>, e: quick_xml::Error) -> GdbError {
    GdbError::TargetXml {
        file: file.into(),
        reason: format!("at byte {}: {e}", reader.error_position()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn docs(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    // Shaped like QEMU's: undeclared `xi` prefix, DOCTYPE, comments.
    const TARGET: &str = r#"<?xml version="1.0"?><!DOCTYPE target SYSTEM "gdb-target.dtd"><target><architecture>powerpc:common64</architecture><xi:include href="core.xml"/><xi:include href="fpu.xml"/><xi:include href="spr.xml"/></target>"#;
    const CORE: &str = r#"<?xml version="1.0"?>
<!-- comment -->
<!DOCTYPE feature SYSTEM "gdb-target.dtd">
<feature name="org.gnu.gdb.power.core">
  <reg name="r0" bitsize="64" type="uint64"/>
  <reg name="r1" bitsize="64" type="uint64"/>
  <reg name="pc" bitsize="64" type="code_ptr" regnum="64"/>
  <reg name="msr" bitsize="64" type="uint64"/>
  <reg name="cr" bitsize="32" regnum="66"/>
</feature>"#;
    const FPU: &str = r#"<feature name="org.gnu.gdb.power.fpu">
  <vector id="v4f" type="ieee_single" count="4"/>
  <reg name="f0" bitsize="64" type="ieee_double" regnum="71"/>
  <reg name="f1" bitsize="64" type="ieee_double"/>
  <reg name="fpscr" bitsize="32" group="float"/>
</feature>"#;
    const SPR: &str = r#"<?xml version="1.0"?><!DOCTYPE feature SYSTEM "gdb-target.dtd"><feature name="org.qemu.power.spr"><reg name="xer" bitsize="64" regnum="170" type="int" group="spr"/><reg name="lr" bitsize="64" regnum="171" type="int" group="spr"/></feature>"#;

    #[test]
    fn numbers_like_gdb_across_includes() {
        let d = docs(&[
            ("target.xml", TARGET),
            ("core.xml", CORE),
            ("fpu.xml", FPU),
            ("spr.xml", SPR),
        ]);
        assert_eq!(
            includes("target.xml", TARGET).unwrap(),
            ["core.xml", "fpu.xml", "spr.xml"]
        );
        let t = TargetDescription::from_documents("target.xml", &d).unwrap();
        assert_eq!(t.architecture.as_deref(), Some("powerpc:common64"));
        let got: Vec<(&str, u32, u32)> = t
            .registers
            .iter()
            .map(|r| (r.name.as_str(), r.regnum, r.bitsize))
            .collect();
        assert_eq!(
            got,
            [
                ("r0", 0, 64),
                ("r1", 1, 64),
                ("pc", 64, 64),
                ("msr", 65, 64),
                ("cr", 66, 32),
                ("f0", 71, 64),
                ("f1", 72, 64),
                ("fpscr", 73, 32),
                ("xer", 170, 64),
                ("lr", 171, 64),
            ]
        );
        let cr = t.register("cr").unwrap();
        assert_eq!(
            (cr.ty.as_str(), cr.feature.as_str()),
            ("int", "org.gnu.gdb.power.core")
        );
        assert_eq!(t.register("fpscr").unwrap().group.as_deref(), Some("float"));
        assert_eq!(t.by_regnum(171).unwrap().name, "lr");
        assert_eq!(
            t.features(),
            [
                "org.gnu.gdb.power.core",
                "org.gnu.gdb.power.fpu",
                "org.qemu.power.spr"
            ]
        );
        assert_eq!(t.feature_registers("org.gnu.gdb.power.fpu").count(), 3);
    }

    #[test]
    fn sequential_numbering_continues_into_the_next_include() {
        let root = r#"<target><xi:include href="a.xml"/><xi:include href="b.xml"/></target>"#;
        let a = r#"<feature name="a"><reg name="x" bitsize="32"/><reg name="y" bitsize="32"/></feature>"#;
        let b = r#"<feature name="b"><reg name="z" bitsize="8"/></feature>"#;
        let t = TargetDescription::from_documents(
            "target.xml",
            &docs(&[("target.xml", root), ("a.xml", a), ("b.xml", b)]),
        )
        .unwrap();
        let nums: Vec<u32> = t.registers.iter().map(|r| r.regnum).collect();
        assert_eq!(nums, [0, 1, 2]);
        assert_eq!(t.registers[2].feature, "b");
        assert_eq!(t.registers[2].size(), 1);
        assert!(t.architecture.is_none());
    }

    #[test]
    fn inline_features_and_nested_includes() {
        let root = r#"<target xmlns:xi="http://www.w3.org/2001/XInclude"><feature name="inline"><reg name="a" bitsize="32"/></feature><xi:include href="mid.xml"/></target>"#;
        let mid = r#"<feature name="mid"><reg name="b" bitsize="32"/><xi:include href="leaf.xml"/><reg name="d" bitsize="32"/></feature>"#;
        let leaf = r#"<feature name="leaf"><reg name="c" bitsize="32" regnum="10"/></feature>"#;
        let t = TargetDescription::from_documents(
            "target.xml",
            &docs(&[("target.xml", root), ("mid.xml", mid), ("leaf.xml", leaf)]),
        )
        .unwrap();
        let got: Vec<(&str, u32, &str)> = t
            .registers
            .iter()
            .map(|r| (r.name.as_str(), r.regnum, r.feature.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("a", 0, "inline"),
                ("b", 1, "mid"),
                ("c", 10, "leaf"),
                ("d", 11, "mid")
            ]
        );
    }

    #[test]
    fn g_layout_follows_regnum_order_and_sizes() {
        let d = docs(&[
            ("target.xml", TARGET),
            ("core.xml", CORE),
            ("fpu.xml", FPU),
            ("spr.xml", SPR),
        ]);
        let t = TargetDescription::from_documents("target.xml", &d).unwrap();
        let l = t.g_layout(8 + 8 + 8 + 8 + 4).unwrap();
        let names: Vec<_> = l
            .iter()
            .map(|(r, range)| (r.name.as_str(), range.clone()))
            .collect();
        assert_eq!(
            names,
            [
                ("r0", 0..8),
                ("r1", 8..16),
                ("pc", 16..24),
                ("msr", 24..32),
                ("cr", 32..36)
            ]
        );
        assert!(t.g_layout(30).is_err());
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (
                &[(
                    "target.xml",
                    r#"<target><xi:include href="gone.xml"/></target>"#,
                )],
                "gone.xml",
            ),
            (
                &[("target.xml", r#"<target><xi:include/></target>"#)],
                "without href",
            ),
            (
                &[("target.xml", r#"<feature><reg bitsize="8"/></feature>"#)],
                "without name",
            ),
            (
                &[("target.xml", r#"<feature><reg name="a"/></feature>"#)],
                "no bitsize",
            ),
            (
                &[(
                    "target.xml",
                    r#"<feature><reg name="a" bitsize="x"/></feature>"#,
                )],
                "not a number",
            ),
            (
                &[(
                    "target.xml",
                    r#"<feature><reg name="a" bitsize="0"/></feature>"#,
                )],
                "out of range",
            ),
            (
                &[(
                    "target.xml",
                    r#"<feature><reg name="a" bitsize="8" regnum="3"/><reg name="b" bitsize="8" regnum="3"/></feature>"#,
                )],
                "used twice",
            ),
            (
                &[(
                    "target.xml",
                    r#"<feature><reg name="a" bitsize="8" regnum="4294967295"/></feature>"#,
                )],
                "overflows",
            ),
            (
                &[(
                    "target.xml",
                    r#"<target><xi:include href="target.xml"/></target>"#,
                )],
                "deeper",
            ),
            (
                &[("target.xml", r#"<target><feature name="x"></target>"#)],
                "target.xml",
            ),
        ];
        for (files, needle) in cases {
            let err = TargetDescription::from_documents("target.xml", &docs(files)).unwrap_err();
            let msg = err.to_string();
            assert!(matches!(err, GdbError::TargetXml { .. }), "{msg}");
            assert!(msg.contains(needle), "{msg:?} should mention {needle:?}");
        }
    }
}
