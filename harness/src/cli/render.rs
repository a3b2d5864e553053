//! Human-readable and JSON views of images, registers first.

use ppcr_core::cpu::{short_names, CapabilitySet};
use ppcr_core::format::{
    dabr_bits, dawrx_bits, BookeDebugRecord, DabrRecord, DawrRecord, FprRecord, Image, MainRegs,
    RecordKind, Segment, SpeRecord, VmxRecord, VsxRecord,
};
use serde_json::{json, Value};
use std::fmt::Write;

/// A named register value, as text, for listings and diffs.
pub struct Field {
    pub name: String,
    pub value: String,
}

fn hex(width: usize, v: impl Into<u128>) -> String {
    format!("{:#0w$x}", v.into(), w = width + 2)
}

fn field(name: impl Into<String>, value: String) -> Field {
    Field {
        name: name.into(),
        value,
    }
}

/// Every register of the main record.
pub fn main_fields(m: &MainRegs, word: usize) -> Vec<Field> {
    m.slots()
        .iter()
        .enumerate()
        .map(|(i, &v)| field(MainRegs::slot_name(i), hex(word * 2, v)))
        .collect()
}

fn fpr_fields(f: &FprRecord) -> Vec<Field> {
    let mut out: Vec<Field> = (0..32)
        .map(|i| field(format!("f{i}"), hex(16, f.fpr[i])))
        .collect();
    out.push(field("fpscr", hex(16, f.fpscr)));
    out
}

fn vmx_fields(v: &VmxRecord) -> Vec<Field> {
    let mut out: Vec<Field> = (0..32)
        .map(|i| field(format!("v{i}"), hex(32, v.vr[i])))
        .collect();
    out.push(field("vscr", hex(8, v.vscr)));
    out.push(field("vrsave", hex(8, v.vrsave)));
    out
}

fn vsx_fields(v: &VsxRecord) -> Vec<Field> {
    (0..32)
        .map(|i| field(format!("vs{i}l"), hex(16, v.vsr_low[i])))
        .collect()
}

fn spe_fields(s: &SpeRecord) -> Vec<Field> {
    let mut out: Vec<Field> = (0..32)
        .map(|i| field(format!("ev{i}h"), hex(8, s.evr[i])))
        .collect();
    out.push(field("acc", hex(16, s.acc)));
    out.push(field("spefscr", hex(8, s.spefscr)));
    out
}

fn dabr_fields(d: &DabrRecord) -> Vec<Field> {
    let mut access = Vec::new();
    if d.dabr & dabr_bits::READ != 0 {
        access.push("read");
    }
    if d.dabr & dabr_bits::WRITE != 0 {
        access.push("write");
    }
    if d.dabr & dabr_bits::TRANSLATE != 0 {
        access.push("translate");
    }
    vec![
        field("dabr", hex(16, d.dabr)),
        field("dabrx", hex(16, d.dabrx)),
        field(
            "watch",
            format!(
                "{:#x}+8 {}",
                d.dabr & dabr_bits::ADDR_MASK,
                if access.is_empty() {
                    "disarmed".into()
                } else {
                    access.join(",")
                }
            ),
        ),
    ]
}

fn dawr_fields(d: &DawrRecord) -> Vec<Field> {
    let mut out = Vec::new();
    for (i, s) in d.used().iter().enumerate() {
        let mut access = Vec::new();
        for (bit, name) in [
            (dawrx_bits::DR, "read"),
            (dawrx_bits::DW, "write"),
            (dawrx_bits::WT, "translate"),
            (dawrx_bits::USER, "user"),
            (dawrx_bits::KERNEL, "kernel"),
            (dawrx_bits::HYP, "hyp"),
        ] {
            if s.dawrx & bit != 0 {
                access.push(name);
            }
        }
        out.push(field(format!("dawr{i}"), hex(16, s.dawr)));
        out.push(field(format!("dawrx{i}"), hex(16, s.dawrx)));
        out.push(field(
            format!("watch{i}"),
            format!("{:#x}+{} {}", s.start(), s.range_len(), access.join(",")),
        ));
    }
    out
}

