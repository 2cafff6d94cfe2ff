//! The only place that speaks SQL: opening and migrating a collection, and reading and
//! writing decks, notes, cards, reviews and settings.
//!
//! A collection is one SQLite file in WAL mode with foreign keys on (a large import switches
//! it to a rollback journal for its transaction; see `import.rs`). Opening checks that the
//! file really is a SQLite database and that its schema is not newer than this build before
//! anything is written, so a wrong path or an old binary never damages a file.
//!
//! Every transaction takes the write lock when it begins (`BEGIN IMMEDIATE`), so a writer
//! that finds another one busy waits for it (the busy timeout) instead of failing at its
//! first write. A collection whose file or folder is not writable is opened read-only and
//! immutable, so reading it leaves no `-wal` or `-shm` file behind.

pub mod anki;
pub mod apkg;
pub mod cards;
pub mod config;
pub mod decks;
pub mod delete;
pub mod error;
pub mod export;
pub mod flag_times;
pub mod import;
pub mod migrations;
mod note_insert;
pub mod notes;
pub mod notetypes;
pub mod reviews;
pub mod revlog;
pub mod seed;
pub mod stats;
pub mod switch;
pub mod sync;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

/// An open collection.
pub struct Collection {
    conn: Connection,
    path: PathBuf,
    created: bool,
    read_only: bool,
}

/// How long a connection waits for another writer before SQLite reports the collection
/// busy: 5 seconds, or `JARGON_BUSY_TIMEOUT_MS` (for tests that need a wait to give up
/// quickly). SQLite's busy handler serves the rollback journal as it serves the WAL.
fn busy_timeout() -> Duration {
    std::env::var("JARGON_BUSY_TIMEOUT_MS")
        .ok()
        .and_then(|ms| ms.trim().parse::<u64>().ok())
        .map_or(Duration::from_secs(5), Duration::from_millis)
}

/// Whether the learner made `path` (a file or a folder) unwritable: its owner's write bit is
/// off. The bits are read rather than tried, because root may write anything and would
/// otherwise change a collection its owner protected.
fn write_bit_off(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o200 == 0
}

/// Whether an existing collection file cannot or should not be written: its write bit or its
/// folder's is off, or the system refuses to open it for writing (another owner, a read-only
/// file system).
fn is_read_only(path: &Path, meta: &std::fs::Metadata) -> bool {
    if write_bit_off(meta) || folder_of(path).metadata().is_ok_and(|m| write_bit_off(&m)) {
        return true;
    }
    // Opening for writing changes nothing (no truncation, no creation).
    match std::fs::OpenOptions::new().write(true).open(path) {
        Ok(_) => false,
        Err(e) => matches!(
            e.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        ),
    }
}

fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// `path` with `suffix` appended to its file name (`-wal`, `-shm`, `-journal`).
pub(crate) fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// A `file:` URI for `path` (bytes outside the unreserved set percent-encoded), with `query`.
fn file_uri(path: &Path, query: &str) -> Result<String> {
    use std::os::unix::ffi::OsStrExt;
    let absolute = std::path::absolute(path).map_err(|e| Error::io("find", path, e))?;
    let mut uri = String::from("file:");
    for &byte in absolute.as_os_str().as_bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri.push('?');
    uri.push_str(query);
    Ok(uri)
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Refuses paths that exist but cannot be a collection, before SQLite touches them.
fn check_existing_file(path: &Path) -> Result<bool> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if meta.is_dir() {
        return Err(Error::failed(format!(
            "{} is a directory, not a collection file",
            path.display()
        )));
    }
    if meta.len() == 0 {
        return Ok(false);
    }
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let read = file
        .read(&mut header)
        .map_err(|e| Error::io("read", path, e))?;
    if read < 16 || &header != SQLITE_MAGIC {
        return Err(Error::NotACollection(path.to_path_buf()));
    }
    Ok(true)
}

/// SQLite's failure on the collection at `path`, as one sentence naming it.
fn describe_open_error(path: &Path, err: impl Into<crate::error::DbError>) -> Error {
    Error::Database(err.into()).in_collection(path)
}

