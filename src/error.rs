//! The one error type of the crate and its mapping onto exit codes.
//!
//! Every message is a single sentence meant for the learner: it names the file, and the line
//! and column where they apply, and says what is wrong. `main` prints it and exits with
//! [`Error::exit_code`].

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in a text file, 1-based, as editors show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The line and column of a byte offset in `text` (columns count characters).
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let offset = offset.min(text.len());
        let mut start = offset;
        while !text.is_char_boundary(start) {
            start -= 1;
        }
        let before = &text[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }
}

/// Line starts of a text, so many offsets can be turned into positions without rescanning
/// the text for each (a 100,000-note deck has 100,000 note positions).
pub struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> LineIndex<'a> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    /// The same answer as [`Position::of_offset`], in O(log lines + line length).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&start| start <= offset);
        let line_start = self.starts[line.saturating_sub(1)];
        Position {
            line,
            column: self.text[line_start..offset].chars().count() + 1,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line was wrong: exit code 2.
    #[error("{0}")]
    Usage(String),

    /// A problem inside an input file, located as precisely as we can.
    #[error("{}", located(.file, .position, .message))]
    Input {
        file: PathBuf,
        position: Option<Position>,
        message: String,
    },

    #[error("cannot {action} {}: {source}", .path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("{} is not a jargon collection (it is not a SQLite database)", .0.display())]
    NotACollection(PathBuf),

    #[error(
        "{} was written by a newer jargon (schema version {found}, this one knows up to {known}); upgrade jargon to open it",
        .path.display()
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        known: i64,
    },

    /// A failure of SQLite not yet tied to a collection path (`cli::run` adds it with
    /// [`Error::in_collection`]).
    #[error("{}", describe_database(None, .0))]
    Database(#[from] rusqlite::Error),

    /// A failure of SQLite on the collection at `path`: one sentence per kind of failure.
    #[error("{}", describe_database(Some(.path), .source))]
    Collection {
        path: PathBuf,
        source: rusqlite::Error,
    },

    /// The collection (or its folder) is not writable and the command would write to it.
    #[error("{} is read-only (the file or its folder), so jargon cannot write to it", .0.display())]
    ReadOnly(PathBuf),

    /// Writing to the terminal or a pipe failed (a closed pipe ends the run quietly).
    #[error("cannot write the output: {0}")]
    Output(#[from] std::io::Error),

    /// Any other failure of the work, already phrased as a sentence.
    #[error("{0}")]
    Failed(String),
}

fn located(file: &Path, position: &Option<Position>, message: &str) -> String {
    match position {
        Some(p) => format!("{}:{}:{}: {}", file.display(), p.line, p.column, message),
        None => format!("{}: {}", file.display(), message),
    }
}

/// The kinds of database failure a learner is told apart, by SQLite's result code (its
/// extended codes, such as `SQLITE_READONLY_DBMOVED` or `SQLITE_IOERR_WRITE`, fall under
/// their primary code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbFailure {
    /// `SQLITE_BUSY`/`SQLITE_LOCKED`: another connection holds the lock past the timeout.
    Busy,
    /// `SQLITE_READONLY*`.
    ReadOnly,
    /// `SQLITE_FULL`.
    Full,
    /// `SQLITE_NOTADB`.
    NotADatabase,
    /// `SQLITE_IOERR*`.
    Io,
    /// `SQLITE_CORRUPT*`.
    Corrupt,
    /// `SQLITE_CANTOPEN*`.
    CannotOpen,
    /// Anything else (a constraint, a bug): SQLite's own words.
    Other,
}