fn booke_fields(b: &BookeDebugRecord) -> Vec<Field> {
    let mut out = vec![
        field("dbcr0", hex(16, b.dbcr0)),
        field("dbcr1", hex(16, b.dbcr1)),
        field("dbcr2", hex(16, b.dbcr2)),
    ];
    for (i, v) in b.iac.iter().enumerate() {
        out.push(field(format!("iac{}", i + 1), hex(16, *v)));
    }
    for (i, v) in b.dac.iter().enumerate() {
        out.push(field(format!("dac{}", i + 1), hex(16, *v)));
    }
    for (i, v) in b.dvc.iter().enumerate() {
        out.push(field(format!("dvc{}", i + 1), hex(16, *v)));
    }
    let used = |mask: u8, name: &str| -> String {
        let v: Vec<String> = (0..8)
            .filter(|i| mask & (1 << i) != 0)
            .map(|i| format!("{name}{}", i + 1))
            .collect();
        if v.is_empty() {
            "none".into()
        } else {
            v.join(",")
        }
    };
    out.push(field(
        "in use",
        format!(
            "{} {} {}",
            used(b.iac_used, "IAC"),
            used(b.dac_used, "DAC"),
            used(b.dvc_used, "DVC")
        ),
    ));
    out
}

/// The registers of one record, or `None` when absent.
pub fn record_fields(image: &Image, kind: RecordKind) -> Option<Vec<Field>> {
    let c = &image.cpu;
    match kind {
        RecordKind::Main => Some(main_fields(&c.main, image.header.flavour.word_size())),
        RecordKind::Fpr => c.fpr.as_ref().map(fpr_fields),
        RecordKind::Vmx => c.vmx.as_ref().map(vmx_fields),
        RecordKind::Vsx => c.vsx.as_ref().map(vsx_fields),
        RecordKind::Spe => c.spe.as_ref().map(spe_fields),
        RecordKind::Dabr => c.dabr.as_ref().map(dabr_fields),
        RecordKind::Dawr => c.dawr.as_ref().map(dawr_fields),
        RecordKind::BookeDebug => c.booke_debug.as_ref().map(booke_fields),
    }
}

fn segment_line(s: &Segment) -> String {
    let f = s.flags;
    format!(
        "{:#010x}  {:>8} B  {}{}{}  crc32c {:#010x}",
        s.addr,
        s.data.len(),
        if f.read { 'r' } else { '-' },
        if f.write { 'w' } else { '-' },
        if f.exec { 'x' } else { '-' },
        crc32c::crc32c(&s.data)
    )
}

