//! The media folder beside the collection: the images and sounds notes reference.
//!
//! `jargon.sqlite3` keeps its files in `jargon.media/`, made when the first file is added.
//! Every name is made safe first ([`safe_name`]), so nothing is written outside the folder.
//! A file is written to a hidden temporary file in the folder, synced, and renamed into place
//! without replacing anything, so the folder never holds half a file and a name, once taken,
//! keeps its bytes: the same name with the same bytes is stored once, the same name with other
//! bytes is stored beside it as `stem-<first 8 hex digits of its sha1>.ext`. A symbolic link
//! or anything but a regular file at a name is refused, never followed (the folder itself
//! may be a link the learner made). Files are created `0644` and the folder `0755`, less the
//! umask.
//!
//! Sizes are capped per file and per import ([`Budget`]). The folder speaks no SQL: which
//! notes reference which files is the caller's ([`references`], [`rewrite_reference`],
//! [`audit`]).

mod names;
mod refs;
#[cfg(test)]
mod tests;

pub use names::{is_safe_name, safe_name};
pub use refs::{references, rewrite_reference, rewrite_references};

use std::collections::BTreeSet;
use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The largest media file an import stores: 100 MiB.
pub const FILE_LIMIT: u64 = 100 * 1024 * 1024;

/// The most media one import writes: 1 GiB.
pub const IMPORT_LIMIT: u64 = 1024 * 1024 * 1024;

/// Hidden temporary files in the folder start with this (a safe name never starts with a dot).
const TEMP_PREFIX: &str = ".jargon-media-";

/// Times a name taken by someone else between our look and our rename is looked at again.
const RACE_RETRIES: usize = 3;

/// The media folder of one collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaDir {
    path: PathBuf,
}

/// What stands at a name in the folder, compared with the bytes to store there.
enum Slot {
    Free,
    Same,
    Different,
}