impl DbFailure {
    pub fn of(error: &rusqlite::Error) -> DbFailure {
        use rusqlite::ErrorCode as Code;
        match error.sqlite_error_code() {
            Some(Code::DatabaseBusy | Code::DatabaseLocked) => DbFailure::Busy,
            Some(Code::ReadOnly) => DbFailure::ReadOnly,
            Some(Code::DiskFull) => DbFailure::Full,
            // The shared-memory index could not be grown: on a full disk this, not
            // SQLITE_FULL, is what opening a collection in WAL mode reports.
            Some(Code::SystemIoFailure) if matches!(error, rusqlite::Error::SqliteFailure(e, _) if e.extended_code == rusqlite::ffi::SQLITE_IOERR_SHMSIZE) => {
                DbFailure::Full
            }
            Some(Code::NotADatabase) => DbFailure::NotADatabase,
            Some(Code::SystemIoFailure) => DbFailure::Io,
            Some(Code::DatabaseCorrupt) => DbFailure::Corrupt,
            Some(Code::CannotOpen) => DbFailure::CannotOpen,
            _ => DbFailure::Other,
        }
    }
}

/// One sentence for a database failure, naming the collection when its path is known.
fn describe_database(path: Option<&PathBuf>, error: &rusqlite::Error) -> String {
    let (at, file) = match path {
        Some(p) => (
            format!("the collection at {}", p.display()),
            p.display().to_string(),
        ),
        None => ("the collection".to_string(), "the collection".to_string()),
    };
    // SQLite's own message, without rusqlite's wrapping.
    let reason = match error {
        rusqlite::Error::SqliteFailure(e, Some(message)) => {
            format!("{message}, code {}", e.extended_code)
        }
        // "Error code 778: Error writing to disk"
        rusqlite::Error::SqliteFailure(e, None) => e.to_string(),
        other => other.to_string(),
    };
    match DbFailure::of(error) {
        DbFailure::Busy => {
            format!("another jargon is writing to {at}; try again in a moment")
        }
        DbFailure::ReadOnly => {
            format!("{file} is read-only (the file or its folder), so jargon cannot write to it")
        }
        DbFailure::Full => {
            format!("the disk holding {file} is full; free some space and try again")
        }
        DbFailure::NotADatabase => {
            format!("{file} is not a jargon collection (it is not a SQLite database)")
        }
        DbFailure::Io => format!(
            "an I/O error stopped jargon reading or writing {file} ({reason}); check the disk and try again"
        ),
        DbFailure::Corrupt => {
            format!("{file} is damaged ({reason}); restore it from a backup")
        }
        DbFailure::CannotOpen => format!("cannot open {file} ({reason})"),
        DbFailure::Other => format!("{at} could not be read or written: {reason}"),
    }
}

impl Error {
    /// Ties a bare database failure to the collection at `path`, so its sentence names it.
    pub fn in_collection(self, path: &Path) -> Error {
        match self {
            Error::Database(source) => Error::Collection {
                path: path.to_path_buf(),
                source,
            },
            other => other,
        }
    }

    /// The kind of database failure this is, if it is one.
    pub fn db_failure(&self) -> Option<DbFailure> {
        match self {
            Error::Database(e) | Error::Collection { source: e, .. } => Some(DbFailure::of(e)),
            _ => None,
        }
    }

    /// Whether another connection held the collection past the busy timeout: trying again
    /// later can succeed.
    pub fn is_busy(&self) -> bool {
        self.db_failure() == Some(DbFailure::Busy)
    }

