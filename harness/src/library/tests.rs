//! Unit tests of the library (each builds its own library in a temp dir).

use super::*;
use ppcr_core::cpu;
use ppcr_core::format::{Flavour, FormatVersion, Image, RecordKind};
use ppcr_core::synth;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

fn image(model: &str, flavour: Flavour, records: &[RecordKind], seed: u64) -> Image {
    synth::image(cpu::lookup(model).unwrap(), flavour, records, seed).unwrap()
}

fn bytes(seed: u64) -> Vec<u8> {
    image("power9", Flavour::Ppc64, &[RecordKind::Fpr], seed)
        .encode()
        .unwrap()
}

fn lib() -> (tempfile::TempDir, Library) {
    let dir = tempfile::tempdir().unwrap();
    let lib = Library::open(dir.path().join("images")).unwrap();
    (dir, lib)
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_under(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn quarantine_files(lib: &Library) -> Vec<PathBuf> {
    files_under(&lib.root().join(QUARANTINE_DIR))
}

#[test]
fn put_then_get_round_trips() {
    let (_d, lib) = lib();
    let img = image(
        "power9",
        Flavour::Ppc64le,
        &[RecordKind::Fpr, RecordKind::Vmx, RecordKind::Vsx],
        7,
    );
    let b = img.encode().unwrap();
    let e = lib.put(&b).unwrap();
    assert_eq!(e.id, ObjectId::of(&b).as_str());
    assert_eq!(e.size, b.len() as u64);
    assert_eq!(e.source_model, img.header.source.model);
    assert_eq!(e.flavour, Flavour::Ppc64le);
    assert_eq!(e.format_version, FormatVersion::CURRENT);
    assert_eq!(e.records, ["main", "fpr", "vmx", "vsx"]);
    let (fan, rest) = e.id.split_at(2);
    assert_eq!(
        e.path,
        lib.root()
            .join("objects")
            .join(fan)
            .join(format!("{rest}.ppcr"))
    );
    assert_eq!(std::fs::read(&e.path).unwrap(), b);
    assert!(lib
        .root()
        .join("index")
        .join(format!("{}.json", e.id))
        .is_file());

    let (got, got_img) = lib.get(&e.id).unwrap();
    assert_eq!(got, e);
    assert_eq!(got_img, img);
    let loaded = lib.load(&e.id.to_uppercase()).unwrap();
    assert_eq!(loaded.bytes, b);
    assert!(files_under(&lib.root().join(TMP_DIR)).is_empty());
}

#[test]
fn put_refuses_invalid_bytes() {
    let (_d, lib) = lib();
    let mut b = bytes(1);
    b.truncate(b.len() - 1);
    assert!(matches!(lib.put(&b), Err(LibraryError::InvalidImage(_))));
    assert!(matches!(
        lib.put(b"junk"),
        Err(LibraryError::InvalidImage(_))
    ));
    assert!(lib.object_ids().unwrap().is_empty());
    assert!(files_under(&lib.root().join(TMP_DIR)).is_empty());
}

#[test]
fn put_of_a_present_image_is_a_no_op() {
    let (_d, lib) = lib();
    let b = bytes(2);
    let first = lib.put(&b).unwrap();
    let ino = |p: &Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).unwrap().ino()
    };
    let (obj_ino, idx_ino) = (
        ino(&first.path),
        ino(&lib.index_path(&ObjectId::parse(&first.id).unwrap())),
    );
    let again = lib.put(&b).unwrap();
    assert_eq!(again, first);
    // Neither file was rewritten.
    assert_eq!(ino(&first.path), obj_ino);
    assert_eq!(
        ino(&lib.index_path(&ObjectId::parse(&first.id).unwrap())),
        idx_ino
    );
    assert_eq!(lib.object_ids().unwrap().len(), 1);
    assert_eq!(lib.list(&Query::default()).unwrap().entries, vec![first]);
}

#[test]
fn put_replaces_a_corrupt_copy_and_quarantines_it() {
    let (_d, lib) = lib();
    let b = bytes(3);
    let e = lib.put(&b).unwrap();
    std::fs::write(&e.path, &b[..100]).unwrap();
    let again = lib.put(&b).unwrap();
    assert_eq!(again, e);
    assert_eq!(std::fs::read(&e.path).unwrap(), b);
    assert_eq!(quarantine_files(&lib).len(), 2, "object + reason");
}

