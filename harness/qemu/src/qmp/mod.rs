//! A thin QMP client over `qapi`'s generated types.
//!
//! `qapi`'s own client is not used: its untagged message enum makes an
//! unknown event name end the whole session, and it neither sends ids nor
//! bounds what it reads (FACTS Part C). This one reads line-delimited JSON
//! itself, classifies each line by its keys, keeps every event (known or
//! not) as raw JSON, and decodes only `return` values with `qapi` types.

mod client;
mod event;
mod greeting;
mod hmp;
mod transcript;

pub use client::{QmpClient, QmpOptions};
pub use event::QmpEvent;
pub use greeting::Greeting;
pub use hmp::check_hmp_output;
pub use transcript::{Direction, Transcript, TranscriptEntry};