impl MediaDir {
    /// The folder for a collection file: its path with the extension `media` instead
    /// (`jargon.sqlite3` -> `jargon.media`), beside it. Not created until a file is added.
    pub fn for_collection(collection: &Path) -> MediaDir {
        MediaDir {
            path: collection.with_extension("media"),
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stores `bytes` under `name` (made safe first) and returns the name it is stored
    /// under: `name` when it was free or already held these bytes, else
    /// `stem-<8 hex of sha1>.ext` (the caller rewrites the note's references to it). The
    /// bytes count against `budget`, only when written.
    pub fn add(&self, name: &str, bytes: &[u8], budget: &mut Budget) -> Result<String> {
        self.add_telling(name, bytes, budget).map(|(name, _)| name)
    }

    /// [`MediaDir::add`], also telling whether this call wrote the file (`false`: a file
    /// with these bytes was there under the name returned).
    pub fn add_telling(
        &self,
        name: &str,
        bytes: &[u8],
        budget: &mut Budget,
    ) -> Result<(String, bool)> {
        let name = safe_name(name);
        budget.check_file(&name, bytes.len() as u64)?;
        self.create_folder()?;
        // The hash is needed only when the name holds other bytes.
        let mut digest = None;
        let mut written: Option<tempfile::NamedTempFile> = None;
        for attempt in 0..3 {
            let candidate = match attempt {
                0 => name.clone(),
                _ => {
                    let digest = digest
                        .get_or_insert_with(|| sha1_smol::Sha1::from(bytes).digest().to_string());
                    let tag = if attempt == 1 {
                        &digest[..8]
                    } else {
                        &digest[..]
                    };
                    names::tagged_name(&name, tag)
                }
            };
            for _ in 0..RACE_RETRIES {
                match self.slot(&candidate, bytes)? {
                    Slot::Same => return Ok((candidate, false)),
                    Slot::Different => break,
                    Slot::Free => {}
                }
                let temp = match written.take() {
                    Some(temp) => temp,
                    None => {
                        budget.charge(&name, bytes.len() as u64)?;
                        self.write_temp(bytes)?
                    }
                };
                let target = self.path.join(&candidate);
                match temp.persist_noclobber(&target) {
                    Ok(_) => return Ok((candidate, true)),
                    Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                        written = Some(e.file);
                    }
                    // No rename without replacing and no hard links (FAT, some network
                    // file systems): the name was free a moment ago, so a plain rename.
                    Err(e) => {
                        e.file
                            .persist(&target)
                            .map_err(|e| Error::io("write", &target, e.error))?;
                        return Ok((candidate, true));
                    }
                }
            }
        }
        Err(Error::failed(format!(
            "cannot store the media file {name} in {}: every name tried for it holds other bytes",
            self.path.display()
        )))
    }

    /// The path of a stored file, or `None` when `name` is not one name in the folder, is
    /// missing, or is not a regular file (a symbolic link is not followed).
    pub fn file(&self, name: &str) -> Option<PathBuf> {
        if !is_one_name(name) {
            return None;
        }
        let path = self.path.join(name);
        let meta = fs::symlink_metadata(&path).ok()?;
        meta.file_type().is_file().then_some(path)
    }

    /// Removes the stored file `name` (a symbolic link there is removed, never followed);
    /// a name that is not one name in the folder, or is missing, is left alone.
    pub fn remove(&self, name: &str) -> Result<()> {
        if !is_one_name(name) {
            return Ok(());
        }
        let path = self.path.join(name);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io("remove", &path, e)),
            _ => Ok(()),
        }
    }

    /// Removes the folder when it is empty (a folder with anything in it stays).
    pub fn remove_if_empty(&self) {
        let _ = fs::remove_dir(&self.path);
    }

    /// The name of every regular file in the folder, sorted; hidden files (our temporary
    /// files among them) and names that are not UTF-8 are left out. No folder: no files.
    pub fn list(&self) -> Result<Vec<String>> {
        let entries = match fs::read_dir(&self.path) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("read the media folder", &self.path, e)),
        };
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| Error::io("read the media folder", &self.path, e))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let file_type = entry
                .file_type()
                .map_err(|e| Error::io("read", &entry.path(), e))?;
            if !name.starts_with('.') && file_type.is_file() {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// The sha1 of a stored file, in lowercase hex.
    pub fn sha1(&self, name: &str) -> Result<String> {
        let (path, mut file) = self.open_stored(name)?;
        let mut hasher = sha1_smol::Sha1::new();
        let mut buffer = vec![0; 64 * 1024];
        loop {
            match file.read(&mut buffer) {
                Ok(0) => return Ok(hasher.digest().to_string()),
                Ok(n) => hasher.update(&buffer[..n]),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io("read", &path, e)),
            }
        }
    }

    /// Makes the folder (`0755` less the umask) unless it is there; a file in its place is
    /// an error.
    fn create_folder(&self) -> Result<()> {
        let mut builder = fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o755);
        }
        match builder.create(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists && self.path.is_dir() => Ok(()),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(Error::failed(format!(
                "{} is in the place of the media folder and is not a folder; move it away",
                self.path.display()
            ))),
            Err(e) => Err(Error::io("create the media folder", &self.path, e)),
        }
    }

    /// What stands at `name`: nothing, a regular file with `bytes`, or one with others. A
    /// symbolic link or anything else is an error.
    fn slot(&self, name: &str, bytes: &[u8]) -> Result<Slot> {
        let path = self.path.join(name);
        match fs::symlink_metadata(&path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Slot::Free),
            Err(e) => return Err(Error::io("read", &path, e)),
            Ok(meta) if !meta.file_type().is_file() => return Err(not_regular(&path)),
            Ok(meta) if meta.len() != bytes.len() as u64 => return Ok(Slot::Different),
            Ok(_) => {}
        }
        let (path, file) = self.open_stored(name)?;
        let same = same_content(file, bytes).map_err(|e| Error::io("read", &path, e))?;
        Ok(if same { Slot::Same } else { Slot::Different })
    }

    /// Opens a stored regular file for reading, never through a symbolic link, and never
    /// blocking on a named pipe put in its place.
    fn open_stored(&self, name: &str) -> Result<(PathBuf, File)> {
        let path = self.path.join(name);
        if !is_one_name(name) {
            return Err(Error::failed(format!(
                "{name:?} is not the name of a file in the media folder {}",
                self.path.display()
            )));
        }
        let mut options = fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
        }
        #[cfg(not(unix))]
        if fs::symlink_metadata(&path).is_ok_and(|m| !m.file_type().is_file()) {
            return Err(not_regular(&path));
        }
        let file = match options.open(&path) {
            Ok(file) => file,
            Err(e) if is_symlink_refusal(&e) => return Err(not_regular(&path)),
            Err(e) => return Err(Error::io("read", &path, e)),
        };
        let meta = file.metadata().map_err(|e| Error::io("read", &path, e))?;
        if !meta.file_type().is_file() {
            return Err(not_regular(&path));
        }
        Ok((path, file))
    }

    /// Writes `bytes` to a new hidden temporary file in the folder and syncs it.
    fn write_temp(&self, bytes: &[u8]) -> Result<tempfile::NamedTempFile> {
        let mut builder = tempfile::Builder::new();
        builder.prefix(TEMP_PREFIX).suffix(".tmp");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o644));
        }
        let fail = |e| Error::io("write a media file in", &self.path, e);
        let mut temp = builder.tempfile_in(&self.path).map_err(fail)?;
        temp.write_all(bytes).map_err(fail)?;
        temp.as_file().sync_all().map_err(fail)?;
        Ok(temp)
    }
}

