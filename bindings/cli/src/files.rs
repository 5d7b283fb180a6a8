//! Reading and writing the CLI's files.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::error::CliError;

/// Reads a whole file.
pub fn read(path: &Path) -> Result<Vec<u8>, CliError> {
    fs::read(path).map_err(|e| CliError::unreadable(path, &e))
}

/// Reads a whole secret file; the buffer is zeroized when dropped.
pub fn read_secret(path: &Path) -> Result<Zeroizing<Vec<u8>>, CliError> {
    read(path).map(Zeroizing::new)
}

/// Creates a directory (and its parents).
pub fn create_dir(dir: &Path) -> Result<(), CliError> {
    fs::create_dir_all(dir).map_err(|e| CliError::unwritable(dir, &e))
}

/// Writes a public file atomically (temporary file, fsync, rename).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    ostracon::record::io::write_atomic(path, bytes).map_err(|e| CliError::unwritable(path, &e))
}

/// Writes a secret file readable by its owner only (mode 0600 on Unix), atomically.
/// Refuses to replace an existing file: a secret is never overwritten by accident.
pub fn write_secret(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    if path.exists() {
        return Err(CliError::file(
            "refusing to overwrite an existing secret file",
            path,
            "move it away first if you really mean to replace it",
        ));
    }
    let mut name = path
        .file_name()
        .map(|n| n.to_os_string())
        .unwrap_or_default();
    name.push(format!(".tmp-{}", std::process::id()));
    let tmp = path.with_file_name(name);
    let result = (|| {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        CliError::unwritable(path, &e)
    })
}

/// The files named by `paths`: each path is a file (taken as is) or a directory, of which
/// the files named `<prefix>*<suffix>` are taken, sorted by name.
pub fn gather(paths: &[PathBuf], prefix: &str, suffix: &str) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let entries = fs::read_dir(p).map_err(|e| CliError::unreadable(p, &e))?;
            let mut found = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| CliError::unreadable(p, &e))?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with(prefix) && name.ends_with(suffix) && !name.contains(".tmp-") {
                    found.push(entry.path());
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}
