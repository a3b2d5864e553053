//! The journal: every finished pair, appended as one JSON line and synced
//! to disk before the next, so an interrupted run (SIGINT, a killed process,
//! a full disk) loses nothing it finished.
//!
//! The first line is a [`Header`] naming the selection and shard; `--resume`
//! refuses a journal of another run. A torn last line (the process died
//! mid-write) is cut off; damage anywhere else is an error, never skipped.

use super::cells::Selection;
use super::run::{Event, Sink};
use super::schema::PairResult;
use super::shard::Shard;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// The file name inside the output directory.
pub const FILE: &str = "journal.jsonl";
/// The journal format.
pub const JOURNAL_VERSION: u32 = 1;

/// The first line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub ppcr_matrix_journal: u32,
    pub selection: Selection,
    pub shard: Option<Shard>,
}

impl Header {
    /// The header of a run.
    pub fn new(selection: Selection, shard: Option<Shard>) -> Header {
        Header {
            ppcr_matrix_journal: JOURNAL_VERSION,
            selection,
            shard,
        }
    }
}

/// A journal that cannot be resumed.
#[derive(Debug, Error)]
pub enum JournalError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("{path} has no journal header; remove it or run without --resume")]
    NoHeader { path: PathBuf },
    #[error("{path} belongs to another run ({found}); this run is ({wanted}); use another --out or run without --resume")]
    OtherRun {
        path: PathBuf,
        found: String,
        wanted: String,
    },
    #[error("{path}:{line}: damaged record ({error}); only a torn last line is repaired")]
    Damaged {
        path: PathBuf,
        line: usize,
        error: String,
    },
}

/// An open journal, appending.
#[derive(Debug)]
pub struct Journal {
    file: File,
    path: PathBuf,
}

fn io_err(path: &Path) -> impl Fn(io::Error) -> JournalError + '_ {
    move |source| JournalError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn describe(h: &Header) -> String {
    serde_json::to_string(&(&h.selection, &h.shard)).unwrap_or_default()
}

impl Journal {
    /// Starts a new journal at `path` (replacing any), with `header`.
    pub fn create(path: &Path, header: &Header) -> Result<Journal, JournalError> {
        let mut file = File::create(path).map_err(io_err(path))?;
        let mut line = serde_json::to_vec(header).expect("a header serializes");
        line.push(b'\n');
        file.write_all(&line).map_err(io_err(path))?;
        file.sync_all().map_err(io_err(path))?;
        if let Some(dir) = path.parent() {
            // Make the new directory entry durable too.
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(Journal {
            file,
            path: path.to_path_buf(),
        })
    }

    /// Reopens the journal at `path` for `header`'s run: returns it, ready
    /// to append, with the records it holds. A missing journal (or one torn
    /// before its header was whole) starts afresh.
    pub fn resume(
        path: &Path,
        header: &Header,
    ) -> Result<(Journal, Vec<PairResult>), JournalError> {
        let (found, records, good_len) = match std::fs::read(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Ok((Self::create(path, header)?, Vec::new()))
            }
            Err(e) => return Err(io_err(path)(e)),
            Ok(bytes) => parse(path, &bytes)?,
        };
        let Some(found) = found else {
            return Ok((Self::create(path, header)?, Vec::new()));
        };
        if found != *header {
            return Err(JournalError::OtherRun {
                path: path.to_path_buf(),
                found: describe(&found),
                wanted: describe(header),
            });
        }
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(io_err(path))?;
        // Cut a torn last line, then append after the last good record.
        file.set_len(good_len as u64).map_err(io_err(path))?;
        file.sync_all().map_err(io_err(path))?;
        drop(file);
        let file = OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(io_err(path))?;
        Ok((
            Journal {
                file,
                path: path.to_path_buf(),
            },
            records,
        ))
    }

    /// Reads a journal without changing it.
    pub fn read(path: &Path) -> Result<(Header, Vec<PairResult>), JournalError> {
        let bytes = std::fs::read(path).map_err(io_err(path))?;
        let (header, records, _) = parse(path, &bytes)?;
        let header = header.ok_or_else(|| JournalError::NoHeader {
            path: path.to_path_buf(),
        })?;
        Ok((header, records))
    }

