//! The reports, each written from a [`Matrix`](super::Matrix) alone.

pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;

use super::schema::Matrix;
use std::path::Path;

/// The file names in an output directory.
pub const MATRIX_JSON: &str = "matrix.json";
pub const INDEX_HTML: &str = "index.html";
pub const SUMMARY_MD: &str = "summary.md";
pub const JUNIT_XML: &str = "junit.xml";

/// Writes every report into `dir` (each file atomically).
pub fn write_all(dir: &Path, m: &Matrix) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join(MATRIX_JSON), json::render(m).as_bytes())?;
    write_atomic(&dir.join(SUMMARY_MD), markdown::render(m).as_bytes())?;
    write_atomic(&dir.join(INDEX_HTML), html::render(m).as_bytes())?;
    write_atomic(&dir.join(JUNIT_XML), junit::render(m).as_bytes())?;
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path`, syncs it, renames it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}
