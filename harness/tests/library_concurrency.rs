//! Several `ppcr library put` processes write the same and different images
//! into one library at once, while this process lists and reads it. Nothing
//! may be lost, duplicated or corrupt, no reader may ever see a partial
//! object, and no temporary file may remain.

use ppcr::library::{Library, ObjectId, Query, INDEX_DIR, OBJECTS_DIR, QUARANTINE_DIR, TMP_DIR};
use ppcr_core::format::{Flavour, Image, RecordKind};
use ppcr_core::{cpu, synth};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

const WRITERS: usize = 6;
const SHARED: usize = 8;
const OWN: usize = 3;
const ROUNDS: usize = 3;

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// A valid image, different for every seed, with `kib` KiB of memory so
/// that a write is not instantaneous (a reader of a non-atomic write would
/// catch it half done).
fn image_bytes(seed: u64, kib: usize) -> Vec<u8> {
    let model = cpu::lookup("power9").unwrap();
    let mut img = synth::image(
        model,
        Flavour::Ppc64,
        &[RecordKind::Fpr, RecordKind::Vmx],
        seed,
    )
    .unwrap();
    img.header.workload = format!("w{}", seed % 3);
    if let Some(s) = img.segments.last_mut() {
        s.data.resize(kib * 1024, seed as u8);
    }
    img.encode().unwrap()
}