#[test]
fn prefixes_resolve_and_ambiguity_is_an_error() {
    let (_d, lib) = lib();
    let e = lib.put(&bytes(4)).unwrap();
    assert_eq!(lib.get(&e.id[..4]).unwrap().0, e);
    assert_eq!(lib.get(&e.id[..20]).unwrap().0, e);
    // Two objects whose ids share 6 hex digits (names are all `resolve` reads).
    let fan = lib.root().join("objects").join("ab");
    std::fs::create_dir_all(&fan).unwrap();
    for tail in ["0", "1"] {
        std::fs::write(fan.join(format!("cdef{}.ppcr", tail.repeat(58))), b"x").unwrap();
    }
    match lib.resolve("abcdef") {
        Err(LibraryError::Ambiguous {
            prefix, matches, ..
        }) => {
            assert_eq!(prefix, "abcdef");
            assert_eq!(matches.len(), 2);
        }
        other => panic!("expected ambiguity, got {other:?}"),
    }
    let msg = lib.resolve("abcd").unwrap_err().to_string();
    assert!(msg.contains("ambiguous") && msg.contains("abcd"), "{msg}");
    assert_eq!(
        lib.resolve("abcdef0").unwrap().as_str(),
        format!("abcdef{}", "0".repeat(58))
    );
    assert!(matches!(
        lib.resolve("abce"),
        Err(LibraryError::NotFound { .. })
    ));
    assert!(matches!(
        lib.get("ffff"),
        Err(LibraryError::NotFound { .. })
    ));
    assert!(matches!(
        lib.get(&"e".repeat(64)),
        Err(LibraryError::NotFound { .. })
    ));
}

#[test]
fn user_ids_are_validated() {
    let (_d, lib) = lib();
    lib.put(&bytes(5)).unwrap();
    for bad in [
        "",
        "abc",
        "../../etc/passwd",
        "..",
        "/etc/passwd",
        "ab/cd",
        "objects",
        "abcd.json",
        &"a".repeat(65),
    ] {
        match lib.get(bad) {
            Err(LibraryError::InvalidId { id, .. }) => assert_eq!(id, bad),
            other => panic!("{bad:?}: expected InvalidId, got {other:?}"),
        }
    }
}

#[test]
fn queries_filter_on_model_flavour_workload_and_version() {
    let (_d, lib) = lib();
    let p9 = image("power9", Flavour::Ppc64, &[RecordKind::Fpr], 1);
    let p9le = image("power9", Flavour::Ppc64le, &[RecordKind::Vsx], 1);
    let e500 = image("e500v2", Flavour::Ppc32, &[RecordKind::Spe], 1);
    let mut p9fp = p9.clone();
    p9fp.header.workload = "fp".into();
    let mut p9v11 = p9.clone();
    p9v11.header.version = FormatVersion { major: 1, minor: 1 };
    let mut ids = std::collections::HashMap::new();
    for (name, img) in [
        ("p9", &p9),
        ("p9le", &p9le),
        ("e500", &e500),
        ("p9fp", &p9fp),
        ("p9v11", &p9v11),
    ] {
        let b = img.encode().unwrap();
        ids.insert(lib.put(&b).unwrap().id, name);
    }
    let names = |q: Query| {
        let l = lib.list(&q).unwrap();
        assert!(l.quarantined.is_empty());
        let mut v: Vec<&str> = l.entries.iter().map(|e| ids[&e.id]).collect();
        v.sort();
        v
    };
    assert_eq!(names(Query::default()).len(), 5);
    let p9_model = p9.header.source.model.clone();
    assert_eq!(
        names(Query {
            source_model: Some(p9_model.clone()),
            ..Query::default()
        }),
        ["p9", "p9fp", "p9le", "p9v11"]
    );
    assert_eq!(
        names(Query {
            flavour: Some(Flavour::Ppc32),
            ..Query::default()
        }),
        ["e500"]
    );
    assert_eq!(
        names(Query {
            workload: Some("fp".into()),
            ..Query::default()
        }),
        ["p9fp"]
    );
    assert_eq!(
        names(Query {
            format_version: Some(FormatVersion { major: 1, minor: 1 }),
            ..Query::default()
        }),
        ["p9v11"]
    );
    assert_eq!(
        names(Query {
            source_model: Some(p9_model),
            flavour: Some(Flavour::Ppc64),
            workload: Some("synthetic".into()),
            format_version: Some(FormatVersion::CURRENT),
        }),
        ["p9"]
    );
    // The catalogue name matches every variant's images.
    assert_ne!(p9.header.source.model, "power9");
    assert_eq!(
        names(Query {
            source_model: Some("power9".into()),
            ..Query::default()
        })
        .len(),
        4
    );
    assert!(names(Query {
        source_model: Some("no-such-cpu".into()),
        ..Query::default()
    })
    .is_empty());
}