impl Collection {
    /// Opens (or creates, with its parent folders) the collection at `path` and brings its
    /// schema up to date.
    ///
    /// A collection whose file or folder is not writable is opened read-only (see
    /// [`Collection::is_read_only`]); one that does not exist yet in a read-only folder is
    /// refused.
    pub fn open(path: &Path) -> Result<Collection> {
        let existed = check_existing_file(path)?;
        if existed {
            let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
            if is_read_only(path, &meta) {
                return Collection::open_read_only(path);
            }
        } else {
            let folder = folder_of(path);
            if folder.metadata().is_ok_and(|m| write_bit_off(&m)) {
                return Err(Error::failed(format!(
                    "cannot create the collection {}: its folder is read-only",
                    path.display()
                )));
            }
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Error::io("create the folder", parent, e))?;
            }
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| describe_open_error(path, e))?;
        Collection::prepare(conn, path, !existed)
    }

    /// Whether the collection at `path` exists and would be opened read-only (its file or
    /// folder is not writable), without opening it.
    pub fn is_read_only_at(path: &Path) -> bool {
        std::fs::metadata(path).is_ok_and(|meta| meta.is_file() && is_read_only(path, &meta))
    }

    /// A private collection in memory, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Collection> {
        let conn = Connection::open_in_memory()?;
        Collection::prepare(conn, Path::new(":memory:"), true)
    }

    /// Opens an existing collection that must not be written. Without a write-ahead log
    /// beside it the file holds every committed change, and it is opened immutable: SQLite
    /// then takes no locks and makes no `-wal` or `-shm` file (it could not in a read-only
    /// folder, and root would leave them in one). A log that holds commits (a crashed
    /// session) is read through, with the `-shm` beside it.
    fn open_read_only(path: &Path) -> Result<Collection> {
        let wal = std::fs::metadata(sibling(path, "-wal")).is_ok_and(|m| m.len() > 0);
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let uri = file_uri(path, if wal { "mode=ro" } else { "immutable=1" })?;
        let conn =
            Connection::open_with_flags(&uri, flags).map_err(|e| describe_open_error(path, e))?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| describe_open_error(path, e))?;
        migrations::check_version(path, version)?;
        if version < migrations::CURRENT_VERSION {
            return Err(Error::failed(format!(
                "{} is read-only and was written by an older jargon; make it writable once so this one can bring it up to date",
                path.display()
            )));
        }
        conn.busy_timeout(busy_timeout())?;
        Ok(Collection {
            conn,
            path: path.to_path_buf(),
            created: false,
            read_only: true,
        })
    }

    fn prepare(mut conn: Connection, path: &Path, created: bool) -> Result<Collection> {
        // Read the version before any write, so a newer file is left exactly as it was.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| describe_open_error(path, e))?;
        migrations::check_version(path, version)?;
        conn.busy_timeout(busy_timeout())?;
        // Every transaction writes (reads need none), and one that read first could not wait
        // for another writer: SQLite reports it busy at once to avoid a deadlock. Taking the
        // write lock up front makes it wait for the busy timeout instead.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        conn.pragma_update(None, "foreign_keys", true)?;
        let wal = path != Path::new(":memory:")
            && match conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())) {
                Ok(()) => true,
                // Another process is writing a large import with a rollback journal (see
                // `as_bulk_import`); it goes back to WAL when done. Reading works meanwhile.
                Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => false,
                Err(e) => return Err(describe_open_error(path, e)),
            };
        // In WAL mode NORMAL keeps every committed answer across a crash or kill of jargon;
        // only a power cut can lose the last commits. It saves an fsync per answer. With a
        // rollback journal only FULL promises as much.
        conn.pragma_update(None, "synchronous", if wal { "NORMAL" } else { "FULL" })?;
        let mut collection = Collection {
            conn,
            path: path.to_path_buf(),
            created,
            read_only: false,
        };
        migrations::migrate(&mut collection.conn, version).map_err(|e| match e {
            Error::Database(db) => describe_open_error(path, db),
            other => Error::failed(format!("{}: {other}", path.display())),
        })?;
        Ok(collection)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the collection was opened read-only because its file or folder is not
    /// writable: every write would fail, so commands that write refuse at once.
    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// Whether this open created the collection (the first run).
    pub fn was_created(&self) -> bool {
        self.created
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// SQLite's own integrity check: `ok`, or the problems it lists.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut problems = vec![];
        for row in rows {
            let line = row?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |row| {
            Ok(format!(
                "{} row {} points at a missing {}",
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?
            ))
        })?;
        for row in rows {
            problems.push(row?);
        }
        Ok(problems)
    }

    /// Writes a consistent copy of the collection to `target` (SQLite's `VACUUM INTO`).
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        // An empty file is a place made for the copy (`crate::output`); VACUUM INTO fills it.
        if target.metadata().is_ok_and(|m| m.len() > 0) {
            return Err(Error::failed(format!(
                "{} already exists; choose a new file name",
                target.display()
            )));
        }
        let text = target
            .to_str()
            .ok_or_else(|| Error::failed(format!("{} is not a UTF-8 path", target.display())))?;
        self.conn.execute("VACUUM INTO ?1", [text]).map_err(|e| {
            Error::failed(format!("cannot write the backup {}: {e}", target.display()))
        })?;
        Ok(())
    }
}