#[test]
fn concurrent_writers_lose_and_corrupt_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("lib");
    let src = dir.path().join("src");
    std::fs::create_dir_all(&src).unwrap();

    // Image files: SHARED put by every writer, OWN more per writer.
    let mut expected: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut file_of = |seed: u64, kib: usize| {
        let bytes = image_bytes(seed, kib);
        let id = ObjectId::of(&bytes).to_string();
        let path = src.join(format!("{seed}.img"));
        std::fs::write(&path, &bytes).unwrap();
        expected.insert(id.clone(), bytes);
        (path, id)
    };
    let shared: Vec<(PathBuf, String)> = (0..SHARED as u64).map(|s| file_of(s, 96)).collect();
    let own: Vec<Vec<(PathBuf, String)>> = (0..WRITERS)
        .map(|w| {
            (0..OWN as u64)
                .map(|i| file_of(1000 + (w * OWN) as u64 + i, 16))
                .collect()
        })
        .collect();
    assert_eq!(expected.len(), SHARED + WRITERS * OWN);

    // Readers in this process, running all the while.
    let lib = Library::open(&root).unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let lib = lib.clone();
        let done = done.clone();
        let expected = expected.clone();
        std::thread::spawn(move || {
            let mut lists = 0usize;
            let mut gets = 0usize;
            while !done.load(Ordering::Acquire) {
                let l = lib.list(&Query::default()).unwrap();
                assert!(
                    l.quarantined.is_empty(),
                    "a reader saw a corrupt object: {:?}",
                    l.quarantined
                );
                let mut seen = BTreeSet::new();
                for e in &l.entries {
                    assert!(expected.contains_key(&e.id), "unknown id {}", e.id);
                    assert!(seen.insert(e.id.clone()), "{} listed twice", e.id);
                    let (got, _) = lib.get(&e.id).unwrap();
                    assert_eq!(&got, e);
                    gets += 1;
                }
                lists += 1;
                // Leave the CPUs to the writers and the raw reader.
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            (lists, gets)
        })
    };
    // And a raw reader: every object file, whenever it can be seen, holds
    // exactly the bytes of its id (a non-atomic write would show a short
    // file for a moment).
    let raw_reader = {
        let done = done.clone();
        let by_path: BTreeMap<PathBuf, Vec<u8>> = expected
            .iter()
            .map(|(id, b)| (lib.object_path(&ObjectId::parse(id).unwrap()), b.clone()))
            .collect();
        std::thread::spawn(move || {
            let mut reads = 0usize;
            // Poll the objects not yet seen first, so that a file is read
            // within microseconds of its name appearing.
            let mut pending: Vec<&PathBuf> = by_path.keys().collect();
            while !done.load(Ordering::Acquire) {
                let round: Vec<&PathBuf> = if pending.is_empty() {
                    by_path.keys().collect()
                } else {
                    pending.clone()
                };
                for path in round {
                    let want = &by_path[path];
                    match std::fs::read(path) {
                        Ok(got) => {
                            assert!(
                                got == *want,
                                "{} seen with {} of its {} bytes",
                                path.display(),
                                got.len(),
                                want.len()
                            );
                            reads += 1;
                            pending.retain(|p| *p != path);
                        }
                        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::NotFound),
                    }
                }
            }
            reads
        })
    };

    // Writers: separate processes, each putting the shared images and its
    // own ones ROUNDS times, in an order of its own.
    let start = Instant::now();
    let children: Vec<_> = (0..WRITERS)
        .map(|w| {
            let mut mine: Vec<&PathBuf> = shared.iter().chain(&own[w]).map(|(p, _)| p).collect();
            let n = mine.len();
            mine.rotate_left(w % n);
            if w % 2 == 1 {
                mine.reverse();
            }
            let mut args: Vec<&PathBuf> = Vec::new();
            for _ in 0..ROUNDS {
                args.extend(&mine);
            }
            Command::new(env!("CARGO_BIN_EXE_ppcr"))
                .args(["library", "put", "--library"])
                .arg(&root)
                .args(args)
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut puts = 0usize;
    for (w, child) in children.into_iter().enumerate() {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "writer {w}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        // Each line: "<id>  <file>", with the id of that file's bytes.
        for line in String::from_utf8(out.stdout).unwrap().lines() {
            let (id, file) = line.split_once("  ").unwrap();
            let bytes = std::fs::read(file).unwrap();
            assert_eq!(id, ObjectId::of(&bytes).as_str(), "{line}");
            puts += 1;
        }
    }
    let elapsed = start.elapsed();
    done.store(true, Ordering::Release);
    let (lists, gets) = reader.join().unwrap();
    let reads = raw_reader.join().unwrap();
    assert_eq!(puts, WRITERS * (SHARED + OWN) * ROUNDS);
    eprintln!(
        "{puts} puts from {WRITERS} processes in {elapsed:.2?} ({:.0} puts/s); \
         meanwhile {lists} lists, {gets} gets, {reads} raw reads",
        puts as f64 / elapsed.as_secs_f64()
    );

    // Every image exactly once, byte for byte, and nothing else.
    let objects = files_under(&root.join(OBJECTS_DIR));
    let want: Vec<PathBuf> = expected
        .keys()
        .map(|id| lib.object_path(&ObjectId::parse(id).unwrap()))
        .collect();
    assert_eq!(objects, want);
    for (id, bytes) in &expected {
        let path = lib.object_path(&ObjectId::parse(id).unwrap());
        let stored = std::fs::read(&path).unwrap();
        assert_eq!(&stored, bytes, "{}", path.display());
        Image::verify(&stored).unwrap();
    }
    // The index lists each exactly once.
    let index: Vec<PathBuf> = files_under(&root.join(INDEX_DIR));
    let want_index: Vec<PathBuf> = expected
        .keys()
        .map(|id| lib.index_path(&ObjectId::parse(id).unwrap()))
        .collect();
    assert_eq!(index, want_index);
    let l = lib.list(&Query::default()).unwrap();
    assert!(l.quarantined.is_empty());
    let listed: Vec<&str> = l.entries.iter().map(|e| e.id.as_str()).collect();
    let mut sorted = listed.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), listed.len(), "an id listed twice");
    assert_eq!(
        sorted,
        expected.keys().map(String::as_str).collect::<Vec<_>>()
    );
    // No leftovers: no temporary file, nothing quarantined, and gc agrees.
    assert!(files_under(&root.join(TMP_DIR)).is_empty());
    assert!(files_under(&root.join(QUARANTINE_DIR)).is_empty());
    let r = lib.gc().unwrap();
    assert_eq!(r.objects_ok, expected.len());
    assert_eq!(
        (
            r.quarantined.len(),
            r.temp_removed.len(),
            r.index_written,
            r.index_removed
        ),
        (0, 0, 0, 0)
    );
}