    /// 2 for bad usage, 1 for everything else that failed.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Usage(_) => 2,
            _ => 1,
        }
    }

    pub fn io(action: &'static str, path: &Path, source: std::io::Error) -> Error {
        Error::Io {
            action,
            path: path.to_path_buf(),
            source,
        }
    }

    pub fn input(file: &Path, position: Option<Position>, message: impl Into<String>) -> Error {
        Error::Input {
            file: file.to_path_buf(),
            position,
            message: message.into(),
        }
    }

    pub fn usage(message: impl fmt::Display) -> Error {
        Error::Usage(message.to_string())
    }

    pub fn failed(message: impl fmt::Display) -> Error {
        Error::Failed(message.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_one_based_lines_and_character_columns() {
        let text = "ab\ncé d\n";
        assert_eq!(
            Position::of_offset(text, 0),
            Position { line: 1, column: 1 }
        );
        assert_eq!(
            Position::of_offset(text, 3),
            Position { line: 2, column: 1 }
        );
        // 'd' sits after the two-byte 'é' and a space: character column 4.
        assert_eq!(
            Position::of_offset(text, 7),
            Position { line: 2, column: 4 }
        );
    }

    #[test]
    fn the_line_index_agrees_with_a_scan_from_the_start() {
        let text = "first\nsecond é line\n\nlast";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.position(offset),
                Position::of_offset(text, offset),
                "offset {offset}"
            );
        }
    }

    fn sqlite(code: std::ffi::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn each_database_failure_reads_as_its_own_sentence_naming_the_collection() {
        use rusqlite::ffi;
        let path = Path::new("/data/c.sqlite");
        let said = |code| {
            Error::Database(sqlite(code))
                .in_collection(path)
                .to_string()
        };
        let io = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(ffi::SQLITE_IOERR_WRITE),
            Some("disk I/O error".to_string()),
        );
        assert_eq!(
            said(ffi::SQLITE_BUSY),
            "another jargon is writing to the collection at /data/c.sqlite; try again in a moment"
        );
        assert_eq!(said(ffi::SQLITE_LOCKED), said(ffi::SQLITE_BUSY));
        assert_eq!(said(ffi::SQLITE_BUSY_SNAPSHOT), said(ffi::SQLITE_BUSY));
        assert_eq!(
            said(ffi::SQLITE_READONLY),
            "/data/c.sqlite is read-only (the file or its folder), so jargon cannot write to it"
        );
        assert_eq!(
            said(ffi::SQLITE_READONLY_DBMOVED),
            said(ffi::SQLITE_READONLY)
        );
        assert_eq!(
            said(ffi::SQLITE_FULL),
            "the disk holding /data/c.sqlite is full; free some space and try again"
        );
        assert_eq!(
            said(ffi::SQLITE_NOTADB),
            "/data/c.sqlite is not a jargon collection (it is not a SQLite database)"
        );
        assert_eq!(
            Error::Database(io).in_collection(path).to_string(),
            "an I/O error stopped jargon reading or writing /data/c.sqlite (disk I/O error, code 778); check the disk and try again"
        );
        assert!(
            said(ffi::SQLITE_CORRUPT).starts_with("/data/c.sqlite is damaged ("),
            "{}",
            said(ffi::SQLITE_CORRUPT)
        );
        assert!(said(ffi::SQLITE_CORRUPT).ends_with("; restore it from a backup"));
        assert_eq!(said(ffi::SQLITE_IOERR_SHMSIZE), said(ffi::SQLITE_FULL));
        assert!(said(ffi::SQLITE_IOERR_SHORT_READ).starts_with("an I/O error stopped jargon"));
        assert!(said(ffi::SQLITE_CANTOPEN).starts_with("cannot open /data/c.sqlite ("));
        assert!(
            said(ffi::SQLITE_CONSTRAINT)
                .starts_with("the collection at /data/c.sqlite could not be read or written: "),
            "{}",
            said(ffi::SQLITE_CONSTRAINT)
        );
        for code in [
            ffi::SQLITE_BUSY,
            ffi::SQLITE_READONLY,
            ffi::SQLITE_FULL,
            ffi::SQLITE_IOERR,
        ] {
            let text = said(code);
            assert!(!text.contains("damaged"), "{text}");
        }
        // Without a path the sentences name "the collection".
        assert_eq!(
            Error::Database(sqlite(ffi::SQLITE_BUSY)).to_string(),
            "another jargon is writing to the collection; try again in a moment"
        );
        assert!(Error::Database(sqlite(ffi::SQLITE_LOCKED)).is_busy());
        assert!(!Error::Database(sqlite(ffi::SQLITE_FULL)).is_busy());
        assert!(!Error::failed("busy").is_busy());
    }

    #[test]
    fn usage_errors_exit_with_two_and_the_rest_with_one() {
        assert_eq!(Error::usage("x").exit_code(), 2);
        assert_eq!(Error::failed("x").exit_code(), 1);
    }
}