/// A stored value this build cannot read (an unknown phase or kind, a list column that is
/// not a list), as the error SQLite's conversions give: the one builder every row reader uses.
pub(crate) fn unreadable(column: usize, what: impl Into<String>) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        what.into().into(),
    )
}

/// The one decoder of the notes' list columns (aliases, tags, related): a JSON array of
/// strings, or `None` when the text is anything else (a damaged or hand-edited file).
pub(crate) fn decode_json_list(text: &str) -> Option<Vec<String>> {
    if text == "[]" {
        // Most notes have no aliases or related keys.
        return Some(vec![]);
    }
    serde_json::from_str(text).ok()
}

/// The one encoder of the notes' list columns: appends `items` as a JSON array of strings.
// Stored, never printed: serde_json's own escaping (see clippy.toml).
#[allow(clippy::disallowed_methods)]
pub(crate) fn encode_json_list(items: &[String], out: &mut Vec<u8>) {
    if items.is_empty() {
        // A large import asks this per note.
        out.extend_from_slice(b"[]");
        return;
    }
    let start = out.len();
    if serde_json::to_writer(&mut *out, items).is_err() {
        // Writing strings to memory cannot fail; keep the column valid regardless.
        out.truncate(start);
        out.extend_from_slice(b"[]");
    }
}