/// Whether `name` is a single name inside a folder (no separator, not `.` or `..`, no NUL).
fn is_one_name(name: &str) -> bool {
    !name.is_empty() && name != "." && name != ".." && !name.contains(['/', '\\', '\0'])
}

/// Whether opening failed because the name is a symbolic link (with `O_NOFOLLOW`: `ELOOP`,
/// or `EMLINK` on FreeBSD).
fn is_symlink_refusal(error: &io::Error) -> bool {
    #[cfg(unix)]
    {
        matches!(error.raw_os_error(), Some(libc::ELOOP) | Some(libc::EMLINK))
    }
    #[cfg(not(unix))]
    {
        let _ = error;
        false
    }
}

fn not_regular(path: &Path) -> Error {
    Error::failed(format!(
        "{} is a symbolic link or not a regular file; jargon neither follows nor replaces it in the media folder, so move it away",
        path.display()
    ))
}

/// Whether `file` holds exactly `bytes`.
fn same_content(mut file: File, bytes: &[u8]) -> io::Result<bool> {
    let mut buffer = vec![0; 64 * 1024];
    let mut compared = 0;
    loop {
        let n = match file.read(&mut buffer) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            return Ok(compared == bytes.len());
        }
        if bytes.get(compared..compared + n) != Some(&buffer[..n]) {
            return Ok(false);
        }
        compared += n;
    }
}

/// The media bytes one import may write: a cap per file and a cap for the whole import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    file_limit: u64,
    total_limit: u64,
    used: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::new()
    }
}

impl Budget {
    /// The caps: [`FILE_LIMIT`] per file and [`IMPORT_LIMIT`] per import.
    pub fn new() -> Budget {
        Budget::with_limits(FILE_LIMIT, IMPORT_LIMIT)
    }

    pub fn with_limits(file: u64, total: u64) -> Budget {
        Budget {
            file_limit: file,
            total_limit: total,
            used: 0,
        }
    }

    /// The bytes written so far.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// The cap per file.
    pub fn file_limit(&self) -> u64 {
        self.file_limit
    }

    /// The most the next file may hold: the cap per file, or what is left of the import's.
    pub fn allowance(&self) -> u64 {
        self.file_limit
            .min(self.total_limit.saturating_sub(self.used))
    }