/// The `ppcr image inspect` text.
pub fn inspect_text(image: &Image, bytes: &[u8]) -> String {
    let h = &image.header;
    let caps = CapabilitySet::from_words(h.source.caps);
    let crc = bytes
        .get(bytes.len().saturating_sub(4)..)
        .map(|b| u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
        .unwrap_or(0);
    let mut o = String::new();
    let _ = writeln!(
        o,
        "ppcr image, format {}, {} bytes, CRC32C {crc:#010x}",
        h.version,
        bytes.len()
    );
    let _ = writeln!(o, "flavour     {} ({})", h.flavour, h.abi.name());
    let _ = writeln!(
        o,
        "source      {} (PVR {:#010x})",
        h.source.model, h.source.pvr
    );
    let _ = writeln!(
        o,
        "  AT_HWCAP  {:#010x}  {}",
        caps.hwcap.bits(),
        short_names(caps.hwcap, ppcr_core::cpu::Hwcap2::empty())
    );
    let _ = writeln!(
        o,
        "  AT_HWCAP2 {:#010x}  {}",
        caps.hwcap2.bits(),
        short_names(ppcr_core::cpu::Hwcap::empty(), caps.hwcap2)
    );
    let d = caps.debug;
    let _ = writeln!(
        o,
        "  cpu       64-bit {}, true-LE {}, DABR {}, DAWR {}, IAC {}, DAC {}, DVC {}",
        yes(caps.cpu64),
        yes(caps.true_le),
        d.dabr,
        d.dawr,
        d.iac,
        d.dac,
        d.dvc
    );
    let fac = h.facilities.names();
    let _ = writeln!(
        o,
        "facilities  {}",
        if fac.is_empty() {
            "none".into()
        } else {
            fac.join(" ")
        }
    );
    let _ = writeln!(
        o,
        "workload    {}",
        if h.workload.is_empty() {
            "-"
        } else {
            &h.workload
        }
    );
    let names: Vec<&str> = image.cpu.records().iter().map(|k| k.name()).collect();
    let _ = writeln!(
        o,
        "records     mask {:#018x}: {}",
        image.cpu.mask(),
        names.join(" ")
    );
    for kind in image.cpu.records() {
        let Some(fields) = record_fields(image, kind) else {
            continue;
        };
        let _ = writeln!(o, "[{kind}]");
        let widest = fields.iter().map(|f| f.value.len()).max().unwrap_or(0);
        let per_line = match widest {
            0..=10 => 4,
            11..=20 => 3,
            _ => 2,
        };
        for row in fields.chunks(per_line) {
            let line: Vec<String> = row
                .iter()
                .map(|f| format!("{:>9} {}", f.name, f.value))
                .collect();
            let _ = writeln!(o, "{}", line.join("  ").trim_end());
        }
    }
    let _ = writeln!(o, "segments    {}", image.segments.len());
    for s in &image.segments {
        let _ = writeln!(o, "  {}", segment_line(s));
    }
    o
}

fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The `ppcr image inspect --json` document; register values are hex
/// strings because JSON numbers lose 64-bit precision in many readers.
pub fn inspect_json(image: &Image) -> Value {
    let h = &image.header;
    let records: serde_json::Map<String, Value> = image
        .cpu
        .records()
        .into_iter()
        .filter_map(|k| {
            let fields = record_fields(image, k)?;
            let obj: serde_json::Map<String, Value> = fields
                .into_iter()
                .map(|f| (f.name, Value::String(f.value)))
                .collect();
            Some((k.name().to_string(), Value::Object(obj)))
        })
        .collect();
    json!({
        "format": h.version.to_string(),
        "flavour": h.flavour.name(),
        "abi": h.abi.name(),
        "source": {
            "model": h.source.model,
            "pvr": format!("{:#010x}", h.source.pvr),
            "hwcap": format!("{:#010x}", h.source.caps.hwcap),
            "hwcap2": format!("{:#010x}", h.source.caps.hwcap2),
            "cpu64": h.source.caps.cpu64,
            "true_le": h.source.caps.true_le,
            "debug": h.source.caps.debug,
        },
        "facilities": h.facilities.names(),
        "workload": h.workload,
        "record_mask": format!("{:#018x}", image.cpu.mask()),
        "records": records,
        "segments": image.segments.iter().map(|s| json!({
            "addr": format!("{:#x}", s.addr),
            "len": s.data.len(),
            "read": s.flags.read, "write": s.flags.write, "exec": s.flags.exec,
            "crc32c": format!("{:#010x}", crc32c::crc32c(&s.data)),
        })).collect::<Vec<_>>(),
    })
}

/// Register-level differences between two images, one line each.
pub fn diff_lines(a: &Image, b: &Image) -> Vec<String> {
    let mut out = Vec::new();
    let ha = &a.header;
    let hb = &b.header;
    let header = [
        ("format", ha.version.to_string(), hb.version.to_string()),
        ("flavour", ha.flavour.to_string(), hb.flavour.to_string()),
        ("abi", ha.abi.name().into(), hb.abi.name().into()),
        (
            "source model",
            ha.source.model.clone(),
            hb.source.model.clone(),
        ),
        ("source pvr", hex(8, ha.source.pvr), hex(8, hb.source.pvr)),
        (
            "hwcap",
            hex(8, ha.source.caps.hwcap),
            hex(8, hb.source.caps.hwcap),
        ),
        (
            "hwcap2",
            hex(8, ha.source.caps.hwcap2),
            hex(8, hb.source.caps.hwcap2),
        ),
        (
            "facilities",
            ha.facilities.names().join(" "),
            hb.facilities.names().join(" "),
        ),
        ("workload", ha.workload.clone(), hb.workload.clone()),
    ];
    for (name, x, y) in header {
        if x != y {
            out.push(format!("header {name}: {x} -> {y}"));
        }
    }
    for kind in RecordKind::ALL {
        match (record_fields(a, kind), record_fields(b, kind)) {
            (None, None) => {}
            (Some(_), None) => out.push(format!("[{kind}] only in A")),
            (None, Some(_)) => out.push(format!("[{kind}] only in B")),
            (Some(fa), Some(fb)) => {
                for (x, y) in fa.iter().zip(&fb) {
                    if x.value != y.value {
                        out.push(format!("[{kind}] {}: {} -> {}", x.name, x.value, y.value));
                    }
                }
            }
        }
    }
    let segs = |i: &Image| i.segments.iter().map(segment_line).collect::<Vec<_>>();
    let (sa, sb) = (segs(a), segs(b));
    for s in sa.iter().filter(|s| !sb.contains(s)) {
        out.push(format!("segment only in A: {s}"));
    }
    for s in sb.iter().filter(|s| !sa.contains(s)) {
        out.push(format!("segment only in B: {s}"));
    }
    out
}
