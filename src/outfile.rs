//! Where a written file goes: the one way `export`, `report` and `backup` put their output at
//! a path the learner named.
//!
//! - `-` is standard output.
//! - A symbolic link is written through: the link stays, and its final target is replaced.
//! - A regular file (or a new name) is replaced whole: the content goes to a temporary file in
//!   the target's own folder, is synced, and is renamed over the target, so a reader sees the
//!   old file or the new one, never half of one. An existing file keeps its permission bits
//!   (and its owner and group where we may set them); a new file gets `0666` less the umask,
//!   because the temporary file is created with mode `0666` and the kernel applies the umask
//!   (and any default ACL) itself, which needs no racy `umask()` call.
//! - A FIFO or a device is written directly, in place: never renamed over, never removed. A
//!   socket is refused.
//! - A folder is a usage error; a missing folder is one sentence.
//!
//! On Linux the temporary file is unnamed (`O_TMPFILE`) while it is written, so a killed run
//! leaves nothing behind; it gets a hidden name (`linkat` through `/proc/self/fd`) only for the
//! two system calls before the rename. Where that is not available, it is a hidden named file
//! from the start. Either way the name is `.NAME.jargon-PID-RANDOM.tmp`, and a later write to
//! the same target removes such files whose process no longer runs.
//!
//! Content for a FIFO, a device or standard output is made completely (in memory, or in an
//! unnamed temporary file for a package) before the first byte goes out, so a failed export
//! writes nothing there either.

