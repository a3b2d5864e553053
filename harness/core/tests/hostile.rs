//! Hostile input: mutated, truncated and length-forged images decode to an
//! error (or, when a mutation happens to stay valid, to an image that
//! re-encodes to the same bytes), never a panic, never a large allocation.

mod common;

use common::corrupt::*;
use ppcr_core::format::Image;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records the largest single allocation, to prove that no forged length
/// sizes an allocation.
struct Tracking;

static LARGEST: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Tracking {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LARGEST.fetch_max(layout.size(), Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LARGEST.fetch_max(new_size, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Tracking = Tracking;

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const HOSTILE_VALUES: [u64; 8] = [
    0,
    1,
    7,
    0xffff_ffff,
    0x7fff_ffff,
    u64::MAX,
    u64::MAX - 7,
    1 << 40,
];

fn mutate(rng: &mut Rng, valid: &[u8]) -> Vec<u8> {
    let mut b = valid.to_vec();
    match rng.below(6) {
        // Random byte flips, checksum left stale.
        0 => {
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
        }
        // Random byte flips, resealed so field checks are reached.
        1 => {
            for _ in 0..1 + rng.below(3) {
                let i = rng.below(b.len() - 4);
                b[i] = rng.next() as u8;
            }
            reseal(&mut b);
        }
        // Truncation, with and without resealing.
        2 => {
            let keep = rng.below(b.len());
            b.truncate(keep);
            if keep > 32 && rng.below(2) == 0 {
                reseal(&mut b);
            }
        }
        // A forged record length.
        3 => {
            let (frames, _) = frames(&b);
            let at = frames[rng.below(frames.len())] + 4;
            let v = HOSTILE_VALUES[rng.below(HOSTILE_VALUES.len())] as u32;
            put_u32(&mut b, at, v);
            reseal(&mut b);
        }
        // A forged segment count or segment length.
        4 => {
            let (_, seg) = frames(&b);
            let v = HOSTILE_VALUES[rng.below(HOSTILE_VALUES.len())];
            if rng.below(2) == 0 {
                put_u32(&mut b, seg, v as u32);
            } else if seg + 8 + 16 <= b.len() - 4 {
                put_u64(&mut b, seg + 8 + 8, v);
            }
            reseal(&mut b);
        }
        // A forged header or total length, checksum recomputed over the rest.
        _ => {
            let v = HOSTILE_VALUES[rng.below(HOSTILE_VALUES.len())];
            if rng.below(2) == 0 {
                put_u32(&mut b, 12, v as u32);
                reseal(&mut b);
            } else {
                put_u64(&mut b, 16, v);
                let body = b.len() - 4;
                let crc = crc32c::crc32c(&b[..body]);
                b[body..].copy_from_slice(&crc.to_le_bytes());
            }
        }
    }
    b
}

#[test]
fn hundred_thousand_hostile_images_fail_cleanly() {
    let seeds: Vec<Vec<u8>> = common::seeds()
        .iter()
        .map(|i| i.encode().unwrap())
        .collect();
    let largest_input = seeds.iter().map(Vec::len).max().unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut errors, mut still_valid) = (0u32, 0u32);
    LARGEST.store(0, Ordering::Relaxed);
    for i in 0..100_000 {
        let seed = &seeds[i % seeds.len()];
        let bytes = mutate(&mut rng, seed);
        match Image::decode(&bytes) {
            Err(e) => {
                errors += 1;
                // Every error renders to a message.
                assert!(!e.to_string().is_empty());
            }
            Ok(image) => {
                still_valid += 1;
                assert_eq!(
                    image.encode().unwrap(),
                    bytes,
                    "a valid image must re-encode exactly"
                );
            }
        }
    }
    // Resealed byte changes inside register values stay valid (about one in eight).
    assert!(
        errors > 75_000,
        "only {errors} errors: the mutations are too weak"
    );
    // Nothing was allocated beyond a couple of copies of the input size.
    let largest = LARGEST.load(Ordering::Relaxed);
    assert!(
        largest <= 4 * largest_input.max(4096),
        "an allocation of {largest} bytes for inputs of at most {largest_input}"
    );
    eprintln!(
        "{errors} errors, {still_valid} still-valid mutations, largest allocation {largest} B"
    );
}