    /// Why a file of `size` bytes (more than [`Budget::allowance`]) cannot be stored, naming
    /// the cap it passes.
    pub fn refusal(&self, name: &str, size: u64) -> String {
        if size > self.file_limit {
            format!(
                "the media file {name} holds more than the {} limit per media file",
                human_size(self.file_limit)
            )
        } else {
            format!(
                "the media file {name} would bring this import's media past the {} limit per import",
                human_size(self.total_limit)
            )
        }
    }

    /// Refuses a file larger than the cap per file.
    fn check_file(&self, name: &str, size: u64) -> Result<()> {
        if size > self.file_limit {
            return Err(Error::failed(format!(
                "the media file {name} holds {}, more than the {} limit per media file",
                human_size(size),
                human_size(self.file_limit)
            )));
        }
        Ok(())
    }

    /// Counts a file about to be written, refusing it past either cap.
    fn charge(&mut self, name: &str, size: u64) -> Result<()> {
        self.check_file(name, size)?;
        let total = self.used.saturating_add(size);
        if total > self.total_limit {
            return Err(Error::failed(format!(
                "the media file {name} would bring this import's media to {}, more than the {} limit per import",
                human_size(total),
                human_size(self.total_limit)
            )));
        }
        self.used = total;
        Ok(())
    }
}

/// A size for people: bytes below 10 KiB, else KiB, MiB or GiB with one decimal.
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 3] = ["KiB", "MiB", "GiB"];
    if bytes < 10 * 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// What `check` reports about the folder.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audit {
    /// Names the notes reference that are not a regular file in the folder, sorted.
    pub missing: Vec<String>,
    /// Files in the folder no note references, sorted.
    pub unreferenced: Vec<String>,
}

/// Compares every name the notes reference with the files in the folder.
pub fn audit(dir: &MediaDir, referenced: &BTreeSet<String>) -> Result<Audit> {
    let files = dir.list()?;
    let missing = referenced
        .iter()
        .filter(|name| dir.file(name).is_none())
        .cloned()
        .collect();
    let unreferenced = files
        .into_iter()
        .filter(|name| !referenced.contains(name))
        .collect();
    Ok(Audit {
        missing,
        unreferenced,
    })
}

/// The command that opens `file` with the system viewer: `$JARGON_OPENER` split on
/// whitespace, when set and not blank, with the file appended; else `xdg-open` (`open` on
/// macOS, `explorer` on Windows). The caller spawns it.
pub fn opener_command(file: &Path) -> Vec<OsString> {
    opener_from(std::env::var_os("JARGON_OPENER").as_deref(), file)
}

/// Starts the system viewer ([`opener_command`]) on `file` and returns at once, with the
/// viewer's program: the viewer gets no standard input, output or error (nothing it prints
/// reaches the review), runs in its own process group (Ctrl-C in the review does not reach
/// it), and a thread reaps it when it ends. The error names the program that did not start.
pub fn open_with_viewer(file: &Path) -> std::result::Result<OsString, (OsString, io::Error)> {
    let argv = opener_command(file);
    let Some((program, arguments)) = argv.split_first() else {
        // Not reached: `opener_command` always gives a program and the file.
        return Err((OsString::new(), io::Error::other("no viewer to start")));
    };
    let mut command = std::process::Command::new(program);
    command
        .args(arguments)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
    }
    match command.spawn() {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
            Ok(program.clone())
        }
        Err(e) => Err((program.clone(), e)),
    }
}

/// [`opener_command`] with the variable's value given. A value that is not UTF-8 is one
/// program name.
fn opener_from(opener: Option<&OsStr>, file: &Path) -> Vec<OsString> {
    let mut argv: Vec<OsString> = match opener.map(|o| (o, o.to_str())) {
        Some((_, Some(text))) => text.split_whitespace().map(OsString::from).collect(),
        Some((raw, None)) => vec![raw.to_os_string()],
        None => Vec::new(),
    };
    if argv.is_empty() {
        let viewer = if cfg!(target_os = "macos") {
            "open"
        } else if cfg!(windows) {
            "explorer"
        } else {
            "xdg-open"
        };
        argv.push(OsString::from(viewer));
    }
    argv.push(file.as_os_str().to_os_string());
    argv
}