use std::fs::{self, File, Metadata};
use std::io::{Seek, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A place to write an output: standard output or a path, checked when it was named.
#[derive(Debug, Clone)]
pub struct Output {
    /// The path as the learner gave it (shown in messages); `-` for standard output.
    shown: PathBuf,
}

/// What stands at a path once its symbolic links are followed.
#[derive(Debug)]
enum Resolved {
    Stdout,
    /// Nothing yet: a new regular file at `path`.
    New {
        path: PathBuf,
    },
    /// A regular file, replaced whole.
    Regular {
        path: PathBuf,
        meta: Metadata,
    },
    /// A FIFO or a device, written in place.
    Special {
        path: PathBuf,
    },
}

impl Output {
    /// Checks `path` before any work is done: a folder is a usage error (`example` names a
    /// file that could be written there), a missing folder or a socket a failure.
    pub fn new(path: &Path, example: &str) -> Result<Output> {
        let output = Output {
            shown: path.to_path_buf(),
        };
        output.resolve(example)?;
        Ok(output)
    }

    /// `-`: standard output.
    pub fn is_stdout(&self) -> bool {
        self.shown.as_os_str() == "-"
    }

    /// The path as the learner named it.
    pub fn path(&self) -> &Path {
        &self.shown
    }

    /// Whether binary output would land on a terminal (standard output that is one).
    pub fn is_terminal(&self) -> bool {
        use std::io::IsTerminal;
        self.is_stdout() && std::io::stdout().is_terminal()
    }

    /// Writes `bytes` as the whole output; `stdout` is where `-` goes.
    pub fn write_bytes(&self, bytes: &[u8], stdout: &mut dyn Write) -> Result<()> {
        match self.resolve("")? {
            Resolved::Stdout => {
                stdout.write_all(bytes).map_err(Error::Output)?;
                stdout.flush().map_err(Error::Output)?;
                Ok(())
            }
            Resolved::Special { path } => {
                let mut file = open_in_place(&path, &self.shown)?;
                file.write_all(bytes)
                    .and_then(|()| file.flush())
                    .map_err(|e| Error::io("write", &self.shown, e))
            }
            Resolved::New { path } => self.replace(&path, None, |file| {
                file.write_all(bytes)
                    .map_err(|e| Error::io("write", &self.shown, e))
            }),
            Resolved::Regular { path, meta } => self.replace(&path, Some(&meta), |file| {
                file.write_all(bytes)
                    .map_err(|e| Error::io("write", &self.shown, e))
            }),
        }
    }

    /// Writes the output that `fill` puts into a (seekable) file; nothing reaches the target
    /// unless `fill` succeeds.
    pub fn write_with(
        &self,
        stdout: &mut dyn Write,
        fill: impl FnOnce(&mut File) -> Result<()>,
    ) -> Result<()> {
        match self.resolve("")? {
            Resolved::New { path } => self.replace(&path, None, fill),
            Resolved::Regular { path, meta } => self.replace(&path, Some(&meta), fill),
            resolved => {
                // Made whole in an unnamed temporary file first, then copied out.
                let mut staged = tempfile::tempfile().map_err(|e| {
                    Error::io("create a temporary file in", &std::env::temp_dir(), e)
                })?;
                fill(&mut staged)?;
                staged
                    .rewind()
                    .map_err(|e| Error::io("write", &self.shown, e))?;
                match resolved {
                    Resolved::Special { path } => {
                        let mut file = open_in_place(&path, &self.shown)?;
                        std::io::copy(&mut staged, &mut file)
                            .and_then(|_| file.flush())
                            .map_err(|e| Error::io("write", &self.shown, e))?;
                    }
                    _ => {
                        std::io::copy(&mut staged, stdout).map_err(Error::Output)?;
                        stdout.flush().map_err(Error::Output)?;
                    }
                }
                Ok(())
            }
        }
    }

    /// Makes a new file for a writer that needs a path (SQLite's `VACUUM INTO`): `fill` gets
    /// the path of an empty hidden file beside the target (mode `0666` less the umask), and
    /// the finished file is linked to the target only if nothing stands there by then; an
    /// existing path, whatever it is, is never replaced. Standard output is refused.
    pub fn create_new_with(&self, fill: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
        let already = || {
            Error::failed(format!(
                "{} already exists; choose a new file name",
                self.shown.display()
            ))
        };
        let path = match self.resolve("")? {
            Resolved::New { path } => path,
            Resolved::Stdout => {
                return Err(Error::usage(
                    "this output is a database file: name it rather than -",
                ));
            }
            Resolved::Regular { .. } | Resolved::Special { .. } => return Err(already()),
        };
        let folder = folder_of(&path);
        let name = path.file_name().ok_or_else(|| {
            Error::usage(format!(
                "{} does not name a file; name the file to write",
                self.shown.display()
            ))
        })?;
        remove_stale(folder);
        let staged = Staged::create_named(folder, &temp_prefix(name))
            .map_err(|e| Error::io("write into the folder", folder, e))?;
        let Some(hidden) = staged.named.clone() else {
            // create_named always names its file.
            return Err(Error::failed("the temporary file has no name"));
        };
        fill(&hidden)?;
        // The writer wrote through its own handle: sync what is on disk under the name.
        File::open(&hidden)
            .and_then(|file| file.sync_all())
            .map_err(|e| Error::io("write", &self.shown, e))?;
        // A link, unlike a rename, fails when the target appeared meanwhile.
        match fs::hard_link(&hidden, &path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Err(already()),
            Err(e) => return Err(Error::io("write", &self.shown, e)),
        }
        drop(staged); // removes the hidden name
        if let Ok(dir) = File::open(folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    }

    /// Follows symbolic links from the named path to what stands at the end of them.
    fn resolve(&self, example: &str) -> Result<Resolved> {
        if self.is_stdout() {
            return Ok(Resolved::Stdout);
        }
        let shown = &self.shown;
        if shown.as_os_str().is_empty() {
            return Err(Error::usage(
                "the output path is empty; name a file, or - for standard output",
            ));
        }
        let mut path = shown.clone();
        // As many links as Linux follows in one path before ELOOP.
        for _ in 0..40 {
            let meta = match fs::symlink_metadata(&path) {
                Ok(meta) => meta,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    let folder = folder_of(&path);
                    if !folder.is_dir() {
                        return Err(Error::failed(format!(
                            "cannot write {}: the folder {} does not exist",
                            shown.display(),
                            folder.display()
                        )));
                    }
                    return Ok(Resolved::New { path });
                }
                Err(e) => return Err(Error::io("write", shown, e)),
            };
            let kind = meta.file_type();
            if kind.is_symlink() {
                let target =
                    fs::read_link(&path).map_err(|e| Error::io("read the link", &path, e))?;
                // A relative target is relative to the link's folder; an absolute one replaces it.
                path = match path.parent() {
                    Some(folder) => folder.join(target),
                    None => target,
                };
            } else if kind.is_dir() {
                let example = if example.is_empty() { "FILE" } else { example };
                return Err(Error::usage(format!(
                    "{} is a folder; name the file to write, such as {}",
                    shown.display(),
                    shown.join(example).display()
                )));
            } else if kind.is_file() {
                return Ok(Resolved::Regular { path, meta });
            } else if is_socket(&meta) {
                return Err(Error::failed(format!(
                    "cannot write {}: it is a socket; name a file, a FIFO or a device",
                    shown.display()
                )));
            } else {
                return Ok(Resolved::Special { path });
            }
        }
        Err(Error::failed(format!(
            "cannot write {}: too many levels of symbolic links",
            shown.display()
        )))
    }

    /// Fills a temporary file beside `path` and renames it over `path`.
    fn replace(
        &self,
        path: &Path,
        existing: Option<&Metadata>,
        fill: impl FnOnce(&mut File) -> Result<()>,
    ) -> Result<()> {
        let folder = folder_of(path);
        let name = path.file_name().ok_or_else(|| {
            Error::usage(format!(
                "{} does not name a file; name the file to write",
                self.shown.display()
            ))
        })?;
        let prefix = temp_prefix(name);
        remove_stale(folder);
        let mut staged = Staged::create(folder, &prefix)
            .map_err(|e| Error::io("write into the folder", folder, e))?;
        fill(staged.file())?;
        if let Some(meta) = existing {
            keep_owner_and_mode(staged.file(), meta)
                .map_err(|e| Error::io("write", &self.shown, e))?;
        }
        staged
            .file()
            .sync_all()
            .map_err(|e| Error::io("write", &self.shown, e))?;
        staged
            .commit(path)
            .map_err(|e| Error::io("write", &self.shown, e))?;
        // The rename is durable once the folder is synced; some file systems cannot sync a
        // folder, and the file itself is already safe, so a failure here is not reported.
        if let Ok(dir) = File::open(folder) {
            let _ = dir.sync_all();
        }
        Ok(())
    }
}

/// The folder a path's last component lives in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Opens a FIFO or a device for writing, without creating or truncating anything.
fn open_in_place(path: &Path, shown: &Path) -> Result<File> {
    fs::OpenOptions::new()
        .write(true)
        .open(path)
        .map_err(|e| Error::io("write", shown, e))
}

#[cfg(unix)]
fn is_socket(meta: &Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_socket()
}

#[cfg(not(unix))]
fn is_socket(_meta: &Metadata) -> bool {
    false
}

/// `.NAME.jargon-`: the start of every temporary name for the target `NAME` (the name is cut
/// to 100 bytes, so the whole stays under the usual 255-byte limit).
fn temp_prefix(name: &std::ffi::OsStr) -> std::ffi::OsString {
    let mut prefix = std::ffi::OsString::from(".");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = name.as_bytes();
        prefix.push(std::ffi::OsStr::from_bytes(&bytes[..bytes.len().min(100)]));
    }
    #[cfg(not(unix))]
    prefix.push(name);
    prefix.push(".jargon-");
    prefix
}