    /// Appends one record and syncs it to disk.
    pub fn append(&mut self, record: &PairResult) -> io::Result<()> {
        let mut line = serde_json::to_vec(record).map_err(io::Error::other)?;
        line.push(b'\n');
        self.file.write_all(&line)?;
        self.file.sync_data()
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Sink for Journal {
    fn event(&mut self, event: &Event) -> io::Result<()> {
        match event {
            Event::Finished(p) => self.append(p),
            _ => Ok(()),
        }
    }
}

/// Header, records, and the length of the whole lines that parsed.
type Parsed = (Option<Header>, Vec<PairResult>, usize);

fn parse(path: &Path, bytes: &[u8]) -> Result<Parsed, JournalError> {
    let mut header = None;
    let mut records = Vec::new();
    let mut good = 0;
    let mut rest = bytes;
    let mut line_no = 0;
    while !rest.is_empty() {
        line_no += 1;
        // Every record is written with its newline in one write: a line
        // without one was torn and is dropped (its pair runs again).
        let Some(len) = rest.iter().position(|&b| b == b'\n') else {
            break;
        };
        let line = &rest[..len];
        rest = &rest[len + 1..];
        let parsed = if header.is_none() {
            serde_json::from_slice::<Header>(line)
                .map(|h| header = Some(h))
                .map_err(|e| e.to_string())
        } else {
            serde_json::from_slice::<PairResult>(line)
                .map(|r| records.push(r))
                .map_err(|e| e.to_string())
        };
        match parsed {
            Ok(()) => good += len + 1,
            // A garbled last line (e.g. zeroed blocks after a power loss).
            Err(_) if rest.is_empty() => break,
            Err(_) if header.is_none() => {
                return Err(JournalError::NoHeader {
                    path: path.to_path_buf(),
                })
            }
            Err(error) => {
                return Err(JournalError::Damaged {
                    path: path.to_path_buf(),
                    line: line_no,
                    error,
                })
            }
        }
    }
    Ok((header, records, good))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::cells::Selection;

    fn record(name: &str) -> PairResult {
        PairResult {
            name: name.into(),
            source: crate::matrix::schema::RowKey {
                model: "750".into(),
                flavour: "ppc32".into(),
                workload: "int".into(),
            },
            target: "7400".into(),
            outcome: Some(ppcr_core::class::Outcome::Ok),
            detail: String::new(),
            attempts: 1,
            flaky: false,
            failures: Vec::new(),
            millis: 1,
            cells: Vec::new(),
        }
    }

    #[test]
    fn torn_last_line_is_dropped_and_appending_goes_on() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let h = Header::new(Selection::default(), None);
        let mut j = Journal::create(&path, &h).unwrap();
        j.append(&record("a")).unwrap();
        j.append(&record("b")).unwrap();
        drop(j);
        let mut bytes = std::fs::read(&path).unwrap();
        let full = bytes.len();
        bytes.extend_from_slice(br#"{"name":"c","sou"#);
        std::fs::write(&path, &bytes).unwrap();
        let (mut j, recs) = Journal::resume(&path, &h).unwrap();
        assert_eq!(
            recs.iter().map(|r| r.name.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
        assert_eq!(std::fs::metadata(&path).unwrap().len() as usize, full);
        j.append(&record("c")).unwrap();
        let (_, recs) = Journal::read(&path).unwrap();
        assert_eq!(recs.len(), 3);
    }

    #[test]
    fn damage_before_the_end_and_another_run_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let h = Header::new(Selection::default(), None);
        let mut j = Journal::create(&path, &h).unwrap();
        j.append(&record("a")).unwrap();
        drop(j);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        std::fs::write(&path, format!("{}\n{{garbage\n{}\n", lines[0], lines[1])).unwrap();
        assert!(matches!(
            Journal::resume(&path, &h),
            Err(JournalError::Damaged { line: 2, .. })
        ));
        std::fs::write(&path, &text).unwrap();
        let other = Header::new(Selection::default(), Some(Shard { index: 1, count: 2 }));
        assert!(matches!(
            Journal::resume(&path, &other),
            Err(JournalError::OtherRun { .. })
        ));
    }
}