#[test]
fn format_versions_parse() {
    assert_eq!(
        parse_format_version("1.0").unwrap(),
        FormatVersion { major: 1, minor: 0 }
    );
    for bad in ["1", "1.", ".0", "1.0.0", "a.b", "1.-1", "70000.0"] {
        assert!(parse_format_version(bad).is_err(), "{bad}");
    }
}

/// Flips one byte in the middle of a stored object.
fn flip(path: &Path) {
    let mut b = std::fs::read(path).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 0x55;
    std::fs::write(path, b).unwrap();
}

fn assert_quarantined(lib: &Library, e: &Entry, q: &Quarantined) {
    assert_eq!(q.id, e.id);
    assert_eq!(q.was, e.path);
    assert!(!e.path.exists(), "the corrupt object left its place");
    assert!(q.path.starts_with(lib.root().join(QUARANTINE_DIR)));
    assert!(q.path.is_file());
    let note = std::fs::read_to_string(q.path.with_extension("reason")).unwrap();
    assert!(note.contains(&e.id) && note.contains(&q.reason), "{note}");
    assert!(!lib.index_path(&ObjectId::parse(&e.id).unwrap()).exists());
}

#[test]
fn corrupt_object_is_quarantined_by_get() {
    let (_d, lib) = lib();
    let e = lib.put(&bytes(6)).unwrap();
    let other = lib.put(&bytes(7)).unwrap();
    flip(&e.path);
    let err = lib.get(&e.id).unwrap_err();
    let LibraryError::Corrupt {
        id,
        path,
        reason,
        quarantined_to,
    } = &err
    else {
        panic!("expected Corrupt, got {err:?}");
    };
    assert_eq!(id, &e.id);
    assert_eq!(path, &e.path);
    assert!(reason.contains("content hash"), "{reason}");
    assert!(err.to_string().contains(&e.path.display().to_string()));
    assert_quarantined(
        &lib,
        &e,
        &Quarantined {
            id: id.clone(),
            was: path.clone(),
            path: quarantined_to.clone(),
            reason: reason.clone(),
        },
    );
    // Gone for good, and the rest of the library is fine.
    assert!(matches!(lib.get(&e.id), Err(LibraryError::NotFound { .. })));
    assert_eq!(lib.list(&Query::default()).unwrap().entries, vec![other]);
}

#[test]
fn corrupt_objects_are_quarantined_by_list() {
    let (_d, lib) = lib();
    let truncated = lib.put(&bytes(8)).unwrap();
    let flipped = lib.put(&bytes(9)).unwrap();
    let unindexed = lib.put(&bytes(10)).unwrap();
    let good = lib.put(&bytes(11)).unwrap();
    let b = std::fs::read(&truncated.path).unwrap();
    std::fs::write(&truncated.path, &b[..b.len() / 3]).unwrap();
    flip(&flipped.path);
    flip(&unindexed.path);
    std::fs::remove_file(lib.index_path(&ObjectId::parse(&unindexed.id).unwrap())).unwrap();

    let l = lib.list(&Query::default()).unwrap();
    assert_eq!(l.entries, vec![good.clone()]);
    assert_eq!(l.quarantined.len(), 3);
    for e in [&truncated, &flipped, &unindexed] {
        let q = l.quarantined.iter().find(|q| q.id == e.id).unwrap();
        assert_quarantined(&lib, e, q);
    }
    // A second listing finds nothing more to report.
    let l = lib.list(&Query::default()).unwrap();
    assert_eq!(l.entries, vec![good]);
    assert!(l.quarantined.is_empty());
}

#[test]
fn an_object_under_another_images_id_is_corrupt() {
    let (_d, lib) = lib();
    let a = lib.put(&bytes(12)).unwrap();
    let b = lib.put(&bytes(13)).unwrap();
    // A valid image, but not the one its name promises.
    std::fs::copy(&b.path, &a.path).unwrap();
    let r = lib.gc().unwrap();
    assert_eq!(r.objects_ok, 1);
    assert_eq!(r.quarantined.len(), 1);
    assert_quarantined(&lib, &a, &r.quarantined[0]);
    assert!(r.quarantined[0].reason.contains("not its id"));
}

#[test]
fn list_indexes_unindexed_objects_and_skips_stale_entries() {
    let (_d, lib) = lib();
    let e = lib.put(&bytes(14)).unwrap();
    let idx = lib.index_path(&ObjectId::parse(&e.id).unwrap());
    let record = std::fs::read(&idx).unwrap();
    std::fs::remove_file(&idx).unwrap();
    // A stale entry with no object behind it.
    std::fs::write(lib.index_path(&ObjectId::of(b"ghost")), &record).unwrap();
    let l = lib.list(&Query::default()).unwrap();
    assert_eq!(l.entries, vec![e]);
    assert!(idx.is_file(), "list wrote the missing index entry");
}

