//! The store's classification of SQLite's errors into our own [`DbErrorKind`]s, so that no
//! module above `store/` names the driver: the sentences a learner reads (`error.rs`) and the
//! decisions the review and the import make (retry when busy, quote a constraint's words)
//! read only the kind, the code and SQLite's message.

use crate::error::{DbError, DbErrorKind, Error};

/// The kind of a driver error: by SQLite's primary result code.
pub(crate) fn kind_of(error: &rusqlite::Error) -> DbErrorKind {
    use rusqlite::ErrorCode as Code;
    match error.sqlite_error_code() {
        Some(Code::DatabaseBusy | Code::DatabaseLocked) => DbErrorKind::Busy,
        Some(Code::ReadOnly) => DbErrorKind::ReadOnly,
        Some(Code::DiskFull) => DbErrorKind::Full,
        // The shared-memory index could not be grown: on a full disk this, not
        // SQLITE_FULL, is what opening a collection in WAL mode reports.
        Some(Code::SystemIoFailure)
            if extended_code(error) == Some(rusqlite::ffi::SQLITE_IOERR_SHMSIZE) =>
        {
            DbErrorKind::Full
        }
        Some(Code::NotADatabase) => DbErrorKind::NotADatabase,
        Some(Code::SystemIoFailure) => DbErrorKind::Io,
        Some(Code::DatabaseCorrupt) => DbErrorKind::Corrupt,
        Some(Code::CannotOpen) => DbErrorKind::CannotOpen,
        Some(Code::ConstraintViolation) => DbErrorKind::Constraint,
        _ => DbErrorKind::Other,
    }
}

/// What is wrong with a stored value the store could not turn into ours, in the store's own
/// words (`store::unreadable`) or the driver's description of the column, without its
/// "Conversion error from type Text at index: 8," preamble.
fn unreadable_value(error: &rusqlite::Error) -> Option<String> {
    match error {
        rusqlite::Error::FromSqlConversionFailure(_, _, source) => Some(source.to_string()),
        rusqlite::Error::IntegralValueOutOfRange(column, value) => Some(format!(
            "the number {value} in column {column} is out of range"
        )),
        rusqlite::Error::InvalidColumnType(column, name, kind) => Some(format!(
            "column {column} ({name}) holds {kind}, which is not what it should hold"
        )),
        _ => None,
    }
}

fn extended_code(error: &rusqlite::Error) -> Option<i32> {
    match error {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.extended_code),
        _ => None,
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(error: rusqlite::Error) -> DbError {
        if let Some(text) = unreadable_value(&error) {
            return DbError {
                kind: DbErrorKind::Unreadable,
                code: None,
                message: None,
                text,
            };
        }
        DbError {
            kind: kind_of(&error),
            code: extended_code(&error),
            message: match &error {
                rusqlite::Error::SqliteFailure(_, message) => message.clone(),
                _ => None,
            },
            text: error.to_string(),
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Error {
        Error::Database(error.into())
    }
}

/// Whether a database failure has SQLite's primary result `code` (an `SQLITE_*` constant).
pub(crate) fn has_code(error: &DbError, code: std::ffi::c_int) -> bool {
    error.code.is_some_and(|c| c & 0xff == code)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn sqlite(code: std::ffi::c_int) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None)
    }

    #[test]
    fn each_database_failure_reads_as_its_own_sentence_naming_the_collection() {
        use rusqlite::ffi;
        let path = Path::new("/data/c.sqlite");
        let said = |code| Error::from(sqlite(code)).in_collection(path).to_string();
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
            Error::from(io).in_collection(path).to_string(),
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
            Error::from(sqlite(ffi::SQLITE_BUSY)).to_string(),
            "another jargon is writing to the collection; try again in a moment"
        );
        assert!(Error::from(sqlite(ffi::SQLITE_LOCKED)).is_busy());
        assert!(!Error::from(sqlite(ffi::SQLITE_FULL)).is_busy());
        assert!(!Error::failed("busy").is_busy());
    }

    #[test]
    fn no_module_above_the_store_names_the_driver() {
        fn walk(dir: &Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    if !path.ends_with("store") {
                        walk(&path, found);
                    }
                } else if path.extension().is_some_and(|e| e == "rs")
                    && std::fs::read_to_string(&path).unwrap().contains("rusqlite")
                {
                    found.push(path.display().to_string());
                }
            }
        }
        let mut found = Vec::new();
        walk(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut found,
        );
        assert_eq!(found, Vec::<String>::new());
    }

    #[test]
    fn a_value_the_store_cannot_read_is_said_in_its_own_words_without_the_drivers() {
        let error = Error::from(crate::store::unreadable(
            8,
            "the tags of note 3 are not a list",
        ))
        .in_collection(Path::new("/data/c.sqlite"));
        assert_eq!(error.db_failure(), Some(DbErrorKind::Unreadable));
        assert_eq!(
            error.to_string(),
            "/data/c.sqlite holds a value jargon cannot read: the tags of note 3 are not a \
             list; `jargon check` lists every such problem"
        );
    }
}
