//! The shared sync folder (`jargon sync DIR`): the events a device appends, the segment files
//! that hold them, and the device folders that say whose they are. This layer reads and
//! writes files only: no SQL, no store types. The format is described in `docs/sync.md`.
//!
//! - [`event`]: one event per line, JSON, with a format version.
//! - [`segment`]: `DIR/<device>/NNNNNNNN.jsonl`, appended by its device only, closed with a
//!   checksum, read by the others from a [`segment::Cursor`].
//! - [`device`]: device ids, `device.json` claims, collisions, and who is in the folder.

pub mod device;
pub mod event;
pub mod segment;
mod sha256;

use std::fmt;
use std::path::PathBuf;

/// Something in the folder that was skipped, one sentence each. Skipping never stops the
/// rest of the read: the caller reports these and carries on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    /// 1-based line and column inside the file, where they apply.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub kind: ProblemKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// A name that is not ours (a sync tool's temporary file, a conflicted copy, a backup).
    Foreign,
    /// A symbolic link: never followed, so a folder cannot point us elsewhere.
    Symlink,
    /// A segment that cannot be trusted: the reason, already phrased.
    Damaged(String),
    /// A device's claim that does not read: the reason. It only names the device, so the
    /// device's events are read all the same.
    Claim(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        match &self.kind {
            ProblemKind::Foreign => {
                write!(
                    f,
                    ": not a jargon sync file (a sync tool's copy or a backup?), skipped"
                )
            }
            ProblemKind::Symlink => write!(f, ": a symbolic link, not followed, skipped"),
            ProblemKind::Claim(reason) => {
                write!(f, ": {reason}; the device's events are still read")
            }
            ProblemKind::Damaged(reason) => {
                write!(
                    f,
                    ": {reason}; this segment is skipped until it reads cleanly"
                )
            }
        }
    }
}

impl Problem {
    fn at(path: PathBuf, kind: ProblemKind) -> Problem {
        Problem {
            path,
            line: None,
            column: None,
            kind,
        }
    }
}

/// Labels an I/O failure with what was being done and to which path.
fn io(
    action: &'static str,
    path: &std::path::Path,
) -> impl FnOnce(std::io::Error) -> crate::error::Error {
    let path = path.to_path_buf();
    move |source| crate::error::Error::Io {
        action,
        path,
        source,
    }
}

/// Flushes a folder's entry list to disk after a file was created or renamed in it, so a
/// crash cannot lose the new name while keeping what was written to the file.
fn sync_dir(path: &std::path::Path) -> Result<(), crate::error::Error> {
    std::fs::File::open(path)
        .and_then(|dir| dir.sync_all())
        .map_err(io("flush the folder", path))
}
