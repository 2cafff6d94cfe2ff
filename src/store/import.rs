//! Writing an import plan: every deck, note and card of it in one transaction.

use std::collections::{HashMap, HashSet};

use rusqlite::{OptionalExtension, Transaction, params};

use super::Collection;
use super::note_insert::{NoteRow, NoteWriter};
use super::revlog::{HistoryReport, Merge};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::NoteFields;
use crate::records::import::{CardHistory, Existing, ImportPlan, MergeCounts};

fn existing_notes(conn: &rusqlite::Connection, deck_names: &[&str]) -> Result<Existing> {
    let mut existing: Existing = HashMap::new();
    let sql = format!(
        "SELECT {} FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = ?1",
        super::notes::NOTE_COLUMNS
    );
    let mut stmt = conn.prepare(&sql)?;
    for name in deck_names {
        let rows = stmt.query_map([name], |row| super::notes::note_from_row(row, 0))?;
        let map = existing.entry((*name).to_string()).or_default();
        for row in rows {
            let note = row?;
            map.insert(note.fields.key.clone(), (note.id, note.fields));
        }
    }
    Ok(existing)
}

impl Collection {
    /// The stored notes of the named decks, as `deck::plan::plan` compares them.
    pub fn existing_notes(&self, deck_names: &[&str]) -> Result<Existing> {
        existing_notes(self.conn(), deck_names)
    }

