//! Reading and writing image files.

use anyhow::Context;
use ppcr_core::format::Image;
use std::io::Write;
use std::path::Path;

/// Largest file read as an image; the format's own limit.
const MAX_READ: u64 = ppcr_core::format::MAX_IMAGE_LEN;

/// Reads the raw bytes of an image file, refusing files over the format's limit.
pub fn read_bytes(path: &Path) -> anyhow::Result<Vec<u8>> {
    let meta =
        std::fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?;
    if meta.len() > MAX_READ {
        anyhow::bail!(
            "{}: {} bytes, more than the {MAX_READ}-byte image limit",
            path.display(),
            meta.len()
        );
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Reads and decodes an image file.
pub fn read_image(path: &Path) -> anyhow::Result<Image> {
    let bytes = read_bytes(path)?;
    Image::decode(&bytes).with_context(|| format!("{} is not a valid image", path.display()))
}

/// Writes bytes atomically: a temporary file in the same directory, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot create a file in {}", dir.display()))?;
    // Images are shared artefacts: readable by others like any written file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .with_context(|| format!("cannot write {}", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}
