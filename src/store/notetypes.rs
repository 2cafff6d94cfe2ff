//! Note types: jargon's `vocab` (row 1), Anki's stock types and any Anki note type an import
//! brought, kept whole (fields, templates, CSS and what else Anki keeps of it) for the way back.

use rusqlite::{Connection, OptionalExtension, params};

use super::Collection;
use crate::error::{Error, Result};
use crate::model::NoteTypeInput;
use crate::notes::{Kind, NoteType, Template};
use crate::records::export::StoredNoteType;

#[derive(serde::Serialize, serde::Deserialize)]
struct TemplateJson {
    name: String,
    front: String,
    back: String,
}

fn templates_json(notetype: &NoteType) -> String {
    let list: Vec<TemplateJson> = notetype
        .templates
        .iter()
        .map(|t| TemplateJson {
            name: t.name.clone(),
            front: t.front.clone(),
            back: t.back.clone(),
        })
        .collect();
    #[allow(clippy::disallowed_methods)] // a stored column, never printed
    serde_json::to_string(&list).unwrap_or_else(|_| "[]".to_string())
}

fn fields_json(notetype: &NoteType) -> String {
    super::encode_json_list_text(&notetype.fields)
}

/// The id of the stored type `input` is: found by its Anki id, or else by the same kind,
/// name, fields and templates; stored when there is none.
pub(crate) fn resolve(conn: &Connection, input: &NoteTypeInput) -> Result<i64> {
    let t = &input.notetype;
    if t.kind == Kind::Vocab {
        return Ok(crate::model::VOCAB_NOTETYPE);
    }
    let (fields, templates) = (fields_json(t), templates_json(t));
    let found: Option<i64> = match input.anki_id {
        Some(anki_id) => conn
            .prepare_cached("SELECT id FROM notetypes WHERE anki_id = ?1")?
            .query_row([anki_id], |r| r.get(0))
            .optional()?,
        None => conn
            .prepare_cached(
                "SELECT id FROM notetypes WHERE anki_id IS NULL AND kind = ?1 AND name = ?2
                 AND fields = ?3 AND templates = ?4 ORDER BY id LIMIT 1",
            )?
            .query_row(params![t.kind.as_str(), t.name, fields, templates], |r| {
                r.get(0)
            })
            .optional()?,
    };
    if let Some(id) = found {
        return Ok(id);
    }
    conn.prepare_cached(
        "INSERT INTO notetypes (kind, name, anki_id, fields, templates, css, extra, modified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0)",
    )?
    .execute(params![
        t.kind.as_str(),
        t.name,
        input.anki_id,
        fields,
        templates,
        t.css,
        input.extra
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A stored note type from a row of `SELECT id, kind, name, anki_id, fields, templates, css,
/// extra FROM notetypes`.
fn stored_from_row(row: &rusqlite::Row) -> rusqlite::Result<StoredNoteType> {
    let kind: String = row.get(1)?;
    let fields: String = row.get(4)?;
    let templates: String = row.get(5)?;
    let kind = Kind::parse(&kind)
        .ok_or_else(|| super::unreadable(1, format!("unknown note type kind '{kind}'")))?;
    let fields = super::decode_json_list(&fields)
        .ok_or_else(|| super::unreadable(4, "field names that are not a JSON list"))?;
    let templates: Vec<TemplateJson> = serde_json::from_str(&templates)
        .map_err(|_| super::unreadable(5, "templates that are not a JSON list"))?;
    Ok(StoredNoteType {
        id: row.get(0)?,
        anki_id: row.get(3)?,
        notetype: NoteType {
            kind,
            name: row.get(2)?,
            fields,
            templates: templates
                .into_iter()
                .map(|t| Template {
                    name: t.name,
                    front: t.front,
                    back: t.back,
                })
                .collect(),
            css: row.get(6)?,
        },
        extra: row.get(7)?,
    })
}

impl Collection {
    /// A stored note type.
    pub fn notetype(&self, id: i64) -> Result<StoredNoteType> {
        self.conn()
            .prepare_cached(
                "SELECT id, kind, name, anki_id, fields, templates, css, extra FROM notetypes
                 WHERE id = ?1",
            )?
            .query_row([id], stored_from_row)
            .optional()?
            .ok_or_else(|| Error::failed(format!("there is no note type {id}")))
    }

    /// Every stored note type, in the order they were stored, as an import brings a type (a
    /// text file names one of them).
    pub fn notetype_inputs(&self) -> Result<Vec<NoteTypeInput>> {
        let mut stmt = self.conn().prepare(
            "SELECT id, kind, name, anki_id, fields, templates, css, extra FROM notetypes
             ORDER BY id",
        )?;
        let rows = stmt.query_map([], stored_from_row)?;
        let mut types = Vec::new();
        for row in rows {
            let stored = row?;
            types.push(NoteTypeInput {
                notetype: stored.notetype,
                anki_id: stored.anki_id,
                extra: stored.extra,
            });
        }
        Ok(types)
    }
}
