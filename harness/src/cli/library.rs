//! `ppcr library ls|show|put|gc`: the shared image library (`images/` by
//! default). The grammar of these subcommands lives here, beside their
//! handlers; `args.rs` only names [`LibraryCommand`].

use super::exit::ExitStatus;
use super::render;
use crate::library::{
    parse_format_version, Entry, Library, LibraryError, Listing, Quarantined, Query,
};
use clap::{Args, Subcommand};
use ppcr_core::cpu;
use ppcr_core::format::{Flavour, FormatVersion};
use serde_json::json;
use std::path::PathBuf;

/// `ppcr library ...`
#[derive(Debug, Subcommand)]
pub enum LibraryCommand {
    /// List the library's images, filtered by source model, flavour,
    /// workload and format version (exit 1 if a corrupt image was found and
    /// quarantined).
    Ls(LsArgs),
    /// Print one image's library entry and its contents (exit 1 if it is
    /// corrupt: it is then quarantined).
    Show(ShowArgs),
    /// Store image files in the library (validated; content-addressed, so
    /// storing an image twice keeps one copy). Prints each id.
    Put(PutArgs),
    /// Remove stale temporary files, quarantine corrupt images and rebuild
    /// the index (exit 1 if a corrupt image was found).
    Gc(GcArgs),
}

/// Where the library is.
#[derive(Debug, Args)]
pub struct LibraryDir {
    /// The library directory.
    #[arg(long = "library", value_name = "DIR", default_value = "images")]
    pub library: PathBuf,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    #[command(flatten)]
    pub dir: LibraryDir,
    /// Only images checkpointed on this CPU model (catalogue name or alias,
    /// or the exact model name in the image).
    #[arg(long)]
    pub cpu: Option<String>,
    /// Only this process flavour.
    #[arg(long, value_parser = parse_flavour)]
    pub flavour: Option<Flavour>,
    /// Only this workload.
    #[arg(long)]
    pub workload: Option<String>,
    /// Only this format version (MAJOR.MINOR, e.g. 1.0).
    #[arg(long, value_parser = parse_format_version)]
    pub format: Option<FormatVersion>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub dir: LibraryDir,
    /// The image id, or a unique prefix of it (at least 4 hex digits).
    pub id: String,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PutArgs {
    #[command(flatten)]
    pub dir: LibraryDir,
    /// Image files to store.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GcArgs {
    #[command(flatten)]
    pub dir: LibraryDir,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

fn parse_flavour(s: &str) -> Result<Flavour, String> {
    Flavour::from_name(s).ok_or_else(|| format!("unknown flavour '{s}' (ppc32, ppc64, ppc64le)"))
}

/// Runs one `ppcr library` subcommand.
pub fn run(cmd: &LibraryCommand) -> anyhow::Result<ExitStatus> {
    match cmd {
        LibraryCommand::Ls(a) => ls(a),
        LibraryCommand::Show(a) => show(a),
        LibraryCommand::Put(a) => put(a),
        LibraryCommand::Gc(a) => gc(a),
    }
}

fn ls(a: &LsArgs) -> anyhow::Result<ExitStatus> {
    let lib = Library::open(&a.dir.library)?;
    let query = Query {
        // A QEMU versioned name matches exactly; a catalogue name or alias
        // matches every variant of that model; any other name is matched
        // exactly (models outside the catalogue).
        source_model: a.cpu.as_ref().map(|m| match cpu::resolve(m) {
            Ok(r) if r.variant.qemu_name.eq_ignore_ascii_case(m.trim()) => {
                r.variant.qemu_name.to_owned()
            }
            Ok(r) => r.model.name.to_owned(),
            Err(_) => m.clone(),
        }),
        flavour: a.flavour,
        workload: a.workload.clone(),
        format_version: a.format,
    };
    let listing = lib.list(&query)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "library": lib.root(),
                "entries": listing.entries,
                "quarantined": listing.quarantined,
            }))?
        );
    } else {
        print!("{}", ls_text(&listing));
        warn_quarantined(&listing.quarantined);
    }
    Ok(status(&listing.quarantined))
}

