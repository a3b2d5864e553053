//! QEMU process and QMP layer of ppcr (see DESIGN §3, layer 4).
//!
//! - [`QemuBinary::find`] locates `qemu-system-ppc` / `qemu-system-ppc64`
//!   (`$PPCR_QEMU_DIR`, else `$PATH`) and insists on QEMU >= 10.0.
//! - [`Guest::launch`] starts one QEMU in a private `/tmp/ppcr-*` directory.
//!   The harness listens on Unix sockets first and QEMU connects back to
//!   them for QMP, serial port 0 and (optionally) the gdb stub: no TCP, no
//!   polling for sockets. Callers supply the machine arguments
//!   ([`LaunchConfig`]).
//! - [`QmpClient`] speaks QMP over `qapi`'s types with ids, deadlines, an
//!   event queue that keeps unknown events, and a transcript.
//! - No QEMU outlives its owner: a dropped [`Guest`] SIGKILLs its process,
//!   every QEMU has a parent-death signal (forked from one long-lived
//!   thread), and [`install_signal_cleanup`] kills all guests on
//!   SIGINT/SIGTERM/SIGHUP before exiting 130/143/129.
//!
//! # Conventions for callers
//!
//! - Call [`Guest::launch`] inside a tokio runtime (current-thread or
//!   multi-thread, with I/O and time enabled) and use the guest in that
//!   runtime.
//! - Supply only the machine: `-M`, `-cpu`, `-m`, `-smp`, `-bios`,
//!   `-kernel`, `-append`, `-S`, `-incoming`, `-device`, `-global`, ...
//!   The crate adds `-nodefaults -no-user-config -nographic`, the QMP
//!   monitor, serial port 0 and the gdb stub, and refuses options that would
//!   fight them (see [`LaunchConfig`]).
//! - A file the command line must name inside the run directory (firmware
//!   blob, `-incoming unix:` socket): create a [`RunDir`], fill it, pass it
//!   to [`Guest::launch_in`]. Relative paths resolve against the caller's
//!   working directory.
//! - pseries refuses `-bios /dev/null` ("Could not load LPAR firmware"):
//!   give it a non-empty file.
//! - A gdb connection pauses the VM (QEMU does that on every attach; with
//!   [`GdbStub::ConnectBack`] the attach happens at startup).
//! - HMP output comes back with `\n` line ends; HMP failures are errors.
//! - After [`install_signal_cleanup`]'s handler runs, the process `_exit`s
//!   without destructors, so `/tmp/ppcr-*` run directories may remain.
//!
//! ```no_run
//! # async fn demo() -> Result<(), ppcr_qemu::QemuError> {
//! use ppcr_qemu::{Guest, LaunchConfig, QemuBinary, QemuKind};
//!
//! let qemu = QemuBinary::find(QemuKind::Ppc)?;
//! let mut guest = Guest::launch(
//!     LaunchConfig::new(qemu).args(["-M", "ppce500", "-cpu", "e500v2", "-S"]),
//! )
//! .await?;
//! let status = guest.query_status().await?;
//! let regs = guest.hmp("info registers").await?;
//! println!("{:?}\n{regs}", status.status);
//! guest.shutdown().await?;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod args;
pub mod baseline;
mod binary;
mod capture;
mod config;
mod error;
mod guest;
mod qmp;
mod registry;
mod rundir;
mod spawner;
mod text;

pub use args::RESERVED_ID_PREFIX;
pub use binary::{QemuBinary, QemuKind, QemuVersion, MIN_VERSION, QEMU_DIR_ENV};
pub use config::{GdbStub, LaunchConfig, Timeouts};
pub use error::{HmpFailure, QemuError, QmpError, INSTALL_HINT};
pub use guest::{command_line, Guest, LaunchTimings};
pub use qmp::{
    check_hmp_output, Direction, Greeting, QmpClient, QmpEvent, QmpOptions, Transcript,
    TranscriptEntry,
};
pub use registry::{install_signal_cleanup, kill_all_guests, live_guest_pids, MAX_GUESTS};
pub use rundir::{RunDir, MAX_SOCKET_PATH};

/// `qapi`'s generated QMP types, re-exported so callers need no direct dependency.
pub use qapi::qmp as qmp_types;
