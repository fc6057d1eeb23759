//! Files built once per dataset version, on disk: the bulk downloads. A file is written to a
//! temporary file (removed if the build fails) and renamed when done, then served from disk by
//! every download of that version. Files of older versions are removed when a newer one is
//! built (a download still reading one keeps it open until it is done). The directory is made
//! under `TMPDIR` on first use and removed when the server stops; a killed server leaves it.
//!
//! What a file holds is the caller's: [`BuiltFiles::build`] takes the writer.

use std::collections::HashSet;
use std::io::{self, Write};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct BuiltFiles {
    built: Mutex<Built>,
    /// One build at a time, held by the build itself (not by the request that started it,
    /// which may be cancelled): concurrent first downloads of a file wait for one build, then
    /// find it.
    building: Arc<tokio::sync::Mutex<()>>,
}

#[derive(Default)]
struct Built {
    dir: Option<tempfile::TempDir>,
    version: i64,
    names: HashSet<String>,
}

/// The right to build, held by one build at a time (see [`BuiltFiles::one_build`]).
pub type BuildTurn = tokio::sync::OwnedMutexGuard<()>;

impl BuiltFiles {
    fn built(&self) -> std::sync::MutexGuard<'_, Built> {
        self.built.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits for the turn to build; hold it until the file built is open.
    pub async fn one_build(&self) -> BuildTurn {
        self.building.clone().lock_owned().await
    }

    /// The directory of built files, made on first use.
    fn dir(&self) -> io::Result<PathBuf> {
        let mut built = self.built();
        if built.dir.is_none() {
            built.dir = Some(
                tempfile::Builder::new()
                    .prefix("ring-partnerships-downloads-")
                    .tempdir()?,
            );
        }
        match &built.dir {
            Some(d) => Ok(d.path().to_path_buf()),
            None => Err(io::Error::other("no directory for built files")),
        }
    }

    /// The file, if it is built for this version.
    pub fn get(&self, version: i64, name: &str) -> Option<PathBuf> {
        let built = self.built();
        let dir = built.dir.as_ref()?;
        (built.version == version && built.names.contains(name))
            .then(|| dir.path().join(format!("{version}-{name}")))
    }

    /// Records a built file; false (and nothing recorded) when a newer version is recorded.
    fn put(&self, version: i64, name: &str) -> bool {
        let mut built = self.built();
        if built.version > version {
            return false;
        }
        if built.version < version {
            let old_version = built.version;
            let old: Vec<String> = built.names.drain().collect();
            if let Some(dir) = &built.dir {
                for name in old {
                    let _ = std::fs::remove_file(dir.path().join(format!("{old_version}-{name}")));
                }
            }
            built.version = version;
        }
        built.names.insert(name.to_string());
        true
    }

    /// The file `name` of `version`: built already, or written now by `write` (blocking: call
    /// off the runtime). A build of an older version than one built since fails.
    pub fn build(
        &self,
        version: i64,
        name: &str,
        write: impl FnOnce(&mut std::io::BufWriter<&mut std::fs::File>) -> io::Result<()>,
    ) -> io::Result<PathBuf> {
        if let Some(path) = self.get(version, name) {
            return Ok(path);
        }
        let dir = self.dir()?;
        let path = dir.join(format!("{version}-{name}"));
        // Removed on drop: a failed build leaves nothing behind.
        let mut partial = tempfile::Builder::new()
            .prefix(&format!("{version}-{name}."))
            .suffix(".partial")
            .tempfile_in(&dir)?;
        let mut file = std::io::BufWriter::with_capacity(256 * 1024, partial.as_file_mut());
        write(&mut file)?;
        file.flush()?;
        drop(file);
        partial.persist(&path).map_err(|e| e.error)?;
        if !self.put(version, name) {
            let _ = std::fs::remove_file(&path);
            return Err(io::Error::other("a newer version was built meanwhile"));
        }
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_built_once_per_version_and_older_versions_go() {
        let files = BuiltFiles::default();
        let mut writes = 0;
        let mut build = |version: i64, text: &'static str| {
            files.build(version, "a.txt", |out| {
                writes += 1;
                out.write_all(text.as_bytes())
            })
        };
        let v1 = build(1, "one").unwrap();
        assert_eq!(std::fs::read_to_string(&v1).unwrap(), "one");
        assert_eq!(build(1, "ignored").unwrap(), v1);
        let v2 = build(2, "two").unwrap();
        assert_eq!(std::fs::read_to_string(&v2).unwrap(), "two");
        assert!(!v1.exists(), "the older version's file is removed");
        assert!(
            build(1, "late").is_err(),
            "an older version is not built after a newer"
        );
        assert_eq!(writes, 3);
        assert!(files.get(1, "a.txt").is_none());
        assert_eq!(files.get(2, "a.txt"), Some(v2));
    }

    #[test]
    fn a_failed_build_leaves_nothing() {
        let files = BuiltFiles::default();
        let failed = files.build(1, "b.txt", |out| {
            out.write_all(b"half")?;
            Err(io::Error::other("no"))
        });
        assert!(failed.is_err());
        assert!(files.get(1, "b.txt").is_none());
        let dir = files.dir().unwrap();
        assert_eq!(
            std::fs::read_dir(dir).unwrap().count(),
            0,
            "no partial file left"
        );
    }
}
