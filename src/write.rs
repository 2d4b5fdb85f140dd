//! Safe in-place writes: only when the content changes, atomically (a temporary file in the
//! same folder, then a rename), keeping the permissions, through symlinks to their target.

use std::io::Write;
use std::path::Path;

/// Writes `contents` to `path` if they differ from what is there. Returns whether it wrote.
pub fn write_if_changed(path: &Path, contents: &str) -> std::io::Result<bool> {
    let target = std::fs::canonicalize(path)?;
    let old = std::fs::read(&target)?;
    if old == contents.as_bytes() {
        return Ok(false);
    }
    let meta = std::fs::metadata(&target)?;
    if meta.permissions().readonly() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            "the file is read-only; not written",
        ));
    }
    let dir = target.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".dockerfix-")
        .tempfile_in(dir)?;
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().set_permissions(meta.permissions())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target).map_err(|e| e.error)?;
    Ok(true)
}

/// Creates a new file with `contents`, atomically, never replacing an existing file. Returns
/// false (and writes nothing) when the path already exists.
pub fn create_new(path: &Path, contents: &str) -> std::io::Result<bool> {
    if path.symlink_metadata().is_ok() {
        return Ok(false);
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".dockerfix-")
        .tempfile_in(dir)?;
    tmp.write_all(contents.as_bytes())?;
    // A new file gets the usual mode for the user's umask, not the temporary file's 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let umask = current_umask();
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o666 & !umask))?;
    }
    tmp.as_file().sync_all()?;
    match tmp.persist_noclobber(path) {
        Ok(_) => Ok(true),
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.error),
    }
}

/// The process's umask (read from /proc, where it is shown; 022 otherwise).
#[cfg(unix)]
fn current_umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("Umask:"))?;
            u32::from_str_radix(line["Umask:".len()..].trim(), 8).ok()
        })
        .unwrap_or(0o022)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_mode_follows_symlinks_and_skips_unchanged() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("Dockerfile.real");
        std::fs::write(&real, "FROM a\n").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("Dockerfile");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        assert!(!write_if_changed(&link, "FROM a\n").unwrap());
        assert!(write_if_changed(&link, "FROM b\n").unwrap());
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "FROM b\n");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2);
    }

    #[test]
    fn create_new_never_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(".dockerignore");
        assert!(create_new(&p, ".git\n").unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), ".git\n");
        assert!(!create_new(&p, "other\n").unwrap());
        assert_eq!(std::fs::read_to_string(&p).unwrap(), ".git\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o666 & !current_umask());
        }
    }
}