    /// Applies a plan atomically; a failure leaves the collection as it was.
    pub fn apply_import(&mut self, plan: &ImportPlan, now_secs: i64) -> Result<()> {
        self.as_bulk_import(plan.add.len() + plan.update.len(), |collection| {
            let tx = collection.conn_mut().transaction()?;
            write_plan(&tx, plan, now_secs, &mut |_| {})?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Runs an import's transaction with the connection set for bulk writing. Its rows point
    /// only at decks, notes and cards it has just found or written itself, so SQLite's per-row
    /// foreign-key checks are off for it (on again afterwards, whatever happens): they would
    /// also make every multi-row INSERT keep a statement journal. (The setting cannot change
    /// inside a transaction.) The statement journal that remains stays in memory; the page
    /// cache is bounded ([`BULK_CACHE_KIB`]), so the pages of a large import spill to the
    /// file (or the log) before the commit, which a rollback undoes.
    ///
    /// `rows` is about how many rows the import writes. From [`ROLLBACK_JOURNAL_AT`] on, the
    /// transaction is written with a rollback journal instead of the write-ahead log (see
    /// [`Collection::enter_rollback_journal`]).
    pub(crate) fn as_bulk_import<T>(
        &mut self,
        rows: usize,
        write: impl FnOnce(&mut Collection) -> Result<T>,
    ) -> Result<T> {
        self.as_large_write(rows, |collection| {
            collection
                .conn()
                .pragma_update(None, "foreign_keys", false)?;
            let written = write(collection);
            let restored = collection
                .conn()
                .pragma_update(None, "foreign_keys", true)
                .and(
                    collection
                        .conn()
                        .pragma_update(None, "ignore_check_constraints", false),
                );
            let written = written?;
            restored?;
            Ok(written)
        })
    }

    /// Runs a transaction that writes about `rows` rows with a larger page cache (so pages
    /// written many times spill to the file once) and, from [`ROLLBACK_JOURNAL_AT`] rows on,
    /// a rollback journal instead of the write-ahead log (see
    /// [`Collection::enter_rollback_journal`]). A large merge of sync events runs so as
    /// well as a large import.
    pub fn as_large_write<T>(
        &mut self,
        rows: usize,
        write: impl FnOnce(&mut Collection) -> Result<T>,
    ) -> Result<T> {
        let journal = rows >= ROLLBACK_JOURNAL_AT && self.enter_rollback_journal()?;
        let written = self.bulk_settings().and_then(|()| write(self));
        if journal {
            self.leave_rollback_journal();
        }
        written
    }

    fn bulk_settings(&self) -> Result<()> {
        self.conn().pragma_update(None, "temp_store", "MEMORY")?;
        self.conn()
            .pragma_update(None, "cache_size", -BULK_CACHE_KIB)?;
        Ok(())
    }

    /// Switches from the write-ahead log to a rollback journal for one large transaction;
    /// returns whether it did. In WAL mode every page is written twice, to the log at the
    /// commit and from there to the database by the checkpoint that follows; with a rollback
    /// journal a new page is written once, and only the pages that held data before are
    /// copied to the journal first. `synchronous = FULL` meanwhile keeps a power cut from
    /// damaging the file, as WAL with NORMAL does. The switch needs the collection to itself:
    /// when another connection has it open, SQLite refuses at once, and the import keeps the
    /// log.
    fn enter_rollback_journal(&mut self) -> Result<bool> {
        if self.path() == std::path::Path::new(":memory:") {
            return Ok(false);
        }
        let mode = self
            .conn()
            .query_row("PRAGMA journal_mode = DELETE", [], |r| {
                r.get::<_, String>(0)
            });
        match mode {
            Ok(mode) if mode.eq_ignore_ascii_case("delete") => {
                if let Err(e) = self.conn().pragma_update(None, "synchronous", "FULL") {
                    self.leave_rollback_journal();
                    return Err(e.into());
                }
                Ok(true)
            }
            Ok(_) => Ok(false),
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Back to the write-ahead log after [`Collection::enter_rollback_journal`]. When another
    /// process opened the collection meanwhile and still reads it, SQLite refuses; then the
    /// import stands as written, this connection keeps the journal and FULL, and the next
    /// open of the collection (which always asks for WAL) switches back.
    fn leave_rollback_journal(&mut self) {
        let wal = self
            .conn()
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get::<_, String>(0))
            .is_ok_and(|mode| mode.eq_ignore_ascii_case("wal"));
        if wal {
            // Ignored on failure: FULL, the stricter setting, stays.
            let _ = self.conn().pragma_update(None, "synchronous", "NORMAL");
        }
    }
}

/// SQLite's page cache during an import, in KiB. Bounded, so that a large import's pages
/// spill to the file (after the journal saved what they held) instead of all staying in
/// memory until the commit: a short-row CSV file of 17 MB makes 100 MB of pages. It also
/// bounds the sorter that builds the key index again (its runs are at most this size).
const BULK_CACHE_KIB: i64 = 16 * 1024;

/// The smallest import, in rows written, that is written with a rollback journal.
const ROLLBACK_JOURNAL_AT: usize = 10_000;

/// The index that keeps a note's key unique in its deck, exactly as `schema.sql` creates it.
const KEY_INDEX: &str = "CREATE UNIQUE INDEX notes_deck_key ON notes(deck_id, key)";

/// The smallest streamed import that drops the key index and builds it again after.
const REBUILD_KEY_INDEX_AT: usize = 10_000;

/// An import written while its file is still being read (see [`Collection::import_streaming`]):
/// the notes of decks that held none are written batch by batch as they come.
pub struct NoteStream<'t> {
    tx: &'t Transaction<'t>,
    writer: NoteWriter<'t>,
    now_secs: i64,
    /// The id of the first streamed note.
    first_id: i64,
    next_id: i64,
    /// The decks that held notes when the import began.
    filled: HashSet<i64>,
    /// Decks met so far: `Some(id)` when their notes are written as they come (the deck held
    /// no notes when the import began, so every note of the file is new to it), `None` when
    /// they must be compared with stored notes, after the whole file is read.
    decks: HashMap<String, Option<i64>>,
    added: usize,
    /// Whether `notes_deck_key` is dropped until the notes are written.
    key_index_dropped: bool,
    /// Whether the notes' CHECK constraints are skipped (see [`NoteStream::write`]).
    checks_skipped: bool,
    /// Set once the stream wrote anything but vocab notes: the checks stay on from then on.
    checks_kept: bool,
}

impl<'t> NoteStream<'t> {
    /// `expected` is about how many notes the file holds. When they outnumber the notes
    /// stored (the largest note id bounds their count), the key index is dropped and built
    /// again once they are written: one sorted pass over every key costs much less than
    /// inserting each new key where it belongs, in the file's order. The streamed decks held
    /// no notes and the reader refuses a key repeated in a deck, so no duplicate can slip in
    /// meanwhile, and the index is back before any note is looked up by its key.
    fn new(tx: &'t Transaction<'t>, now_secs: i64, expected: usize) -> Result<NoteStream<'t>> {
        let last_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM notes", [], |r| r.get(0))?;
        // Read while the key index, whose first column is the deck, can answer it.
        let filled = tx
            .prepare(
                "SELECT id FROM decks WHERE EXISTS (SELECT 1 FROM notes WHERE deck_id = decks.id)",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<HashSet<i64>>>()?;
        let key_index_dropped = expected >= REBUILD_KEY_INDEX_AT
            && i64::try_from(expected).unwrap_or(i64::MAX) >= last_id;
        if key_index_dropped {
            tx.execute_batch("DROP INDEX notes_deck_key")?;
        }
        Ok(NoteStream {
            tx,
            // Prepared after the schema change, which would make SQLite prepare it again.
            writer: NoteWriter::prepare(tx)?,
            now_secs,
            first_id: last_id + 1,
            next_id: last_id + 1,
            filled,
            decks: HashMap::new(),
            added: 0,
            key_index_dropped,
            checks_skipped: false,
            checks_kept: false,
        })
    }

    /// Skips SQLite's CHECK constraints for the statements run from now on, or runs them
    /// again (for good: see [`NoteStream::write`]). Changing the setting makes SQLite prepare
    /// its statements again, so it changes at most twice per import.
    fn skip_checks(&mut self, skip: bool) -> Result<()> {
        let skip = skip && !self.checks_kept;
        self.checks_kept |= !skip;
        if skip != self.checks_skipped {
            self.tx
                .pragma_update(None, "ignore_check_constraints", skip)?;
            self.checks_skipped = skip;
        }
        Ok(())
    }

    /// Builds the key index again if it was dropped.
    fn restore_key_index(&mut self) -> Result<()> {
        if self.key_index_dropped {
            // With temporary files in memory SQLite's sorter allocates every record on its
            // own and never spills; with files it packs the records into one growing
            // buffer (5% off the import), and only a sort larger than the page cache spills to
            // a temporary file, where it may take a second thread: the reader is done by now.
            self.tx.pragma_update(None, "temp_store", "FILE")?;
            self.tx.pragma_update(None, "threads", 2)?;
            self.tx.execute_batch(KEY_INDEX)?;
            self.tx.pragma_update(None, "threads", 0)?;
            self.tx.pragma_update(None, "temp_store", "MEMORY")?;
            self.key_index_dropped = false;
        }
        Ok(())
    }

    /// Whether the notes of `deck` can be written as they come, creating the deck when it
    /// does not exist: true when it holds no notes yet. A deck that holds notes must be
    /// planned against them (`deck::plan::plan`) once the file is read.
    pub fn accepts(&mut self, deck: &str) -> Result<bool> {
        if let Some(state) = self.decks.get(deck) {
            return Ok(state.is_some());
        }
        let found: Option<i64> = self
            .tx
            .query_row("SELECT id FROM decks WHERE name = ?1", [deck], |r| r.get(0))
            .optional()?;
        let state = match found {
            Some(id) if self.filled.contains(&id) => None,
            Some(id) => Some(id),
            None => {
                self.tx.execute(
                    "INSERT INTO decks (name, description, created_at) VALUES (?1, '', ?2)",
                    params![deck, self.now_secs],
                )?;
                Some(self.tx.last_insert_rowid())
            }
        };
        self.decks.insert(deck.to_string(), state);
        Ok(state.is_some())
    }

    /// Writes notes of a deck that [`NoteStream::accepts`] them, in order, with the next ids.
    pub fn write<'n>(
        &mut self,
        deck: &str,
        notes: impl Iterator<Item = &'n NoteFields>,
    ) -> Result<()> {
        let deck_id = self.decks.get(deck).copied().flatten().ok_or_else(|| {
            Error::failed(format!(
                "the notes of deck '{deck}' cannot be written as they come"
            ))
        })?;
        let first_id = self.next_id;
        let rows: Vec<NoteRow> = notes
            .enumerate()
            .map(|(i, fields)| NoteRow {
                id: first_id + i as i64,
                deck_id,
                fields,
            })
            .collect();
        // The notes table's CHECK constraints tie `cards`, `card_span` and `fresh` together;
        // for a vocab note the writer stores the table's defaults or, for a forward card only,
        // 1, 1 and 1, which meet them. Evaluating them for every row was 4% of a large CSV
        // import's instructions (callgrind), all on this thread, so they are skipped while
        // only vocab notes are written (as the foreign keys are, see `as_bulk_import`); any
        // other note (its cards and note type come from a file) turns them on for the rest of
        // the import.
        self.skip_checks(rows.iter().all(|row| row.fields.rich.is_none()))?;
        self.writer.insert(&rows, self.now_secs)?;
        let count = rows.len();
        self.next_id += count as i64;
        self.added += count;
        Ok(())
    }

    /// How many notes [`NoteStream::write`] wrote.
    pub fn added(&self) -> usize {
        self.added
    }

    /// The id the next note [`NoteStream::write`] writes gets (the next ones follow).
    pub fn next_id(&self) -> i64 {
        self.next_id
    }

    /// Merges the history of a card of `note_id`, a note [`NoteStream::write`] wrote.
    pub fn write_history(
        &mut self,
        note_id: i64,
        history: &CardHistory,
        config: &Config,
        merge: Merge,
    ) -> Result<MergeCounts> {
        self.skip_checks(false)?;
        super::revlog::write_history(self.tx, note_id, true, history, config, merge)
    }

    /// Merges the histories of the notes of `plan` (written by [`NoteStream::apply`], which
    /// returned `added`); each history's `note` is its note's index in the plan's input.
    pub fn write_planned_histories(
        &mut self,
        plan: &ImportPlan,
        added: &[i64],
        histories: &[CardHistory],
        config: &Config,
        merge: Merge,
    ) -> Result<HistoryReport> {
        self.skip_checks(false)?;
        super::revlog::write_histories(self.tx, plan, added, histories, config, merge, &mut |_| {})
    }

    /// Hands `each` the key of every note [`NoteStream::write`] wrote into `deck`, in the
    /// order they were written, read back from the transaction (a dry run lists them so
    /// rather than keeping them).
    pub fn for_each_written_key(
        &self,
        deck: &str,
        each: &mut dyn FnMut(&str) -> Result<()>,
    ) -> Result<()> {
        let Some(Some(deck_id)) = self.decks.get(deck) else {
            return Ok(());
        };
        // `+deck_id`: along the new ids, not through the key index (which may be dropped).
        let mut stmt = self
            .tx
            .prepare("SELECT key FROM notes WHERE id >= ?1 AND +deck_id = ?2 ORDER BY id")?;
        let mut rows = stmt.query(params![self.first_id, deck_id])?;
        while let Some(row) = rows.next()? {
            let key = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
            each(key)?;
        }
        Ok(())
    }

    /// The stored notes of the named decks, as the plan compares them. Call it once every
    /// streamed note is written: the key index is built again first.
    pub fn existing_notes(&mut self, deck_names: &[&str]) -> Result<Existing> {
        self.restore_key_index()?;
        existing_notes(self.tx, deck_names)
    }

    /// Writes the plan made for the decks that held notes; returns the ids of its added notes.
    pub fn apply(&mut self, plan: &ImportPlan, progress: &mut dyn FnMut(u64)) -> Result<Vec<i64>> {
        self.skip_checks(false)?;
        self.restore_key_index()?;
        write_plan(self.tx, plan, self.now_secs, progress)
    }
}

impl Collection {
    /// Runs `body` with a [`NoteStream`] inside one transaction with the bulk settings: all
    /// of it is committed when `body` succeeds, none of it when `body` fails: pages that spill
    /// from the bounded cache before the commit are rolled back with the rest, so a file
    /// found bad half way leaves the collection as it was. `expected` is about how many
    /// notes will come (it only decides how the key index is kept up to date).
    pub fn import_streaming<T>(
        &mut self,
        now_secs: i64,
        expected: usize,
        body: impl FnOnce(&mut NoteStream) -> Result<T>,
    ) -> Result<T> {
        self.stream_import(now_secs, expected, true, body)
    }

    /// [`Collection::import_streaming`] for a dry run: the same writes, rolled back at the
    /// end whatever happens, so that what is found is counted and listed as the import would
    /// find it without the notes all held in memory. It keeps the write-ahead log (pages the
    /// bounded cache spills go to the log, uncommitted, which no reader sees and no
    /// checkpoint copies), so the collection file is left as it was, byte for byte.
    pub fn dry_run_streaming<T>(
        &mut self,
        now_secs: i64,
        expected: usize,
        body: impl FnOnce(&mut NoteStream) -> Result<T>,
    ) -> Result<T> {
        self.stream_import(now_secs, expected, false, body)
    }

    fn stream_import<T>(
        &mut self,
        now_secs: i64,
        expected: usize,
        commit: bool,
        body: impl FnOnce(&mut NoteStream) -> Result<T>,
    ) -> Result<T> {
        // A dry run writes no row that stays: below the rollback journal's threshold.
        let rows = if commit { expected } else { 0 };
        self.as_bulk_import(rows, |collection| {
            let tx = collection.conn_mut().transaction()?;
            let result = {
                let mut stream = NoteStream::new(&tx, now_secs, expected)?;
                let result = body(&mut stream)?;
                if commit {
                    stream.restore_key_index()?;
                }
                result
            };
            if commit {
                tx.commit()?;
            } else {
                tx.rollback()?;
            }
            Ok(result)
        })
    }
}

/// Notes written between two progress reports.
const PROGRESS_EVERY: usize = 1024;

/// Writes a plan inside the caller's transaction; returns the ids of the added notes, in the
/// order of [`ImportPlan::add`]. `progress` is told how many notes were written so far.
pub(crate) fn write_plan(
    tx: &Transaction,
    plan: &ImportPlan,
    now_secs: i64,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<i64>> {
    let mut deck_ids: HashMap<&str, i64> = HashMap::new();
    {
        let mut find = tx.prepare("SELECT id, description FROM decks WHERE name = ?1")?;
        let mut create =
            tx.prepare("INSERT INTO decks (name, description, created_at) VALUES (?1, ?2, ?3)")?;
        let mut describe = tx.prepare("UPDATE decks SET description = ?1 WHERE id = ?2")?;
        for (name, description) in &plan.decks {
            let found: Option<(i64, String)> =
                match find.query_row([name], |r| Ok((r.get(0)?, r.get(1)?))) {
                    Ok(row) => Some(row),
                    Err(rusqlite::Error::QueryReturnedNoRows) => None,
                    Err(e) => return Err(e.into()),
                };
            let id = match found {
                Some((id, current)) => {
                    if let Some(text) = description.as_ref().filter(|d| **d != current) {
                        describe.execute(params![text, id])?;
                    }
                    id
                }
                None => {
                    create.execute(params![
                        name,
                        description.clone().unwrap_or_default(),
                        now_secs
                    ])?;
                    tx.last_insert_rowid()
                }
            };
            deck_ids.insert(name.as_str(), id);
        }
    }
    let mut added = Vec::with_capacity(plan.add.len());
    {
        // Notes only: their cards get rows when first answered (see schema.sql). Many rows per
        // statement, because at this size the cost of running a statement, not of storing a
        // row, dominates. The ids are planned, following the largest one in use (SQLite gives
        // the same ones, and the writer checks), so the cards' ids (note id * 64 + ordinal)
        // are known without asking.
        let last_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM notes", [], |r| r.get(0))?;
        let mut writer = NoteWriter::prepare(tx)?;
        let mut next_id = last_id + 1;
        for chunk in plan.add.chunks(PROGRESS_EVERY) {
            let rows = chunk
                .iter()
                .enumerate()
                .map(|(i, (deck, fields))| {
                    let deck_id = deck_ids.get(deck.as_str()).copied().ok_or_else(|| {
                        Error::failed(format!("the import plan lists no deck '{deck}'"))
                    })?;
                    Ok(NoteRow {
                        id: next_id + i as i64,
                        deck_id,
                        fields,
                    })
                })
                .collect::<Result<Vec<NoteRow>>>()?;
            writer.insert(&rows, now_secs)?;
            added.extend(next_id..next_id + chunk.len() as i64);
            next_id += chunk.len() as i64;
            progress(added.len() as u64);
        }
        for (id, fields) in &plan.update {
            super::notes::write_note_fields(tx, *id, fields, now_secs)?;
        }
    }
    progress(added.len() as u64);
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(collection: &Collection) -> (String, i64) {
        let conn = collection.conn();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        let sync: i64 = conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .unwrap();
        (mode, sync)
    }

    /// (journal mode, synchronous) inside an import's transaction of `rows` rows, and after.
    fn during_and_after(
        collection: &mut Collection,
        rows: usize,
        fail: bool,
    ) -> [(String, i64); 2] {
        let mut during = None;
        let result = collection.as_bulk_import(rows, |c| {
            during = Some(settings(c));
            let tx = c.conn_mut().transaction()?;
            tx.execute(
                "INSERT INTO decks (name, description, created_at) VALUES ('Bulk', '', 0)",
                [],
            )?;
            if fail {
                return Err(Error::failed("the file was bad"));
            }
            tx.commit()?;
            Ok(())
        });
        assert_eq!(result.is_err(), fail);
        [during.unwrap(), settings(collection)]
    }

    fn deck_count(collection: &Collection) -> i64 {
        collection
            .conn()
            .query_row("SELECT count(*) FROM decks WHERE name = 'Bulk'", [], |r| {
                r.get(0)
            })
            .unwrap()
    }

    fn vocab(n: usize, forward_only: bool) -> NoteFields {
        NoteFields {
            key: format!("k{n}"),
            term: format!("t{n}"),
            definition: format!("d{n}"),
            forward_only,
            ..NoteFields::default()
        }
    }

    fn basic(n: usize) -> NoteFields {
        use crate::notes::{Kind, NoteType};
        NoteFields {
            rich: Some(Box::new(crate::model::RichFields {
                notetype: std::sync::Arc::new(crate::model::NoteTypeInput {
                    notetype: NoteType::stock(Kind::Basic),
                    anki_id: None,
                    extra: String::new(),
                }),
                values: vec![format!("t{n}"), format!("d{n}")],
                cards: 1,
            })),
            ..vocab(n, false)
        }
    }

    fn checks_ignored(conn: &rusqlite::Connection) -> bool {
        conn.query_row("PRAGMA ignore_check_constraints", [], |r| r.get(0))
            .unwrap()
    }

    /// A note whose cards break the table's CHECK constraints, written straight to `conn`.
    fn write_broken_note(conn: &rusqlite::Connection) -> rusqlite::Result<usize> {
        conn.execute(
            "INSERT INTO notes (deck_id, key, term, definition, created_at, modified_at,
                                cards, card_span, fresh)
             VALUES ((SELECT min(id) FROM decks), 'broken', 'b', 'b', 0, 0, 0, 1, 0)",
            [],
        )
    }

    #[test]
    fn streamed_vocab_notes_skip_the_checks_they_meet_and_the_checks_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut collection = Collection::open(&dir.path().join("c.sqlite")).unwrap();
        let notes: Vec<NoteFields> = (0..40).map(|n| vocab(n, n % 3 == 0)).collect();
        collection
            .import_streaming(0, notes.len(), |stream| {
                assert!(stream.accepts("D")?);
                stream.write("D", notes.iter())?;
                assert!(
                    checks_ignored(stream.tx),
                    "skipped while vocab notes are written"
                );
                Ok(())
            })
            .unwrap();
        assert!(
            !checks_ignored(collection.conn()),
            "on again after the import"
        );
        // What was written meets every constraint (SQLite's integrity check runs the CHECKs).
        assert_eq!(collection.integrity_check().unwrap(), Vec::<String>::new());
        let shapes: Vec<(i64, i64, i64, i64)> = collection
            .conn()
            .prepare("SELECT cards, card_span, fresh, count(*) FROM notes GROUP BY 1, 2, 3")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(shapes, [(1, 1, 1, 14), (3, 2, 3, 26)]);
        let err = write_broken_note(collection.conn())
            .unwrap_err()
            .to_string();
        assert!(err.contains("CHECK constraint failed"), "{err}");
        // A failed import turns them on again too.
        let failed = collection.import_streaming(0, 1, |stream| {
            stream.accepts("E")?;
            stream.write("E", notes[..1].iter())?;
            Err::<(), _>(Error::failed("the file was bad"))
        });
        assert!(failed.is_err());
        assert!(!checks_ignored(collection.conn()));
    }

    #[test]
    fn a_note_of_another_type_keeps_the_checks_on_for_the_rest_of_the_import() {
        let mut collection = Collection::open_in_memory().unwrap();
        let plain: Vec<NoteFields> = (0..3).map(|n| vocab(n, false)).collect();
        let rich: Vec<NoteFields> = (3..5).map(basic).collect();
        let more: Vec<NoteFields> = (5..8).map(|n| vocab(n, false)).collect();
        collection
            .import_streaming(0, 8, |stream| {
                stream.accepts("D")?;
                stream.write("D", plain.iter())?;
                assert!(checks_ignored(stream.tx));
                stream.write("D", rich.iter())?;
                assert!(
                    !checks_ignored(stream.tx),
                    "a basic note's cards are checked"
                );
                stream.write("D", more.iter())?;
                assert!(!checks_ignored(stream.tx), "and every note's after it");
                let err = write_broken_note(stream.tx).unwrap_err().to_string();
                assert!(err.contains("CHECK constraint failed"), "{err}");
                Ok(())
            })
            .unwrap();
        assert_eq!(collection.integrity_check().unwrap(), Vec::<String>::new());
        let count: i64 = collection
            .conn()
            .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(count, 8);
    }

    #[test]
    fn a_large_import_is_written_with_a_rollback_journal_and_the_log_comes_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let mut collection = Collection::open(&path).unwrap();
        let wal = ("wal".to_string(), 1);
        // Below the threshold: the log stays.
        assert_eq!(
            during_and_after(&mut collection, ROLLBACK_JOURNAL_AT - 1, true),
            [wal.clone(), wal.clone()]
        );
        // A large one that fails: rolled back, and the log is back.
        assert_eq!(
            during_and_after(&mut collection, ROLLBACK_JOURNAL_AT, true),
            [("delete".to_string(), 2), wal.clone()]
        );
        assert_eq!(deck_count(&collection), 0);
        // A large one that succeeds.
        assert_eq!(
            during_and_after(&mut collection, ROLLBACK_JOURNAL_AT, false),
            [("delete".to_string(), 2), wal.clone()]
        );
        assert_eq!(deck_count(&collection), 1);
        assert!(!dir.path().join("c.sqlite-journal").exists());
        drop(collection);
        // The file itself says WAL again.
        let raw = rusqlite::Connection::open(&path).unwrap();
        let mode: String = raw
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
    }

