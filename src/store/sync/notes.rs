//! Notes for sync: every local note as it stands (to publish what changed), what the folder
//! knows of each (`sync_notes`, with each field's stamp), and the writes a merge makes to
//! notes and to cards' suspension and burial.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{OptionalExtension, params};

use super::columns::{cards_of, field_index, fold_fields, split_fields};
use super::{SyncTx, stamp_from_json, stamp_json};
use crate::error::{Error, Result};
use crate::records::sync::{
    CardFlags, LocalNote, NotetypeRow, ShadowCard, ShadowNote, Stamp, Stamped,
};

/// The note columns that travel, in the order [`SyncTx::local_notes`] selects them. `cards`
/// is `<bits>/<span>`: the two change together.
pub const NOTE_COLUMNS: [&str; 10] = [
    "term",
    "definition",
    "example",
    "aliases",
    "tags",
    "related",
    "source",
    "guid",
    "fields",
    "cards",
];

/// The SQL of each of [`NOTE_COLUMNS`]' values as published (`notes` as `n`).
const LOCAL_VALUES: [&str; 10] = [
    "n.term",
    "n.definition",
    "n.example",
    "n.aliases",
    "n.tags",
    "n.related",
    "n.source",
    "coalesce(n.guid, '')",
    "coalesce(n.fields, '')",
    "n.cards || '/' || n.card_span",
];

/// The name a note type travels under: `vocab`, `anki:<id>` for a type from Anki, or
/// `<kind>:<name>`.
pub fn notetype_name(row: Option<&NotetypeRow>) -> String {
    match row {
        None => "vocab".to_string(),
        Some(NotetypeRow {
            anki_id: Some(id), ..
        }) => format!("anki:{id}"),
        Some(row) => format!("{}:{}", row.kind, row.name),
    }
}

fn fields_to_json(fields: &BTreeMap<String, Stamped>) -> String {
    let map: serde_json::Map<String, serde_json::Value> = fields
        .iter()
        .map(|(name, s)| {
            (
                name.clone(),
                serde_json::Value::Array(vec![
                    s.value.clone().into(),
                    s.stamp.order_ms.into(),
                    s.stamp.device.clone().into(),
                    s.stamp.seq.into(),
                ]),
            )
        })
        .collect();
    serde_json::Value::Object(map).to_string()
}

fn fields_from_json(text: &str) -> Option<BTreeMap<String, Stamped>> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let mut out = BTreeMap::new();
    for (name, entry) in value.as_object()? {
        let list = entry.as_array()?;
        out.insert(
            name.clone(),
            Stamped {
                value: list.first()?.as_str()?.to_string(),
                stamp: Stamp {
                    order_ms: list.get(1)?.as_i64()?,
                    device: list.get(2)?.as_str()?.to_string(),
                    seq: list.get(3)?.as_u64()?,
                },
            },
        );
    }
    Some(out)
}

