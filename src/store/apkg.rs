//! Writing an Anki collection in the legacy schema 11 (`collection.anki2`), which every Anki
//! since 2.0 imports, to a file that `deck::apkg` then zips into a package.

use std::path::Path;

use rusqlite::{Connection, params};

use crate::error::{Error, Result};
use crate::records::anki::AnkiExport;

const SCHEMA_11: &str = "
CREATE TABLE col (
    id integer primary key, crt integer not null, mod integer not null, scm integer not null,
    ver integer not null, dty integer not null, usn integer not null, ls integer not null,
    conf text not null, models text not null, decks text not null, dconf text not null,
    tags text not null
);
CREATE TABLE notes (
    id integer primary key, guid text not null, mid integer not null, mod integer not null,
    usn integer not null, tags text not null, flds text not null, sfld integer not null,
    csum integer not null, flags integer not null, data text not null
);
CREATE TABLE cards (
    id integer primary key, nid integer not null, did integer not null, ord integer not null,
    mod integer not null, usn integer not null, type integer not null, queue integer not null,
    due integer not null, ivl integer not null, factor integer not null, reps integer not null,
    lapses integer not null, left integer not null, odue integer not null, odid integer not null,
    flags integer not null, data text not null
);
CREATE TABLE revlog (
    id integer primary key, cid integer not null, usn integer not null, ease integer not null,
    ivl integer not null, lastIvl integer not null, factor integer not null, time integer not null,
    type integer not null
);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

/// Writes `export` as a new schema 11 collection at `path` (which must not exist yet).
pub fn write_collection(path: &Path, export: &AnkiExport) -> Result<()> {
    let fail = |e: rusqlite::Error| {
        Error::failed(format!(
            "cannot write the Anki collection {}: {e}",
            path.display()
        ))
    };
    let mut conn = Connection::open(path).map_err(fail)?;
    let tx = conn.transaction().map_err(fail)?;
    tx.execute_batch(SCHEMA_11).map_err(fail)?;
    tx.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        params![
            export.crt,
            export.modified_ms,
            export.conf_json,
            export.models_json,
            export.decks_json,
            export.dconf_json
        ],
    )
    .map_err(fail)?;
    {
        let mut note = tx
            .prepare("INSERT INTO notes VALUES (?1, ?2, ?3, ?4, -1, ?5, ?6, ?7, ?8, 0, '')")
            .map_err(fail)?;
        for n in &export.notes {
            note.execute(params![
                n.id,
                n.guid,
                n.notetype_id,
                n.modified,
                n.tags,
                n.fields,
                n.sort_field,
                n.checksum
            ])
            .map_err(fail)?;
        }
        let mut card = tx
            .prepare(
                "INSERT INTO cards VALUES (?1, ?2, ?3, ?4, ?5, -1, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, 0, 0, ?14)",
            )
            .map_err(fail)?;
        for c in &export.cards {
            card.execute(params![
                c.id, c.note_id, c.deck_id, c.ord, c.modified, c.kind, c.queue, c.due, c.interval,
                c.factor, c.reps, c.lapses, c.left, c.data
            ])
            .map_err(fail)?;
        }
        let mut review = tx
            .prepare("INSERT INTO revlog VALUES (?1, ?2, -1, ?3, ?4, ?5, ?6, ?7, ?8)")
            .map_err(fail)?;
        for r in &export.revlog {
            review
                .execute(params![
                    r.id,
                    r.card_id,
                    r.ease,
                    r.interval,
                    r.last_interval,
                    r.factor,
                    r.time_ms,
                    r.kind
                ])
                .map_err(fail)?;
        }
    }
    tx.commit().map_err(fail)?;
    Ok(())
}