    #[test]
    fn with_another_connection_open_a_large_import_keeps_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let mut collection = Collection::open(&path).unwrap();
        let other = Collection::open(&path).unwrap();
        let wal = ("wal".to_string(), 1);
        assert_eq!(
            during_and_after(&mut collection, ROLLBACK_JOURNAL_AT, false),
            [wal.clone(), wal]
        );
        assert_eq!(deck_count(&other), 1);
    }

    #[test]
    fn a_collection_opens_and_reads_while_a_large_import_holds_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let mut importing = Collection::open(&path).unwrap();
        assert!(importing.enter_rollback_journal().unwrap());
        importing.conn().execute_batch("BEGIN IMMEDIATE").unwrap();
        importing
            .conn()
            .execute(
                "INSERT INTO decks (name, description, created_at) VALUES ('Bulk', '', 0)",
                [],
            )
            .unwrap();
        // It cannot switch the file to WAL now, so it reads with the journal, FULL.
        let reader = Collection::open(&path).unwrap();
        assert_eq!(settings(&reader), ("delete".to_string(), 2));
        assert_eq!(deck_count(&reader), 0);
        drop(reader);
        importing.conn().execute_batch("COMMIT").unwrap();
        importing.leave_rollback_journal();
        assert_eq!(settings(&importing), ("wal".to_string(), 1));
        let reader = Collection::open(&path).unwrap();
        assert_eq!(deck_count(&reader), 1);
    }
}
