//! Encode, decode and verify of a full-record image, reported as throughput
//! and as a ratio against a plain copy of the same bytes measured in the
//! same run (memory speed on this machine, whatever its load).
//!
//! `cargo bench -p ppcr-core --bench format`

use ppcr_core::format::{Image, Segment, SegmentFlags};
use ppcr_core::{cpu, synth};
use std::hint::black_box;
use std::time::{Duration, Instant};

fn full_image(segment_bytes: usize) -> Image {
    let p10 = cpu::lookup("power10").unwrap();
    let records = ["fpr", "vmx", "vsx", "dawr"].map(|r| r.parse().unwrap());
    let mut image = synth::image(p10, cpu::Flavour::Ppc64le, &records, 42).unwrap();
    if segment_bytes > 0 {
        image.segments.push(Segment {
            addr: 0x0100_0000,
            flags: SegmentFlags {
                read: true,
                write: true,
                exec: false,
            },
            data: (0..segment_bytes).map(|i| (i * 7) as u8).collect(),
        });
    }
    image
}

/// Median time per iteration over several rounds of at least `min` each.
fn measure(mut f: impl FnMut()) -> Duration {
    let min = Duration::from_millis(200);
    let mut per_iter = Vec::new();
    for _ in 0..7 {
        let start = Instant::now();
        let mut n = 0u64;
        while start.elapsed() < min / 7 {
            f();
            n += 1;
        }
        per_iter.push(start.elapsed() / n as u32);
    }
    per_iter.sort();
    per_iter[per_iter.len() / 2]
}

fn main() {
    // Let `cargo bench -- <filter>` and `cargo test --benches` pass through quickly.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    println!(
        "{:<34} {:>12} {:>12} {:>14}",
        "case", "time", "throughput", "vs copy"
    );
    for (label, seg) in [
        ("full records, 2 KiB image", 0usize),
        ("full records + 4 MiB segment", 4 << 20),
    ] {
        let image = full_image(seg);
        let bytes = image.encode().unwrap();
        let len = bytes.len() as f64;
        let copy = measure(|| {
            black_box(black_box(&bytes).to_vec());
        });
        type Case<'a> = (&'static str, Box<dyn Fn() + 'a>);
        let cases: [Case; 4] = [
            (
                "copy (baseline)",
                Box::new(|| {
                    black_box(black_box(&bytes).to_vec());
                }),
            ),
            (
                "encode",
                Box::new(|| {
                    black_box(black_box(&image).encode().unwrap());
                }),
            ),
            (
                "decode",
                Box::new(|| {
                    black_box(Image::decode(black_box(&bytes)).unwrap());
                }),
            ),
            (
                "verify (no segment copy)",
                Box::new(|| {
                    black_box(Image::verify(black_box(&bytes))).unwrap();
                }),
            ),
        ];
        println!("{label} ({} bytes)", bytes.len());
        for (name, f) in cases {
            let t = measure(&*f);
            let gbps = len / t.as_secs_f64() / 1e9;
            println!(
                "  {:<32} {:>10.2?} {:>8.2} GB/s {:>12.2}x",
                name,
                t,
                gbps,
                t.as_secs_f64() / copy.as_secs_f64()
            );
        }
    }
}
