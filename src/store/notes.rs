//! Notes: reading, searching and editing vocabulary entries.

use rusqlite::{Row, params};

use super::{Collection, decode_json_list, encode_json_list_text};
use crate::error::{Error, Result};
use crate::model::{Card, Note, NoteFields};

pub(crate) const NOTE_COLUMNS: &str = "n.id, n.deck_id, d.name, n.key, n.guid, n.term, n.definition, n.example, \
     n.aliases, n.tags, n.related, n.source, n.notetype_id, n.fields, n.cards";

/// How many columns [`NOTE_COLUMNS`] names.
pub(crate) const NOTE_COLUMN_COUNT: usize = 15;

pub(crate) fn note_from_row(row: &Row, at: usize) -> rusqlite::Result<Note> {
    let id: i64 = row.get(at)?;
    let deck: String = row.get(at + 2)?;
    let key: String = row.get(at + 3)?;
    let list = |offset: usize, column: &str| -> rusqlite::Result<Vec<String>> {
        let text = row.get_ref(at + offset)?.as_str()?;
        decode_json_list(text)
            .ok_or_else(|| super::unreadable(at + offset, not_a_list(column, id, &deck, &key)))
    };
    let aliases = list(8, "aliases")?;
    let tags = list(9, "tags")?;
    let related = list(10, "related")?;
    let values = match row.get_ref(at + 13)?.as_str_or_null()? {
        None => vec![],
        Some(text) => decode_json_list(text)
            .ok_or_else(|| super::unreadable(at + 13, not_a_list("fields", id, &deck, &key)))?,
    };
    let rich = rich_of(row.get(at + 12)?, &values, row.get(at + 14)?);
    Ok(Note {
        notetype_id: row.get(at + 12)?,
        values,
        id,
        deck_id: row.get(at + 1)?,
        fields: NoteFields {
            guid: row.get(at + 4)?,
            term: row.get(at + 5)?,
            definition: row.get(at + 6)?,
            example: row.get(at + 7)?,
            aliases,
            tags,
            related,
            source: row.get(at + 11)?,
            key,
            rich,
            forward_only: row.get::<_, i64>(at + 12)? == crate::model::VOCAB_NOTETYPE
                && row.get::<_, i64>(at + 14)? == 1,
            cards_from_file: false,
        },
        deck,
    })
}

/// SQL for how many cards note `n` has: the bits set in `n.cards` (a vocab note's two, or one,
/// without a lookup).
pub(crate) const CARD_COUNT_SQL: &str = "CASE n.cards WHEN 3 THEN 2 WHEN 1 THEN 1 ELSE \
     (SELECT count(*) FROM card_ords o WHERE o.ord < n.card_span AND (n.cards >> o.ord) & 1 = 1) END";

/// SQL for the name of card `ord` (an SQL expression) of a note whose type is the row `t` of
/// `notetypes`: the template's name (vocab's are `forward` and `reverse`), or `c1`, `c2`...
/// for a cloze note's cards.
pub(crate) fn template_name_sql(ord: &str) -> String {
    format!(
        "CASE WHEN t.kind = 'cloze' THEN 'c' || ({ord} + 1) \
         ELSE coalesce(json_extract(t.templates, '$[' || ({ord}) || '].name'), 'card ' || ({ord} + 1)) END"
    )
}

/// A stored note's fields and cards as an import compares them with an incoming note's (its
/// type is named by its id alone: a note keeps the type it was first stored with).
fn rich_of(
    notetype_id: i64,
    values: &[String],
    cards: i64,
) -> Option<Box<crate::model::RichFields>> {
    (notetype_id != crate::model::VOCAB_NOTETYPE).then(|| {
        Box::new(crate::model::RichFields {
            notetype: std::sync::Arc::new(crate::model::NoteTypeInput {
                notetype: crate::notes::NoteType::stock(crate::notes::Kind::Anki),
                anki_id: None,
                extra: format!("{{\"stored\":{notetype_id}}}"),
            }),
            values: values.to_vec(),
            // The 64 bits of the mask, as stored.
            cards: cards as u64,
        })
    })
}

/// The sentence for a note whose list column holds something other than a JSON list of
/// strings: what reading the note fails with, and what `check` reports.
fn not_a_list(column: &str, id: i64, deck: &str, key: &str) -> String {
    format!("the {column} of note {id} ({deck}/{key}) are not a JSON list of strings")
}

/// A card with its note, its note type's kind and name and its template's name, as `jargon
/// cards` lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedCard {
    pub card: Card,
    pub note: Note,
    /// `vocab`, `basic`, `basic-reversed`, `basic-optional-reversed`, `typed`, `cloze`, or
    /// `anki` (any other Anki type).
    pub note_kind: String,
    /// The type's own name (`vocab`, Anki's name).
    pub note_type: String,
    pub template: String,
}

/// A filter for listing cards with their notes.
#[derive(Debug, Clone, Default)]
pub struct CardFilter {
    pub deck_ids: Option<Vec<i64>>,
    /// Only cards due on or before this day.
    pub due_by: Option<i64>,
    /// Case-insensitive text found in the term, definition, aliases or tags.
    pub search: Option<String>,
    pub suspended_only: bool,
    pub limit: Option<u32>,
}