/// A temporary name for this process: `PREFIX` `PID-RANDOM.tmp`.
fn temp_name(prefix: &std::ffi::OsStr) -> std::ffi::OsString {
    let mut name = prefix.to_os_string();
    name.push(format!(
        "{}-{:016x}.tmp",
        std::process::id(),
        rand::random::<u64>()
    ));
    name
}

/// Removes temporary files left in `folder` by processes that no longer run (a killed
/// backup, an export killed between its link and its rename, or any write on a system
/// without `O_TMPFILE`): hidden files named `.NAME.jargon-PID-RANDOM.tmp` only. Only where
/// `/proc` tells which processes run; a failure to remove is left alone.
fn remove_stale(folder: &Path) {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return;
    }
    let Ok(entries) = fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !name.starts_with('.') {
            continue;
        }
        let Some((_, rest)) = name.rsplit_once(".jargon-") else {
            continue;
        };
        let Some((pid, random)) = rest.strip_suffix(".tmp").and_then(|r| r.split_once('-')) else {
            continue;
        };
        let ours = !pid.is_empty()
            && pid.bytes().all(|b| b.is_ascii_digit())
            && random.len() == 16
            && random.bytes().all(|b| b.is_ascii_hexdigit());
        if ours && !proc.join(pid).exists() && entry.file_type().is_ok_and(|t| t.is_file()) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Gives the new file the old one's owner (where we may) and permission bits. The set-id