/// The `ls` table.
fn ls_text(listing: &Listing) -> String {
    use std::fmt::Write;
    let rows: Vec<[String; 7]> = listing
        .entries
        .iter()
        .map(|e| {
            [
                e.id[..16].to_owned(),
                match &e.catalogue_model {
                    Some(c) if *c != e.source_model => format!("{} ({c})", e.source_model),
                    _ => e.source_model.clone(),
                },
                e.flavour.to_string(),
                if e.workload.is_empty() {
                    "-".into()
                } else {
                    e.workload.clone()
                },
                e.format_version.to_string(),
                e.size.to_string(),
                e.records.join(","),
            ]
        })
        .collect();
    let head = [
        "ID", "MODEL", "FLAVOUR", "WORKLOAD", "FORMAT", "BYTES", "RECORDS",
    ];
    let mut w = head.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.len());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[&str]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                l.push_str(c);
            } else {
                let _ = write!(l, "{c:<width$}  ", width = w[i]);
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&head);
    for r in &rows {
        line(&r.each_ref().map(String::as_str));
    }
    let _ = writeln!(
        out,
        "{} image{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    );
    out
}

fn warn_quarantined(q: &[Quarantined]) {
    for q in q {
        eprintln!(
            "ppcr: warning: corrupt image {} ({}): moved to {}",
            q.id,
            q.reason,
            q.path.display()
        );
    }
}

fn status(q: &[Quarantined]) -> ExitStatus {
    if q.is_empty() {
        ExitStatus::Success
    } else {
        ExitStatus::CheckFailed
    }
}

fn entry_text(e: &Entry) -> String {
    format!(
        "id:       {}\npath:     {}\nmodel:    {} (pvr {:#010x})\nflavour:  {}\nworkload: {}\nformat:   {}\nbytes:    {}\nrecords:  {}\n",
        e.id,
        e.path.display(),
        e.source_model,
        e.source_pvr,
        e.flavour,
        e.workload,
        e.format_version,
        e.size,
        e.records.join(",")
    )
}

fn show(a: &ShowArgs) -> anyhow::Result<ExitStatus> {
    let lib = Library::open(&a.dir.library)?;
    let loaded = match lib.load(&a.id) {
        Ok(l) => l,
        Err(e @ LibraryError::Corrupt { .. }) => {
            eprintln!("ppcr: {e}");
            return Ok(ExitStatus::CheckFailed);
        }
        Err(e) => return Err(e.into()),
    };
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "entry": loaded.entry,
                "image": render::inspect_json(&loaded.image),
            }))?
        );
    } else {
        print!("{}", entry_text(&loaded.entry));
        println!();
        print!("{}", render::inspect_text(&loaded.image, &loaded.bytes));
    }
    Ok(ExitStatus::Success)
}

fn put(a: &PutArgs) -> anyhow::Result<ExitStatus> {
    let lib = Library::open(&a.dir.library)?;
    for file in &a.files {
        let e = lib.put_file(file)?;
        println!("{}  {}", e.id, file.display());
    }
    Ok(ExitStatus::Success)
}

fn gc(a: &GcArgs) -> anyhow::Result<ExitStatus> {
    let lib = Library::open(&a.dir.library)?;
    let r = lib.gc()?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        println!(
            "{} images ok, {} quarantined, {} stale temporary files removed, {} index entries written, {} removed",
            r.objects_ok,
            r.quarantined.len(),
            r.temp_removed.len(),
            r.index_written,
            r.index_removed
        );
        for p in &r.temp_removed {
            println!("removed {}", p.display());
        }
        warn_quarantined(&r.quarantined);
    }
    Ok(status(&r.quarantined))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[test]
    fn ls_defaults_to_images_and_parses_filters() {
        let cli = super::super::Cli::try_parse_from([
            "ppcr",
            "library",
            "ls",
            "--cpu",
            "power9",
            "--flavour",
            "ppc64le",
            "--format",
            "1.0",
        ])
        .unwrap();
        let super::super::args::Command::Library(LibraryCommand::Ls(a)) = cli.command else {
            panic!("parsed as {:?}", cli.command);
        };
        assert_eq!(a.dir.library, PathBuf::from("images"));
        assert_eq!(a.flavour, Some(Flavour::Ppc64le));
        assert_eq!(a.format, Some(FormatVersion { major: 1, minor: 0 }));
        assert!(
            super::super::Cli::try_parse_from(["ppcr", "library", "ls", "--format", "1"]).is_err()
        );
    }
}
