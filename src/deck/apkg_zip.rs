//! Reading the zip of an Anki package: every entry name and declared size is checked before
//! anything is decompressed (an absolute path or a `..` component refuses the whole package:
//! zip-slip; so does a name listed twice, since either entry could be taken for the real one),
//! and the chosen collection entry is copied through a reader that stops one byte past the
//! limit, so a header that lies about its size cannot fill the disk. Entries are never
//! extracted under their own names: the collection goes to a private scratch folder
//! (`jargon-apkg-*` in the temporary directory), locked while its import runs; an import that
//! was killed leaves its folder unlocked, and the next package import removes it.

use std::collections::HashSet;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The largest entry jargon decompresses: 2 GiB.
pub const ENTRY_LIMIT: u64 = 2 << 30;

/// The collection entries, most preferred first; `true` when zstd-compressed.
const COLLECTIONS: [(&str, bool); 3] = [
    ("collection.anki21b", true),
    ("collection.anki21", false),
    ("collection.anki2", false),
];

fn unsafe_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    name.starts_with('/')
        || name.starts_with('\\')
        || (bytes.len() >= 2 && bytes[1] == b':' && bytes[0].is_ascii_alphabetic())
        || name.split(['/', '\\']).any(|part| part == "..")
        || name.contains('\0')
}

/// The first name the central directory of the zip at `path` lists twice, read from the raw
/// headers (the zip crate keeps only the last entry of a name). `None` when it cannot tell.
fn duplicate_name(path: &Path, directory_start: u64) -> Option<String> {
    use std::io::{Seek, SeekFrom};
    let mut file = File::open(path).ok()?;
    file.seek(SeekFrom::Start(directory_start)).ok()?;
    let mut seen = HashSet::new();
    let mut header = [0u8; 46];
    // A central directory header: signature, fixed fields, then name, extra field, comment.
    while file.read_exact(&mut header).is_ok() && header[..4] == *b"PK\x01\x02" {
        let length = |at: usize| u64::from(u16::from_le_bytes([header[at], header[at + 1]]));
        let mut name = vec![0u8; usize::from(u16::from_le_bytes([header[28], header[29]]))];
        file.read_exact(&mut name).ok()?;
        let name = String::from_utf8_lossy(&name).into_owned();
        if !seen.insert(name.clone()) {
            return Some(name);
        }
        let skip = i64::try_from(length(30) + length(32)).ok()?;
        file.seek(SeekFrom::Current(skip)).ok()?;
    }
    None
}

/// A private folder for the collection copy of one package import or export, locked for as long as it
/// lives. An import killed before it could remove its folder leaves it behind unlocked (the
/// kernel releases a dead process's locks), and the next import removes it ([`sweep`]).
pub struct Scratch {
    dir: tempfile::TempDir,
    /// Declared after `dir`, so the lock is released only after the folder is gone (fields
    /// are dropped in order).
    _lock: File,
}

/// The prefix of every scratch folder in the temporary directory.
const SCRATCH_PREFIX: &str = "jargon-apkg-";
/// The lock file of a scratch folder; it appears under this name only once locked.
const SCRATCH_LOCK: &str = "lock";

impl Scratch {
    pub fn new() -> Result<Scratch> {
        let temp = std::env::temp_dir();
        sweep(&temp);
        let dir = tempfile::Builder::new()
            .prefix(SCRATCH_PREFIX)
            .tempdir_in(&temp)
            .map_err(|e| Error::io("create a folder in", &temp, e))?;
        // Locked under another name, then renamed: a sweep never sees an unlocked lock file
        // of a live import.
        let pending = dir.path().join("lock.new");
        let lock = File::create(&pending).map_err(|e| Error::io("create", &pending, e))?;
        lock.try_lock()
            .map_err(|e| Error::io("lock", &pending, std::io::Error::other(e)))?;
        let locked = dir.path().join(SCRATCH_LOCK);
        std::fs::rename(&pending, &locked).map_err(|e| Error::io("create", &locked, e))?;
        Ok(Scratch { dir, _lock: lock })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// Removes the scratch folders of package imports that were killed: those whose lock file
/// nobody holds. A folder without a lock file is being set up (or was killed before it held
/// anything) and is left alone; so is anything this process may not remove.
fn sweep(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        let is_scratch = entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.starts_with(SCRATCH_PREFIX));
        // Not following symbolic links.
        if !is_scratch || !entry.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let folder = entry.path();
        let Ok(lock) = File::open(folder.join(SCRATCH_LOCK)) else {
            continue;
        };
        if lock.try_lock().is_ok() {
            let _ = std::fs::remove_dir_all(&folder);
        }
    }
}

