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

    #[error("the collection is damaged or unreadable: {0}")]
    Database(#[from] rusqlite::Error),

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

impl Error {
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

    #[test]
    fn usage_errors_exit_with_two_and_the_rest_with_one() {
        assert_eq!(Error::usage("x").exit_code(), 2);
        assert_eq!(Error::failed("x").exit_code(), 1);
    }
}