impl SyncTx<'_> {
    /// The notes here the folder does not know as they are (new, or written since their
    /// record was last saved: the `notes_sync_changed` trigger clears `synced`), with their
    /// global id when they have one. An unchanged collection costs one pass over `notes`.
    pub fn changed_local_notes(&self) -> Result<Vec<(LocalNote, Option<String>)>> {
        let sql = format!(
            "SELECT n.id, d.name, n.key, n.notetype_id, t.kind, t.name, t.anki_id, t.fields,
                    t.templates, t.css, t.extra, coalesce(n.seed, n.id), {}, n.modified_at, s.gid,
                    n.created_at
             FROM notes n JOIN decks d ON d.id = n.deck_id JOIN notetypes t ON t.id = n.notetype_id
             LEFT JOIN sync_notes s ON s.note_id = n.id
             WHERE s.gid IS NULL OR s.synced = 0
             ORDER BY n.id",
            LOCAL_VALUES.join(", "),
        );
        let mut stmt = self.tx.prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            let notetype_id: i64 = r.get(3)?;
            let notetype = (notetype_id != crate::model::VOCAB_NOTETYPE)
                .then(|| {
                    Ok::<_, rusqlite::Error>(NotetypeRow {
                        kind: r.get(4)?,
                        name: r.get(5)?,
                        anki_id: r.get(6)?,
                        fields: r.get(7)?,
                        templates: r.get(8)?,
                        css: r.get(9)?,
                        extra: r.get(10)?,
                    })
                })
                .transpose()?;
            let mut columns = BTreeMap::new();
            for (i, name) in NOTE_COLUMNS.iter().enumerate() {
                columns.insert((*name).to_string(), r.get::<_, String>(12 + i)?);
            }
            split_fields(&mut columns);
            Ok((
                LocalNote {
                    note_id: r.get(0)?,
                    deck: r.get(1)?,
                    key: r.get(2)?,
                    notetype,
                    seed: r.get(11)?,
                    created_secs: r.get(24)?,
                    modified_secs: r.get(22)?,
                    columns,
                },
                r.get(23)?,
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The global ids of notes the folder knows as live that are gone from here: deleted by
    /// `jargon delete` (which lets go of the id) or some other way.
    pub fn gone_note_gids(&self) -> Result<Vec<String>> {
        let mut gone: Vec<String> = {
            let mut stmt = self.tx.prepare(
                "SELECT gid FROM sync_notes WHERE note_id IS NULL AND deleted_order_ms IS NULL",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        // Any other way a note left: every record with a note must find it. Counted first,
        // so the search runs only when a note is missing.
        let (records, found): (i64, i64) = self.tx.query_row(
            "SELECT (SELECT count(*) FROM sync_notes WHERE note_id IS NOT NULL),
                    (SELECT count(*) FROM notes n JOIN sync_notes s ON s.note_id = n.id)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if records != found {
            let mut stmt = self.tx.prepare(
                "SELECT gid FROM sync_notes s WHERE s.note_id IS NOT NULL
                 AND NOT EXISTS (SELECT 1 FROM notes WHERE id = s.note_id)",
            )?;
            let rows = stmt.query_map([], |r| r.get(0))?;
            gone.extend(rows.collect::<rusqlite::Result<Vec<String>>>()?);
        }
        Ok(gone)
    }

    /// The global id of a live note here.
    pub fn gid_of_note(&self, note_id: i64) -> Result<Option<String>> {
        Ok(self
            .tx
            .prepare_cached("SELECT gid FROM sync_notes WHERE note_id = ?1")?
            .query_row([note_id], |r| r.get(0))
            .optional()?)
    }

    /// What the folder knows of one note.
    pub fn shadow_note(&self, gid: &str) -> Result<Option<ShadowNote>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT gid, note_id, deck, notetype, fields, seed, add_order_ms, add_device, add_seq,
                        deleted_order_ms, deleted_device, deleted_seq
                 FROM sync_notes WHERE gid = ?1",
            )?
            .query_row([gid], shadow_from_row)
            .optional()?)
    }

    pub fn save_shadow_note(&self, note: &ShadowNote) -> Result<()> {
        let deleted = note.deleted.as_ref();
        self.tx
            .prepare_cached(
                "INSERT INTO sync_notes (gid, note_id, deck, notetype, fields, seed, add_order_ms,
                     add_device, add_seq, deleted_order_ms, deleted_device, deleted_seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 ON CONFLICT (gid) DO UPDATE SET note_id = excluded.note_id, deck = excluded.deck,
                     notetype = excluded.notetype, fields = excluded.fields, seed = excluded.seed,
                     add_order_ms = excluded.add_order_ms, add_device = excluded.add_device,
                     add_seq = excluded.add_seq, deleted_order_ms = excluded.deleted_order_ms,
                     deleted_device = excluded.deleted_device, deleted_seq = excluded.deleted_seq",
            )?
            .execute(params![
                note.gid,
                note.note_id,
                note.deck,
                note.notetype,
                fields_to_json(&note.fields),
                note.seed,
                note.add.order_ms,
                note.add.device,
                note.add.seq as i64,
                deleted.map(|s| s.order_ms),
                deleted.map(|s| s.device.clone()),
                deleted.map(|s| s.seq as i64),
            ])?;
        // Saved after the note itself was written (publish, merge): the note as it stands is
        // what the folder knows.
        self.tx
            .prepare_cached("UPDATE sync_notes SET synced = (note_id IS NOT NULL) WHERE gid = ?1")?
            .execute([&note.gid])?;
        Ok(())
    }

    /// Keeps a field value that lost to a later one.
    pub fn keep_history(&self, gid: &str, field: &str, loser: &Stamped, now_ms: i64) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO note_history (note_gid, field, value, order_ms, device, seq, replaced_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![
                gid,
                field,
                loser.value,
                loser.stamp.order_ms,
                loser.stamp.device,
                loser.stamp.seq as i64,
                now_ms
            ])?;
        Ok(())
    }

    /// The kept losing values of a note's fields, oldest first: (field, value, stamp).
    pub fn note_history(&self, gid: &str) -> Result<Vec<(String, Stamped)>> {
        let mut stmt = self.tx.prepare(
            "SELECT field, value, order_ms, device, seq FROM note_history WHERE note_gid = ?1
             ORDER BY order_ms, device, seq",
        )?;
        let rows = stmt.query_map([gid], |r| {
            Ok((
                r.get(0)?,
                Stamped {
                    value: r.get(1)?,
                    stamp: Stamp {
                        order_ms: r.get(2)?,
                        device: r.get(3)?,
                        seq: r.get::<_, i64>(4)?.max(0) as u64,
                    },
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Adds a note that came from another device (its add stamped `stamp`); returns its id
    /// here. Its deck and note type are made when missing. A key already taken in the deck
    /// by another note gets the writing device's first digits after it, so neither note is
    /// lost.
    #[allow(clippy::too_many_arguments)] // one note's parts, each named at the one caller
    pub fn create_note(
        &self,
        deck: &str,
        key: &str,
        notetype: Option<&NotetypeRow>,
        columns: &BTreeMap<String, String>,
        seed: i64,
        now_secs: i64,
        stamp: &Stamp,
    ) -> Result<i64> {
        let device = stamp.device.as_str();
        self.tx
            .prepare_cached(
                "INSERT INTO decks (name, created_at) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING",
            )?
            .execute(params![deck, now_secs])?;
        let deck_id: i64 = self
            .tx
            .prepare_cached("SELECT id FROM decks WHERE name = ?1")?
            .query_row([deck], |r| r.get(0))?;
        let notetype_id = match notetype {
            None => crate::model::VOCAB_NOTETYPE,
            Some(row) => self.resolve_notetype(row)?,
        };
        let taken: bool = self
            .tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM notes WHERE deck_id = ?1 AND key = ?2)")?
            .query_row(params![deck_id, key], |r| r.get(0))?;
        let key = if taken {
            // The name is another note's here: `key-<device>`, or, when that is taken too,
            // `key-<device>-<its add's number>`, unique to this note (so a folder of many
            // notes under one name costs one look each), then `-2`, `-3`... after that.
            let base = format!("{key}-{}", device.get(..8).unwrap_or(device));
            let numbered = format!("{base}-{}", stamp.seq);
            let mut candidates = std::iter::once(base)
                .chain(std::iter::once(numbered.clone()))
                .chain((2..100).map(|n| format!("{numbered}-{n}")));
            loop {
                let Some(candidate) = candidates.next() else {
                    return Err(Error::failed(format!(
                        "no free name for the note {key} from device {device} in its deck"
                    )));
                };
                let taken: bool = self
                    .tx
                    .prepare_cached(
                        "SELECT EXISTS (SELECT 1 FROM notes WHERE deck_id = ?1 AND key = ?2)",
                    )?
                    .query_row(params![deck_id, candidate], |r| r.get(0))?;
                if !taken {
                    break candidate;
                }
            }
        } else {
            key.to_string()
        };
        let (cards, span) = cards_of(columns.get("cards").map_or("3/2", String::as_str))?;
        let get = |name: &str| columns.get(name).cloned().unwrap_or_default();
        let nullable = |name: &str| columns.get(name).filter(|v| !v.is_empty()).cloned();
        let fields = fold_fields(columns.get("fields").map(String::as_str), columns)
            .or_else(|| nullable("fields"));
        self.tx
            .prepare_cached(
                "INSERT INTO notes (deck_id, notetype_id, key, guid, term, definition, example, aliases,
                     tags, related, source, fields, created_at, modified_at, cards, card_span, fresh, seed)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?14, ?15, ?14, ?16)",
            )?
            .execute(params![
                deck_id,
                notetype_id,
                key,
                nullable("guid"),
                get("term"),
                get("definition"),
                get("example"),
                columns.get("aliases").cloned().unwrap_or_else(|| "[]".into()),
                columns.get("tags").cloned().unwrap_or_else(|| "[]".into()),
                columns.get("related").cloned().unwrap_or_else(|| "[]".into()),
                get("source"),
                fields,
                now_secs,
                cards,
                span,
                seed,
            ])?;
        Ok(self.tx.last_insert_rowid())
    }

    fn resolve_notetype(&self, row: &NotetypeRow) -> Result<i64> {
        let found: Option<i64> = match row.anki_id {
            Some(anki_id) => self
                .tx
                .prepare_cached("SELECT id FROM notetypes WHERE anki_id = ?1")?
                .query_row([anki_id], |r| r.get(0))
                .optional()?,
            None => self
                .tx
                .prepare_cached(
                    "SELECT id FROM notetypes WHERE anki_id IS NULL AND kind = ?1 AND name = ?2
                     AND fields = ?3 AND templates = ?4 ORDER BY id LIMIT 1",
                )?
                .query_row(
                    params![row.kind, row.name, row.fields, row.templates],
                    |r| r.get(0),
                )
                .optional()?,
        };
        if let Some(id) = found {
            return Ok(id);
        }
        self.tx
            .prepare_cached(
                "INSERT INTO notetypes (kind, name, anki_id, fields, templates, css, extra, modified_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
            )?
            .execute(params![
                row.kind,
                row.name,
                row.anki_id,
                row.fields,
                row.templates,
                row.css,
                if row.extra.is_empty() { "{}" } else { &row.extra }
            ])
            .map_err(|e| {
                Error::failed(format!(
                    "the note type '{}' from another device cannot be stored: {e}",
                    row.name
                ))
            })?;
        Ok(self.tx.last_insert_rowid())
    }

    /// Writes travelling columns of a note (those given), all in one statement. `cards` is
    /// added to the note's cards (they only grow), the new ones fresh.
    pub fn set_note_columns(
        &self,
        note_id: i64,
        columns: &BTreeMap<String, String>,
        now_secs: i64,
    ) -> Result<()> {
        let mut sets = vec!["modified_at = ?1".to_string()];
        let mut values: Vec<rusqlite::types::Value> = vec![now_secs.into()];
        let mut columns = columns.clone();
        if columns.keys().any(|name| field_index(name).is_some()) {
            let current: Option<String> = match columns.get("fields") {
                Some(whole) => Some(whole.clone()),
                None => self
                    .tx
                    .prepare_cached("SELECT fields FROM notes WHERE id = ?1")?
                    .query_row([note_id], |r| r.get(0))
                    .optional()?
                    .flatten(),
            };
            if let Some(folded) = fold_fields(current.as_deref(), &columns) {
                columns.insert("fields".to_string(), folded);
            }
        }
        for (name, value) in &columns {
            let value: rusqlite::types::Value = match name.as_str() {
                "term" | "definition" | "example" | "aliases" | "tags" | "related" | "source" => {
                    value.clone().into()
                }
                "guid" | "fields" if value.is_empty() => rusqlite::types::Value::Null,
                "guid" | "fields" => value.clone().into(),
                "cards" => {
                    let (cards, span) = cards_of(value)?;
                    values.push(cards.into());
                    let at = values.len();
                    // A note's cards only grow, as a local edit's do: the value from another
                    // device is added to the cards here, so no answered card is hidden and
                    // every order of the events gives the same cards.
                    sets.push(format!(
                        "fresh = fresh | (?{at} & ~cards), cards = cards | ?{at}"
                    ));
                    values.push(span.into());
                    sets.push(format!("card_span = max(card_span, ?{})", values.len()));
                    continue;
                }
                _ => continue,
            };
            values.push(value);
            sets.push(format!("{name} = ?{}", values.len()));
        }
        values.push(note_id.into());
        let sql = format!(
            "UPDATE notes SET {} WHERE id = ?{}",
            sets.join(", "),
            values.len()
        );
        self.tx.execute(&sql, rusqlite::params_from_iter(values))?;
        Ok(())
    }

    /// Sets the number a note's cards draw their fuzz from (its own id is stored as none).
    pub fn set_note_seed(&self, note_id: i64, seed: i64) -> Result<()> {
        crate::store::seed::set_note_seed(&self.tx, note_id, (seed != note_id).then_some(seed))
    }

    /// Every card here that is suspended or buried.
    pub fn local_flags(&self) -> Result<Vec<CardFlags>> {
        let mut stmt = self.tx.prepare(
            "SELECT id, suspended, buried_day FROM card_states WHERE suspended = 1 OR buried_day IS NOT NULL",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(CardFlags {
                card_id: r.get(0)?,
                suspended: r.get::<_, i64>(1)? != 0,
                buried_day: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A card's flags here (a card without its own row has neither).
    pub fn card_flags(&self, card_id: i64) -> Result<CardFlags> {
        Ok(self
            .tx
            .prepare_cached("SELECT suspended, buried_day FROM card_states WHERE id = ?1")?
            .query_row([card_id], |r| {
                Ok(CardFlags {
                    card_id,
                    suspended: r.get::<_, i64>(0)? != 0,
                    buried_day: r.get(1)?,
                })
            })
            .optional()?
            .unwrap_or(CardFlags {
                card_id,
                suspended: false,
                buried_day: None,
            }))
    }

    /// Every card flag the folder knows.
    pub fn shadow_cards(&self) -> Result<Vec<ShadowCard>> {
        let mut stmt = self.tx.prepare(
            "SELECT gid, ord, suspended, suspend_stamp, buried_day, bury_stamp FROM sync_cards",
        )?;
        let rows = stmt.query_map([], shadow_card_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One card's flags as the folder knows them.
    pub fn shadow_cards_of(&self, gid: &str, ord: u32) -> Result<Option<ShadowCard>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT gid, ord, suspended, suspend_stamp, buried_day, bury_stamp FROM sync_cards
                 WHERE gid = ?1 AND ord = ?2",
            )?
            .query_row(params![gid, ord], shadow_card_from_row)
            .optional()?)
    }

    pub fn save_shadow_card(&self, card: &ShadowCard) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_cards (gid, ord, suspended, suspend_stamp, buried_day, bury_stamp)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (gid, ord) DO UPDATE SET suspended = excluded.suspended,
                     suspend_stamp = excluded.suspend_stamp, buried_day = excluded.buried_day,
                     bury_stamp = excluded.bury_stamp",
            )?
            .execute(params![
                card.gid,
                card.ord,
                i64::from(card.suspended),
                card.suspend_stamp.as_ref().map(stamp_json),
                card.buried_day,
                card.bury_stamp.as_ref().map(stamp_json),
            ])?;
        Ok(())
    }

    /// Suspends, unsuspends, buries or unburies a card (one its note has).
    pub fn set_card_flags(&self, flags: &CardFlags) -> Result<()> {
        super::super::cards::materialize(&self.tx, flags.card_id)?;
        self.tx
            .prepare_cached("UPDATE card_states SET suspended = ?2, buried_day = ?3 WHERE id = ?1")?
            .execute(params![
                flags.card_id,
                i64::from(flags.suspended),
                flags.buried_day
            ])?;
        super::super::cards::prune(&self.tx, flags.card_id)?;
        Ok(())
    }

    /// Whether note `note_id` has card `ord`.
    pub fn has_card(&self, note_id: i64, ord: u32) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM notes WHERE id = ?1 AND ?2 < 64 AND (cards >> ?2) & 1 = 1)",
            )?
            .query_row(params![note_id, ord], |r| r.get(0))?)
    }

    /// Deletes notes for a tombstone, keeping their answers (`deleted_answers`).
    pub fn delete_notes(&self, notes: &[(i64, String)]) -> Result<()> {
        super::super::delete::delete_notes_in(&self.tx, notes)?;
        Ok(())
    }

    /// Note id -> seed, for notes whose cards draw their fuzz from another number.
    pub fn seeds(&self) -> Result<HashMap<i64, i64>> {
        let mut stmt = self
            .tx
            .prepare("SELECT id, seed FROM notes WHERE seed IS NOT NULL")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A `sync_cards` row from `SELECT gid, ord, suspended, suspend_stamp, buried_day, bury_stamp`.
fn shadow_card_from_row(r: &rusqlite::Row) -> rusqlite::Result<ShadowCard> {
    let suspend: Option<String> = r.get(3)?;
    let bury: Option<String> = r.get(5)?;
    Ok(ShadowCard {
        gid: r.get(0)?,
        ord: r.get::<_, i64>(1)?.clamp(0, 63) as u32,
        suspended: r.get::<_, i64>(2)? != 0,
        suspend_stamp: suspend.as_deref().and_then(stamp_from_json),
        buried_day: r.get(4)?,
        bury_stamp: bury.as_deref().and_then(stamp_from_json),
    })
}

fn shadow_from_row(r: &rusqlite::Row) -> rusqlite::Result<ShadowNote> {
    let fields: String = r.get(4)?;
    let deleted_order: Option<i64> = r.get(9)?;
    Ok(ShadowNote {
        gid: r.get(0)?,
        note_id: r.get(1)?,
        deck: r.get(2)?,
        notetype: r.get(3)?,
        fields: fields_from_json(&fields)
            .ok_or_else(|| crate::store::unreadable(4, "sync field stamps that do not read"))?,
        seed: r.get(5)?,
        add: Stamp {
            order_ms: r.get(6)?,
            device: r.get(7)?,
            seq: r.get::<_, i64>(8)?.max(0) as u64,
        },
        deleted: match deleted_order {
            Some(order_ms) => Some(Stamp {
                order_ms,
                device: r.get::<_, Option<String>>(10)?.unwrap_or_default(),
                seq: r.get::<_, Option<i64>>(11)?.unwrap_or(0).max(0) as u64,
            }),
            None => None,
        },
    })
}
