//! Progress on stderr: an indicatif bar on a terminal, plain lines otherwise
//! (CI logs), one per finished pair and per retry. Progress never stops a
//! run: a closed stderr loses the lines, not the cells.

use super::run::{Event, Sink};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{self, IsTerminal, Write};

/// The progress sink.
pub enum Progress {
    Bar(ProgressBar),
    Lines { done: usize, total: usize },
}

impl Progress {
    /// A bar if stderr is a terminal, plain lines otherwise.
    pub fn for_stderr() -> Progress {
        if io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{elapsed_precise} [{bar:40.cyan/blue}] {pos}/{len} {wide_msg}",
                )
                .expect("a valid template")
                .progress_chars("=> "),
            );
            Progress::Bar(bar)
        } else {
            Progress::Lines { done: 0, total: 0 }
        }
    }

    /// Ends the bar, leaving it on screen.
    pub fn finish(&self) {
        if let Progress::Bar(b) = self {
            b.finish();
        }
    }
}

fn classes(p: &super::schema::PairResult) -> String {
    p.cells
        .iter()
        .map(|c| format!("{}={}", c.policy, c.class))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Sink for Progress {
    fn event(&mut self, event: &Event) -> io::Result<()> {
        match (self, event) {
            (Progress::Bar(b), Event::Started { pairs, .. }) => b.set_length(*pairs as u64),
            (Progress::Bar(b), Event::Finished(p)) => {
                b.inc(1);
                b.set_message(p.name.clone());
                if p.outcome.is_none() {
                    b.println(format!("error {}: {}", p.name, p.detail));
                }
            }
            (
                Progress::Bar(b),
                Event::Retrying {
                    what,
                    attempt,
                    error,
                },
            ) => b.println(format!("retry {what} (attempt {attempt} failed: {error})")),
            (Progress::Lines { total, .. }, Event::Started { pairs, skipped }) => {
                *total = *pairs;
                let _ = writeln!(
                    io::stderr(),
                    "matrix: {pairs} pair(s) to run, {skipped} already done"
                );
            }
            (Progress::Lines { done, total }, Event::Finished(p)) => {
                *done += 1;
                let outcome = p.outcome.map_or("error".to_string(), |o| o.to_string());
                let flaky = if p.flaky { " (flaky)" } else { "" };
                let mut line = format!(
                    "[{done}/{total}] {}: {outcome}{flaky} {}",
                    p.name,
                    classes(p)
                );
                if p.outcome.is_none() {
                    line.push_str(&format!(": {}", p.detail));
                }
                let _ = writeln!(io::stderr(), "{line}");
            }
            (
                Progress::Lines { .. },
                Event::Retrying {
                    what,
                    attempt,
                    error,
                },
            ) => {
                let _ = writeln!(
                    io::stderr(),
                    "retry {what} (attempt {attempt} failed: {error})"
                );
            }
        }
        Ok(())
    }
}
