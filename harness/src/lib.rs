//! ppcr: test harness and emulator-backed restore simulator for PowerPC checkpoint/restart.
pub mod cli;
pub mod guest;
pub mod library;
pub mod matrix;
pub mod repro;
pub mod scenario;
pub mod sim;