/// bits are not carried over to new content.
#[cfg(unix)]
fn keep_owner_and_mode(file: &File, old: &Metadata) -> std::io::Result<()> {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let new = file.metadata()?;
    if new.uid() != old.uid() || new.gid() != old.gid() {
        // Only root may give a file away; anyone may pick one of their own groups. Failing
        // both keeps our own owner, as any newly written file would have.
        if std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid())).is_err() {
            let _ = std::os::unix::fs::fchown(file, None, Some(old.gid()));
        }
    }
    file.set_permissions(fs::Permissions::from_mode(old.mode() & 0o1777))
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, old: &Metadata) -> std::io::Result<()> {
    file.set_permissions(old.permissions())
}

/// A temporary file being filled in the target's folder.
struct Staged {
    file: File,
    folder: PathBuf,
    prefix: std::ffi::OsString,
    /// The hidden name, when the file has one from the start.
    named: Option<PathBuf>,
}

impl Staged {
    fn create(folder: &Path, prefix: &std::ffi::OsStr) -> std::io::Result<Staged> {
        #[cfg(target_os = "linux")]
        if let Some(file) = unnamed_in(folder) {
            return Ok(Staged {
                file,
                folder: folder.to_path_buf(),
                prefix: prefix.to_os_string(),
                named: None,
            });
        }
        Staged::create_named(folder, prefix)
    }

