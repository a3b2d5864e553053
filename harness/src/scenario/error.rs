//! Errors in scenario files: file, line, column, field and what is wrong.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// One error in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: PathBuf,
    /// 1-based; 0 when the error concerns the whole file (unreadable).
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The field's path, e.g. `set[0].sources[1].cpu`; empty for syntax errors.
    pub field: String,
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if self.line > 0 {
            write!(f, ":{}:{}", self.line, self.column)?;
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ScenarioError {}

/// Every error found in one or more files, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioErrors {}

/// Turns byte offsets of one file's text into errors.
pub(crate) struct Locator<'a> {
    pub file: &'a Path,
    pub text: &'a str,
}

impl Locator<'_> {
    /// 1-based line and character column of byte offset `at`.
    pub fn line_col(&self, at: usize) -> (usize, usize) {
        let at = at.min(self.text.len());
        let before = &self.text[..at];
        let line = before.matches('\n').count() + 1;
        let start = before.rfind('\n').map_or(0, |i| i + 1);
        (line, before[start..].chars().count() + 1)
    }

    pub fn error(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> ScenarioError {
        let (line, column) = self.line_col(span.start);
        ScenarioError {
            file: self.file.to_path_buf(),
            line,
            column,
            field: field.into(),
            message: message.into(),
        }
    }

    /// Maps a TOML syntax or shape error, naming the field it concerns.
    pub fn toml_error(&self, e: &toml::de::Error) -> ScenarioError {
        let message = e.message().trim().to_string();
        let span = e.span().unwrap_or(0..0);
        let mut field = DeTable::parse(self.text)
            .map(|doc| {
                let mut path = String::new();
                locate_table(doc.get_ref(), span.start, &mut path);
                path
            })
            .unwrap_or_default();
        // A missing field is reported at its table: name the field itself.
        if let Some(name) = message
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
        {
            if !field.is_empty() {
                field.push('.');
            }
            field.push_str(name);
        }
        self.error(span, field, message)
    }
}

fn contains(span: &Range<usize>, at: usize) -> bool {
    span.start <= at && at < span.end.max(span.start + 1)
}

/// Appends to `path` the deepest key of `table` whose key or value holds `at`.
fn locate_table(table: &DeTable<'_>, at: usize, path: &mut String) {
    for (key, value) in table.iter() {
        if contains(&key.span(), at) || contains(&value.span(), at) {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key.get_ref());
            if !contains(&key.span(), at) {
                locate_value(value, at, path);
            }
            return;
        }
    }
    // Array-of-tables bodies are not always inside their value's span: look deeper.
    for (key, value) in table.iter() {
        let mut sub = String::new();
        locate_value(value, at, &mut sub);
        if !sub.is_empty() {
            if !path.is_empty() {
                path.push('.');
            }
            path.push_str(key.get_ref());
            path.push_str(&sub);
            return;
        }
    }
}

fn locate_value(value: &Spanned<DeValue<'_>>, at: usize, path: &mut String) {
    match value.get_ref() {
        DeValue::Table(t) => {
            let mut sub = String::new();
            locate_table(t, at, &mut sub);
            if !sub.is_empty() {
                path.push('.');
                path.push_str(&sub);
            }
        }
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut sub = String::new();
                locate_value(item, at, &mut sub);
                if contains(&item.span(), at) || !sub.is_empty() {
                    path.push_str(&format!("[{i}]"));
                    path.push_str(&sub);
                    return;
                }
            }
        }
        _ => {}
    }
}