#[test]
fn gc_rebuilds_the_index() {
    let (_d, lib) = lib();
    let a = lib.put(&bytes(15)).unwrap();
    let b = lib.put(&bytes(16)).unwrap();
    let ia = lib.index_path(&ObjectId::parse(&a.id).unwrap());
    let ib = lib.index_path(&ObjectId::parse(&b.id).unwrap());
    let good_b = std::fs::read(&ib).unwrap();
    std::fs::remove_file(&ia).unwrap();
    std::fs::write(&ib, b"{ not json").unwrap();
    let ghost = lib.index_path(&ObjectId::of(b"ghost"));
    std::fs::write(&ghost, &good_b).unwrap();
    let r = lib.gc().unwrap();
    assert_eq!(r.objects_ok, 2);
    assert_eq!(r.index_written, 2);
    assert_eq!(r.index_removed, 1);
    assert!(r.quarantined.is_empty());
    assert!(ia.is_file());
    assert_eq!(std::fs::read(&ib).unwrap(), good_b);
    assert!(!ghost.exists());
    // Nothing left to do.
    let r = lib.gc().unwrap();
    assert_eq!((r.index_written, r.index_removed), (0, 0));
}

#[test]
fn gc_removes_only_stale_temp_files() {
    let (_d, lib) = lib();
    lib.put(&bytes(17)).unwrap();
    let tmp = lib.root().join(TMP_DIR);
    let stale = tmp.join("put-stale.tmp");
    let fresh = tmp.join("put-fresh.tmp");
    std::fs::write(&stale, b"half an image").unwrap();
    std::fs::write(&fresh, b"a writer at work").unwrap();
    let f = std::fs::File::options().write(true).open(&stale).unwrap();
    f.set_modified(SystemTime::now() - Duration::from_secs(7200))
        .unwrap();
    drop(f);
    let r = lib.gc().unwrap();
    assert_eq!(r.temp_removed, vec![stale.clone()]);
    assert!(!stale.exists());
    assert!(
        fresh.exists(),
        "a young temp file may belong to a live writer"
    );
    let r = lib.gc_with(Duration::ZERO).unwrap();
    assert_eq!(r.temp_removed, vec![fresh]);
}

#[test]
fn golden_images_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("images");
    let golden = root.join("golden");
    std::fs::create_dir_all(&golden).unwrap();
    let good = bytes(18);
    let mut bad = bytes(19);
    bad.truncate(50);
    std::fs::write(golden.join("a.img"), &good).unwrap();
    std::fs::write(golden.join("broken.img"), &bad).unwrap();
    let old = SystemTime::now() - Duration::from_secs(7200);
    for name in ["a.img", "broken.img"] {
        let f = std::fs::File::options()
            .write(true)
            .open(golden.join(name))
            .unwrap();
        f.set_modified(old).unwrap();
    }
    let before: Vec<_> = files_under(&golden)
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(&p).unwrap().modified().unwrap();
            (p.clone(), std::fs::read(&p).unwrap(), m)
        })
        .collect();

    let lib = Library::open(&root).unwrap();
    lib.put(&bytes(20)).unwrap();
    let l = lib.list(&Query::default()).unwrap();
    assert_eq!(l.entries.len(), 1, "golden images are not library objects");
    assert!(l.quarantined.is_empty());
    let r = lib.gc_with(Duration::ZERO).unwrap();
    assert!(r.quarantined.is_empty() && r.temp_removed.is_empty());

    let after: Vec<_> = files_under(&golden)
        .into_iter()
        .map(|p| {
            let m = std::fs::metadata(&p).unwrap().modified().unwrap();
            (p.clone(), std::fs::read(&p).unwrap(), m)
        })
        .collect();
    assert_eq!(before, after);
    assert!(quarantine_files(&lib).is_empty());
}

#[test]
fn quarantine_puts_back_a_good_copy() {
    // The race where a writer replaced a corrupt object with a good copy
    // between the check and the move: the good file must stay.
    let (_d, lib) = lib();
    let e = lib.put(&bytes(21)).unwrap();
    let id = ObjectId::parse(&e.id).unwrap();
    assert!(lib.quarantine(&id, "pretend it was corrupt").is_none());
    assert!(e.path.is_file());
    assert!(quarantine_files(&lib).is_empty());
    assert_eq!(lib.get(&e.id).unwrap().0, e);
}

#[test]
fn open_refuses_a_file_root() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("file");
    std::fs::write(&f, b"").unwrap();
    let err = Library::open(&f).unwrap_err();
    assert!(matches!(err, LibraryError::NotADirectory { .. }));
    assert!(err.to_string().contains(&f.display().to_string()));
}