    /// A hidden named file, where an unnamed one cannot be made.
    fn create_named(folder: &Path, prefix: &std::ffi::OsStr) -> std::io::Result<Staged> {
        let mut options = fs::OpenOptions::new();
        options.write(true).read(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o666);
        }
        loop {
            let path = folder.join(temp_name(prefix));
            match options.open(&path) {
                Ok(file) => {
                    return Ok(Staged {
                        file,
                        folder: folder.to_path_buf(),
                        prefix: prefix.to_os_string(),
                        named: Some(path),
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn file(&mut self) -> &mut File {
        &mut self.file
    }

    /// Renames the finished file over `target` (giving an unnamed file its hidden name first).
    fn commit(mut self, target: &Path) -> std::io::Result<()> {
        let hidden = match self.named.take() {
            Some(path) => path,
            None => self.link()?,
        };
        fs::rename(&hidden, target).inspect_err(|_| {
            let _ = fs::remove_file(&hidden);
        })
    }

    /// Gives an unnamed file a hidden name in its folder.
    #[cfg(target_os = "linux")]
    fn link(&self) -> std::io::Result<PathBuf> {
        use std::os::fd::AsRawFd;
        let proc_path = format!("/proc/self/fd/{}", self.file.as_raw_fd());
        loop {
            let hidden = self.folder.join(temp_name(&self.prefix));
            match rustix::fs::linkat(
                rustix::fs::CWD,
                proc_path.as_str(),
                rustix::fs::CWD,
                &hidden,
                rustix::fs::AtFlags::SYMLINK_FOLLOW,
            ) {
                Ok(()) => return Ok(hidden),
                Err(rustix::io::Errno::EXIST) => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn link(&self) -> std::io::Result<PathBuf> {
        Err(std::io::Error::other(
            "an unnamed temporary file cannot be linked here",
        ))
    }
}

impl Drop for Staged {
    /// A file that was never committed goes away (an unnamed one does by itself).
    fn drop(&mut self) {
        if let Some(path) = &self.named {
            let _ = fs::remove_file(path);
        }
    }
}

/// An unnamed file in `folder` with mode `0666` less the umask, when the kernel, the file
/// system and a mounted `/proc` (needed to link it later) allow one.
#[cfg(target_os = "linux")]
fn unnamed_in(folder: &Path) -> Option<File> {
    use rustix::fs::{Mode, OFlags};
    if !Path::new("/proc/self/fd").is_dir() {
        return None;
    }
    let fd = rustix::fs::openat(
        rustix::fs::CWD,
        folder,
        OFlags::TMPFILE | OFlags::RDWR | OFlags::CLOEXEC,
        Mode::from_raw_mode(0o666),
    )
    .ok()?;
    Some(File::from(fd))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_carry_the_target_pid_and_a_random_part() {
        let prefix = temp_prefix(std::ffi::OsStr::new("deck.csv"));
        assert_eq!(prefix, ".deck.csv.jargon-");
        let name = temp_name(&prefix);
        let name = name.to_str().unwrap();
        let rest = name.strip_prefix(".deck.csv.jargon-").unwrap();
        let (pid, random) = rest.strip_suffix(".tmp").unwrap().split_once('-').unwrap();
        assert_eq!(pid, std::process::id().to_string());
        assert_eq!(random.len(), 16);
    }

    #[test]
    fn a_long_name_is_cut_so_the_temporary_name_fits() {
        let long = "x".repeat(250);
        let name = temp_name(&temp_prefix(std::ffi::OsStr::new(&long)));
        assert!(name.len() < 255, "{}", name.len());
    }

    #[test]
    fn a_failed_fill_leaves_the_old_file_and_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        fs::write(&path, "old").unwrap();
        let output = Output::new(&path, "out.csv").unwrap();
        let result = output.write_with(&mut std::io::sink(), |file| {
            file.write_all(b"half").unwrap();
            Err(Error::failed("stopped half way"))
        });
        assert!(result.is_err());
        assert_eq!(fs::read(&path).unwrap(), b"old");
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.csv"]);
    }

    #[test]
    fn the_named_fallback_is_hidden_and_goes_away_unless_committed() {
        let dir = tempfile::tempdir().unwrap();
        let prefix = temp_prefix(std::ffi::OsStr::new("out.csv"));
        let names = || -> Vec<String> {
            let mut names: Vec<String> = fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            names
        };
        let mut abandoned = Staged::create_named(dir.path(), &prefix).unwrap();
        abandoned.file().write_all(b"half").unwrap();
        let shown = names();
        assert_eq!(shown.len(), 1);
        assert!(shown[0].starts_with(".out.csv.jargon-"), "{shown:?}");
        drop(abandoned);
        assert!(names().is_empty());

        let target = dir.path().join("out.csv");
        let mut staged = Staged::create_named(dir.path(), &prefix).unwrap();
        staged.file().write_all(b"new").unwrap();
        staged.commit(&target).unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(names(), ["out.csv"]);
    }

    #[test]
    fn a_failed_fill_writes_nothing_to_a_device() {
        let output = Output::new(Path::new("/dev/full"), "x").unwrap();
        let result = output.write_with(&mut std::io::sink(), |_| Err(Error::failed("stopped")));
        assert_eq!(result.unwrap_err().to_string(), "stopped");
        // Writing for real into /dev/full fails with one sentence naming it.
        let error = output.write_bytes(b"x", &mut std::io::sink()).unwrap_err();
        assert!(
            error.to_string().starts_with("cannot write /dev/full: "),
            "{error}"
        );
    }

    #[test]
    fn stdout_gets_the_bytes_of_a_dash() {
        let output = Output::new(Path::new("-"), "x").unwrap();
        let mut out = vec![];
        output.write_bytes(b"abc", &mut out).unwrap();
        output
            .write_with(&mut out, |file| {
                file.write_all(b"def")
                    .map_err(|e| Error::io("write", Path::new("-"), e))
            })
            .unwrap();
        assert_eq!(out, b"abcdef");
    }
}