impl Collection {
    pub fn note(&self, note_id: i64) -> Result<Note> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM notes n JOIN decks d ON d.id = n.deck_id WHERE n.id = ?1"
        );
        self.conn()
            .query_row(&sql, [note_id], |row| note_from_row(row, 0))
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => {
                    Error::failed(format!("there is no note {note_id}"))
                }
                other => other.into(),
            })
    }

    /// Notes with this key, in any deck (a key is unique within its deck). One look-up per
    /// deck in the (deck, key) index: decks are few, and a key-only index would cost every
    /// import a second index on the notes.
    pub fn notes_with_key(&self, key: &str) -> Result<Vec<Note>> {
        let sql = format!(
            "SELECT {NOTE_COLUMNS} FROM decks d CROSS JOIN notes n ON n.deck_id = d.id AND n.key = ?1 ORDER BY n.id"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([key], |row| note_from_row(row, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The note a `related` key of `from` points at: the one in `from`'s own deck when there
    /// is one, otherwise the first deck that has the key.
    pub fn resolve_related(&self, from: &Note, key: &str) -> Result<Option<Note>> {
        let mut found = self.notes_with_key(key)?;
        Ok(match found.iter().position(|n| n.deck_id == from.deck_id) {
            Some(i) => Some(found.swap_remove(i)),
            None => found.into_iter().next(),
        })
    }

    /// Finds one note by `deck/key`, a bare key, or its numeric id.
    pub fn find_note(&self, reference: &str) -> Result<Note> {
        if let Ok(id) = reference.parse::<i64>() {
            return self.note(id);
        }
        let (deck, key) = match reference.rsplit_once('/') {
            Some((deck, key)) => (Some(deck), key),
            None => (None, reference),
        };
        let matches: Vec<Note> = self
            .notes_with_key(key)?
            .into_iter()
            .filter(|n| deck.is_none_or(|d| n.deck == d))
            .collect();
        match matches.len() {
            0 => Err(Error::failed(format!(
                "no note has the key '{reference}' (see `jargon cards`)"
            ))),
            1 => Ok(matches
                .into_iter()
                .next()
                .ok_or_else(|| Error::failed("no note"))?),
            _ => {
                let decks: Vec<String> = matches
                    .iter()
                    .map(|n| format!("{}/{}", n.deck, key))
                    .collect();
                Err(Error::usage(format!(
                    "the key '{key}' is in several decks; name one of {}",
                    decks.join(", ")
                )))
            }
        }
    }

    /// Replaces a note's fields (not its key or deck); its cards and their history stay. A
    /// note of another type than vocab takes `fields` as [`crate::notes::edit::rich_update`]
    /// says (its field values, or its term and definition as text into its first two fields)
    /// and gains the cards its new values make. Returns the bits of the cards added.
    pub fn update_note(&self, note_id: i64, fields: &NoteFields, now_secs: i64) -> Result<u64> {
        let tx = self.conn().unchecked_transaction()?;
        let stored = self.note(note_id)?;
        let fields = if stored.notetype_id == crate::model::VOCAB_NOTETYPE {
            if fields.rich.is_some() {
                return Err(Error::failed(format!(
                    "{}/{} is a vocab note; it has no fields of another note type",
                    stored.deck, stored.fields.key
                )));
            }
            std::borrow::Cow::Borrowed(fields)
        } else {
            let notetype = self.notetype(stored.notetype_id)?.notetype;
            std::borrow::Cow::Owned(crate::notes::edit::rich_update(&notetype, &stored, fields))
        };
        write_note_fields(&tx, note_id, &fields, now_secs)?;
        tx.commit()?;
        Ok(fields.card_mask() & !stored.fields.card_mask())
    }

    /// Every answer form of every note, the term and then each alias, as (note id, text):
    /// what the review's typed-answer lexicon is built from. One pass over the notes; the
    /// aliases are parsed only where there are some.
    pub fn each_answer_form(&self, mut visit: impl FnMut(i64, &str)) -> Result<()> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, term, aliases FROM notes ORDER BY id")?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let text = |i: usize| -> rusqlite::Result<&str> { Ok(row.get_ref(i)?.as_str()?) };
            visit(id, text(1)?);
            let aliases = text(2)?;
            if aliases != "[]" {
                let aliases = decode_json_list(aliases).ok_or_else(|| {
                    super::unreadable(
                        2,
                        format!("the aliases of note {id} are not a JSON list of strings"),
                    )
                })?;
                for alias in aliases {
                    visit(id, &alias);
                }
            }
        }
        Ok(())
    }

    /// Notes whose aliases, tags, related keys or fields are not a JSON list of strings, one
    /// sentence each (for `jargon check`): reading such a note fails, so it is a problem.
    pub fn notes_with_unreadable_lists(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare(
            "SELECT n.id, d.name, n.key, n.aliases, n.tags, n.related, n.fields
             FROM notes n JOIN decks d ON d.id = n.deck_id ORDER BY n.id",
        )?;
        let mut rows = stmt.query([])?;
        let mut problems = vec![];
        while let Some(row) = rows.next()? {
            for (at, column) in [(3, "aliases"), (4, "tags"), (5, "related"), (6, "fields")] {
                // A value that is not even text is as unreadable as text that is not a list;
                // a vocab note has no fields list (NULL).
                let value = row.get_ref(at)?;
                let readable = match value.as_str() {
                    Ok(text) => decode_json_list(text).is_some(),
                    Err(_) => column == "fields" && value == rusqlite::types::ValueRef::Null,
                };
                if !readable {
                    let (id, deck, key): (i64, String, String) =
                        (row.get(0)?, row.get(1)?, row.get(2)?);
                    problems.push(not_a_list(column, id, &deck, &key));
                }
            }
        }
        Ok(problems)
    }

    /// Calls `each` with the fields (their HTML, as written) of every note of a type other
    /// than vocab, one note at a time in id order: the text whose media references `jargon
    /// check` compares with the media folder. A note whose fields are not a JSON list of
    /// strings is passed over ([`Collection::notes_with_unreadable_lists`] reports it).
    pub fn for_each_rich_fields(&self, mut each: impl FnMut(&[String])) -> Result<()> {
        let mut stmt = self.conn().prepare(
            "SELECT fields FROM notes WHERE notetype_id != ?1 AND fields IS NOT NULL ORDER BY id",
        )?;
        let mut rows = stmt.query([crate::model::VOCAB_NOTETYPE])?;
        while let Some(row) = rows.next()? {
            if let Some(values) = row.get_ref(0)?.as_str().ok().and_then(decode_json_list) {
                each(&values);
            }
        }
        Ok(())
    }

    /// Cards with their notes, for `jargon cards`.
    pub fn list_cards(&self, filter: &CardFilter) -> Result<Vec<ListedCard>> {
        let mut sql = format!(
            "SELECT {}, {NOTE_COLUMNS}, t.kind, t.name, {} FROM cards c JOIN notes n ON n.id = c.note_id
             JOIN decks d ON d.id = n.deck_id JOIN notetypes t ON t.id = n.notetype_id WHERE 1 = 1",
            super::cards::CARD_COLUMNS,
            template_name_sql("c.ord")
        );
        let mut args: Vec<rusqlite::types::Value> = vec![];
        if let Some(ids) = &filter.deck_ids {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            sql.push_str(&format!(" AND n.deck_id IN ({})", list.join(",")));
        }
        if let Some(day) = filter.due_by {
            sql.push_str(" AND c.phase IN ('learning', 'relearning', 'review') AND c.suspended = 0 AND c.due_day <= ?");
            args.push(day.into());
        }
        if filter.suspended_only {
            sql.push_str(" AND c.suspended = 1");
        }
        if let Some(text) = &filter.search {
            let pattern = format!(
                "%{}%",
                text.replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            sql.push_str(
                " AND (n.term LIKE ? ESCAPE '\\' OR n.definition LIKE ? ESCAPE '\\' OR n.aliases LIKE ? ESCAPE '\\'
                   OR n.tags LIKE ? ESCAPE '\\' OR n.key LIKE ? ESCAPE '\\')",
            );
            for _ in 0..5 {
                args.push(pattern.clone().into());
            }
        }
        sql.push_str(" ORDER BY d.name, n.id, c.ord");
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(args), |row| {
            let at = super::cards::CARD_COLUMN_COUNT + NOTE_COLUMN_COUNT;
            Ok(ListedCard {
                card: super::cards::card_from_row(row, 0)?,
                note: note_from_row(row, super::cards::CARD_COLUMN_COUNT)?,
                note_kind: row.get(at)?,
                note_type: row.get(at + 1)?,
                template: row.get(at + 2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// The one statement that rewrites a note's fields, for edits and imports alike.
pub(crate) fn write_note_fields(
    conn: &rusqlite::Connection,
    note_id: i64,
    fields: &NoteFields,
    now_secs: i64,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE notes SET guid = ?1, term = ?2, definition = ?3, example = ?4, aliases = ?5, tags = ?6,
             related = ?7, source = ?8, modified_at = ?9,
             fields = coalesce(?11, fields),
             fresh = fresh | (?12 & ~cards), cards = cards | ?12, card_span = max(card_span, ?13)
         WHERE id = ?10",
    )?
    .execute(params![
        fields.guid,
        fields.term,
        fields.definition,
        fields.example,
        encode_json_list_text(&fields.aliases),
        encode_json_list_text(&fields.tags),
        encode_json_list_text(&fields.related),
        fields.source,
        now_secs,
        note_id,
        fields.rich.as_ref().map(|r| encode_json_list_text(&r.values)),
        // Cards are only ever added: a card with a history is never dropped by an edit.
        fields.card_mask() as i64,
        i64::from(64 - fields.card_mask().leading_zeros()).max(1)
    ])?;
    Ok(())
}