/// [`encode_json_list`] as a `String`, for a statement that binds text.
pub(crate) fn encode_json_list_text(items: &[String]) -> String {
    let mut out = Vec::new();
    encode_json_list(items, &mut out);
    // serde_json writes UTF-8, so the lossy path never replaces anything.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::replay::ReviewKind;
    use crate::scheduler::{Quality, SchedulerKind, Settings};
    use crate::store::reviews::NewReview;

    /// A collection file with one note (cards 64 and 65), in a fresh folder.
    fn collection_file() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let collection = Collection::open(&path).unwrap();
        collection
            .conn()
            .execute_batch(
                "INSERT INTO decks (id, name, created_at) VALUES (1, 'One', 0);
                 INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                     VALUES (1, 1, 'a', 'A', 'a', 0, 0);",
            )
            .unwrap();
        (dir, path)
    }

    #[test]
    fn a_list_column_decodes_what_the_encoder_wrote_and_nothing_else() {
        for items in [
            vec![],
            vec!["a".to_string(), "b \"c\" \\ d\u{1b}".to_string()],
        ] {
            let text = encode_json_list_text(&items);
            assert_eq!(decode_json_list(&text), Some(items.clone()), "{text}");
            let mut appended = b"x".to_vec();
            encode_json_list(&items, &mut appended);
            assert_eq!(&appended[1..], text.as_bytes());
        }
        assert_eq!(encode_json_list_text(&[]), "[]");
        for bad in [
            "",
            "not json",
            "[1, 2]",
            "[\"a\", null]",
            "{}",
            "\"a\"",
            "[\"a\"",
        ] {
            assert_eq!(decode_json_list(bad), None, "{bad}");
        }
    }

    fn answer(card_id: i64) -> NewReview {
        NewReview {
            card_id,
            reviewed_at_ms: 1_000,
            day: 1,
            quality: Quality::new(4).unwrap(),
            duration_ms: 10,
            kind: ReviewKind::Cram,
            scheduler: SchedulerKind::Sm2,
            settings: Settings::default(),
            retrievability: None,
        }
    }

    #[test]
    fn an_answer_waits_for_another_writer_instead_of_failing() {
        let (_dir, path) = collection_file();
        let mut collection = Collection::open(&path).unwrap();
        let state = collection.card(64).unwrap().state;
        // Another connection holds the write lock for a moment.
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN IMMEDIATE").unwrap();
        other
            .execute("UPDATE decks SET description = 'x' WHERE id = 1", [])
            .unwrap();
        let (locked_tx, locked_rx) = std::sync::mpsc::channel();
        let writer = std::thread::spawn(move || {
            locked_tx.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(300));
            other.execute_batch("COMMIT").unwrap();
        });
        locked_rx.recv().unwrap();
        // The answer reads the card before it writes; it must still wait for the lock.
        let id = collection.commit_answer(&answer(64), &state, &state, false);
        writer.join().unwrap();
        assert!(id.is_ok(), "{}", id.unwrap_err());
        assert_eq!(collection.reviews_of_card(64).unwrap().len(), 1);
    }

    #[test]
    fn a_leech_suspended_by_its_answer_records_when_and_its_undo_takes_that_back() {
        let (_dir, path) = collection_file();
        let mut collection = Collection::open(&path).unwrap();
        let state = collection.card(64).unwrap().state;
        let id = collection
            .commit_answer(&answer(64), &state, &state, true)
            .unwrap();
        assert!(collection.card(64).unwrap().suspended);
        assert_eq!(
            collection.flag_time(64, flag_times::Flag::Suspend).unwrap(),
            Some(1_000)
        );
        collection.undo_review(id, true).unwrap().unwrap();
        assert!(!collection.card(64).unwrap().suspended);
        let times: i64 = collection
            .conn()
            .query_row("SELECT count(*) FROM card_flag_times", [], |r| r.get(0))
            .unwrap();
        assert_eq!(times, 0);
    }

    #[test]
    fn a_full_disk_is_reported_as_such() {
        let (_dir, path) = collection_file();
        let collection = Collection::open(&path).unwrap();
        let pages: i64 = collection
            .conn()
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        collection
            .conn()
            .pragma_update(None, "max_page_count", pages)
            .unwrap();
        let big = "x".repeat(64 * 1024);
        let error = collection
            .conn()
            .execute(
                "INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                 VALUES (2, 1, 'b', 'B', ?1, 0, 0)",
                [&big],
            )
            .map_err(Error::from)
            .unwrap_err()
            .in_collection(&path);
        assert_eq!(
            error.to_string(),
            format!(
                "the disk holding {} is full; free some space and try again",
                path.display()
            )
        );
    }

    fn no_write_bits(path: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode & !0o222)).unwrap();
    }

    fn write_bits(path: &Path) {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode | 0o200)).unwrap();
    }

    #[test]
    fn a_read_only_file_opens_read_only_and_leaves_no_log_files() {
        let (dir, path) = collection_file();
        no_write_bits(&path);
        assert!(Collection::is_read_only_at(&path));
        let collection = Collection::open(&path).unwrap();
        assert!(collection.is_read_only());
        assert_eq!(collection.card(64).unwrap().id, 64);
        let error = collection
            .conn()
            .execute("UPDATE decks SET description = 'x'", [])
            .map_err(Error::from)
            .unwrap_err()
            .in_collection(&path);
        assert_eq!(
            error.to_string(),
            format!(
                "{} is read-only (the file or its folder), so jargon cannot write to it",
                path.display()
            )
        );
        drop(collection);
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, ["c.sqlite"]);
        write_bits(&path);
    }

    #[test]
    fn a_read_only_folder_opens_read_only_and_refuses_a_new_collection() {
        let (dir, path) = collection_file();
        no_write_bits(dir.path());
        let opened = Collection::open(&path);
        let created = Collection::open(&dir.path().join("new.sqlite"));
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        write_bits(dir.path());
        let collection = opened.unwrap();
        assert!(collection.is_read_only());
        assert_eq!(collection.card(65).unwrap().id, 65);
        assert_eq!(
            created.err().map(|e| e.to_string()),
            Some(format!(
                "cannot create the collection {}: its folder is read-only",
                dir.path().join("new.sqlite").display()
            ))
        );
        assert_eq!(names, ["c.sqlite"]);
    }
}
