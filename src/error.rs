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

    /// A failure of the database not yet tied to a collection path (`cli::run` adds it
    /// with [`Error::in_collection`]). The store classifies SQLite's errors into it.
    #[error("{}", describe_database(None, .0))]
    Database(DbError),

    /// A failure of the database on the collection at `path`: one sentence per kind.
    #[error("{}", describe_database(Some(.path), .source))]
    Collection { path: PathBuf, source: DbError },

    /// The collection (or its folder) is not writable and the command would write to it.
    #[error("{} is read-only (the file or its folder), so jargon cannot write to it", .0.display())]
    ReadOnly(PathBuf),

    /// Writing to the terminal or a pipe failed (a closed pipe ends the run quietly). Only
    /// for writes of the output: there is no blanket conversion from `io::Error`, so every
    /// other I/O failure is labelled where it happens ([`Error::Io`]).
    #[error("cannot write the output: {0}")]
    Output(std::io::Error),

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

/// The kinds of database failure a learner is told apart (as Anki's `DbErrorKind`). The store
/// classifies its driver's errors into them (`store/error.rs`): by SQLite's result code, whose
/// extended codes (such as `SQLITE_READONLY_DBMOVED` or `SQLITE_IOERR_WRITE`) fall under
/// their primary code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrorKind {
    /// Another connection holds the lock past the timeout (busy or locked).
    Busy,
    /// The file, its folder or its file system cannot be written.
    ReadOnly,
    /// The disk is full.
    Full,
    /// The file is not a SQLite database.
    NotADatabase,
    /// An I/O error below SQLite.
    Io,
    /// The file is damaged.
    Corrupt,
    /// The file cannot be opened.
    CannotOpen,
    /// A constraint or a trigger refused a row: SQLite's own words say which.
    Constraint,
    /// A stored value is not what its column should hold (a hand-edited or damaged row):
    /// the store's own words say which row and why.
    Unreadable,
    /// Anything else (a bug, a conversion): SQLite's own words.
    Other,
}

/// A database failure, classified, with what SQLite said about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbError {
    pub kind: DbErrorKind,
    /// SQLite's extended result code, when the failure came from SQLite itself.
    pub code: Option<i32>,
    /// SQLite's own message, when it gave one.
    pub message: Option<String>,
    /// The driver's whole description of the failure.
    pub text: String,
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for DbError {}

impl DbError {
    /// SQLite's own message with its code, or the driver's description.
    fn reason(&self) -> String {
        match (&self.message, self.code) {
            (Some(message), Some(code)) => format!("{message}, code {code}"),
            _ => self.text.clone(),
        }
    }
}

/// One sentence for a database failure, naming the collection when its path is known.
fn describe_database(path: Option<&PathBuf>, error: &DbError) -> String {
    let (at, file) = match path {
        Some(p) => (
            format!("the collection at {}", p.display()),
            p.display().to_string(),
        ),
        None => ("the collection".to_string(), "the collection".to_string()),
    };
    let reason = error.reason();
    match error.kind {
        DbErrorKind::Busy => {
            format!("another jargon is writing to {at}; try again in a moment")
        }
        DbErrorKind::ReadOnly => {
            format!("{file} is read-only (the file or its folder), so jargon cannot write to it")
        }
        DbErrorKind::Full => {
            format!("the disk holding {file} is full; free some space and try again")
        }
        DbErrorKind::NotADatabase => {
            format!("{file} is not a jargon collection (it is not a SQLite database)")
        }
        DbErrorKind::Io => format!(
            "an I/O error stopped jargon reading or writing {file} ({reason}); check the disk and try again"
        ),
        DbErrorKind::Corrupt => {
            format!("{file} is damaged ({reason}); restore it from a backup")
        }
        DbErrorKind::CannotOpen => format!("cannot open {file} ({reason})"),
        DbErrorKind::Unreadable => format!(
            "{file} holds a value jargon cannot read: {reason}; `jargon check` lists every such problem"
        ),
        DbErrorKind::Constraint | DbErrorKind::Other => {
            format!("{at} could not be read or written: {reason}")
        }
    }
}

/// The longest message about an input file, in characters, before its middle is cut out.
pub const INPUT_MESSAGE_MAX: usize = 240;

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

    /// The database failure this is, if it is one.
    pub fn db_error(&self) -> Option<&DbError> {
        match self {
            Error::Database(e) | Error::Collection { source: e, .. } => Some(e),
            _ => None,
        }
    }

    /// The kind of database failure this is, if it is one.
    pub fn db_failure(&self) -> Option<DbErrorKind> {
        self.db_error().map(|e| e.kind)
    }

    /// Whether another connection held the collection past the busy timeout: trying again
    /// later can succeed.
    pub fn is_busy(&self) -> bool {
        self.db_failure() == Some(DbErrorKind::Busy)
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

    /// A problem in an input file. The message is kept to about [`INPUT_MESSAGE_MAX`]
    /// characters (its middle cut out), so a huge value it quotes never floods the terminal.
    pub fn input(file: &Path, position: Option<Position>, message: impl Into<String>) -> Error {
        let message: String = message.into();
        Error::Input {
            file: file.to_path_buf(),
            position,
            message: crate::text::elide_middle(&message, INPUT_MESSAGE_MAX).into_owned(),
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

    #[test]
    fn usage_errors_exit_with_two_and_the_rest_with_one() {
        assert_eq!(Error::usage("x").exit_code(), 2);
        assert_eq!(Error::failed("x").exit_code(), 1);
    }
}