/// Opens a package, checks every entry, and copies its collection to a temporary file.
/// Returns the scratch folder (which owns the file), the file, the entry name and how many
/// media files the package holds.
pub fn extract_collection(
    path: &Path,
    limit: u64,
) -> Result<(Scratch, PathBuf, &'static str, usize)> {
    let mut archive = open_archive(path)?;
    let (names, media) = check_entries(path, &mut archive, limit)?;
    let Some(&(entry_name, zstd)) = COLLECTIONS.iter().find(|(n, _)| names.contains(*n)) else {
        return Err(Error::input(
            path,
            None,
            "the package holds no Anki collection (collection.anki21b, collection.anki21 or collection.anki2)",
        ));
    };
    let dir = Scratch::new()?;
    let target = dir.path().join("collection.sqlite");
    copy_entry(path, &mut archive, (entry_name, zstd), limit, &target)?;
    check_sqlite(path, &target, entry_name)?;
    Ok((dir, target, entry_name, media))
}

/// Opens a package's zip archive; refuses a folder, a damaged archive and one with two
/// entries of the same name.
pub(super) fn open_archive(path: &Path) -> Result<zip::ZipArchive<File>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if meta.is_dir() {
        return Err(Error::input(
            path,
            None,
            "is a directory, not an Anki package",
        ));
    }
    let file = File::open(path).map_err(|e| Error::io("open", path, e))?;
    let archive = zip::ZipArchive::new(file).map_err(|e| {
        Error::input(
            path,
            None,
            format!("the file is not a readable Anki package: its zip archive is damaged or truncated ({e})"),
        )
    })?;
    if archive.has_duplicate_names() {
        let message = match duplicate_name(path, archive.central_directory_start()) {
            Some(name) => format!(
                "the package holds two entries named '{name}', and either could be the real one; refusing the package"
            ),
            None => "the package holds two entries of the same name, and either could be the real one; refusing the package".to_string(),
        };
        return Err(Error::input(path, None, message));
    }
    Ok(archive)
}

/// The names of every entry and how many are media files; refuses an entry whose name is
/// absolute or climbs out, or that declares more than `limit` bytes.
fn check_entries(
    path: &Path,
    archive: &mut zip::ZipArchive<File>,
    limit: u64,
) -> Result<(HashSet<String>, usize)> {
    let mut names = HashSet::new();
    let mut media = 0;
    for index in 0..archive.len() {
        let entry = archive
            .by_index_raw(index)
            .map_err(|e| Error::input(path, None, format!("the zip archive is damaged ({e})")))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        if unsafe_name(&name) {
            return Err(Error::input(
                path,
                None,
                format!(
                    "the package holds an entry named '{name}', an absolute path or one that climbs out with '..'; refusing the whole package"
                ),
            ));
        }
        if entry.size() > limit {
            return Err(Error::input(
                path,
                None,
                format!(
                    "the entry '{name}' declares {} bytes uncompressed, more than the {} byte limit; refusing the package",
                    entry.size(),
                    limit
                ),
            ));
        }
        if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            media += 1;
        }
        names.insert(name);
    }
    Ok((names, media))
}

/// Copies the collection entry (`zstd` when it is compressed so) to `target`, refusing one
/// that decompresses to more than `limit` bytes.
fn copy_entry(
    path: &Path,
    archive: &mut zip::ZipArchive<File>,
    (entry_name, zstd): (&str, bool),
    limit: u64,
    target: &Path,
) -> Result<()> {
    let mut out = File::create(target).map_err(|e| Error::io("create", target, e))?;
    let entry = archive.by_name(entry_name).map_err(|e| {
        Error::input(
            path,
            None,
            format!("cannot read the entry '{entry_name}': {e}"),
        )
    })?;
    let damaged = |e: std::io::Error| {
        Error::input(
            path,
            None,
            format!("the entry '{entry_name}' is damaged and cannot be decompressed ({e})"),
        )
    };
    let mut reader: Box<dyn Read> = if zstd {
        Box::new(zstd::stream::read::Decoder::new(entry).map_err(damaged)?)
    } else {
        Box::new(entry)
    };
    let copied = std::io::copy(&mut (&mut reader).take(limit + 1), &mut out).map_err(|e| {
        if e.kind() == std::io::ErrorKind::StorageFull {
            Error::io("write", target, e)
        } else {
            damaged(e)
        }
    })?;
    if copied > limit {
        return Err(Error::input(
            path,
            None,
            format!(
                "the entry '{entry_name}' decompresses to more than {limit} bytes; refusing the package"
            ),
        ));
    }
    out.flush().map_err(|e| Error::io("write", target, e))
}

/// Refuses a copied collection that is not a SQLite database, and marks one saved in WAL
/// mode as a rollback-journal file.
fn check_sqlite(path: &Path, target: &Path, entry_name: &str) -> Result<()> {
    let mut header = [0u8; 20];
    let mut copy = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(target)
        .map_err(|e| Error::io("open", target, e))?;
    let is_sqlite =
        copy.read_exact(&mut header).is_ok() && header.starts_with(b"SQLite format 3\0");
    if !is_sqlite {
        return Err(Error::input(
            path,
            None,
            format!("the {entry_name} inside the package is not a SQLite database"),
        ));
    }
    // A collection saved in WAL mode (bytes 18 and 19 are 2) is marked as a rollback-journal
    // file, so SQLite can open the copy read-only without a -wal or -shm file beside it (a
    // package carries none).
    if header[18] == 2 || header[19] == 2 {
        use std::io::{Seek, SeekFrom};
        copy.seek(SeekFrom::Start(18))
            .and_then(|_| copy.write_all(&[1, 1]))
            .map_err(|e| Error::io("write", target, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip with one deflated entry, its declared sizes overwritten with `declared`.
    fn lying_zip(dir: &Path, name: &str, contents: &[u8], declared: u32) -> std::path::PathBuf {
        let path = dir.join("lying.apkg");
        {
            let file = File::create(&path).unwrap();
            let mut zip = zip::ZipWriter::new(file);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated);
            zip.start_file(name, options).unwrap();
            zip.write_all(contents).unwrap();
            zip.finish().unwrap();
        }
        let mut bytes = std::fs::read(&path).unwrap();
        let size = declared.to_le_bytes();
        let local = bytes.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
        bytes[local + 22..local + 26].copy_from_slice(&size);
        let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        bytes[central + 24..central + 28].copy_from_slice(&size);
        std::fs::write(&path, bytes).unwrap();
        path
    }

    #[test]
    fn an_entry_that_lies_about_its_size_is_cut_off_one_byte_past_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let mut contents = b"SQLite format 3\0".to_vec();
        contents.resize(200_000, 0);
        let path = lying_zip(dir.path(), "collection.anki2", &contents, 100);
        let err = extract_collection(&path, 10_000)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("more than 10000 bytes") || err.contains("damaged"),
            "{err}"
        );
    }

    #[test]
    fn a_zstd_collection_that_inflates_past_the_limit_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let big = vec![0u8; 1_000_000];
        let compressed = zstd::encode_all(&big[..], 3).unwrap();
        let path = dir.path().join("bomb.apkg");
        {
            let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
            zip.start_file(
                "collection.anki21b",
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            zip.write_all(&compressed).unwrap();
            zip.finish().unwrap();
        }
        let err = extract_collection(&path, 50_000)
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("decompresses to more than 50000 bytes"),
            "{err}"
        );
    }

    #[test]
    fn unsafe_entry_names_are_recognised() {
        for name in [
            "../x",
            "a/../../x",
            "/etc/passwd",
            "\\x",
            "C:\\x",
            "media\\..\\x",
        ] {
            assert!(unsafe_name(name), "{name}");
        }
        for name in ["collection.anki2", "0", "media", "a..b"] {
            assert!(!unsafe_name(name), "{name}");
        }
    }
}
