//! The decks and note types of a package's collection, decoded from what the store read
//! ([`AnkiTables`]): in a current collection (schema 18) the `decks` rows and the note type
//! rows, whose kind, sort field, CSS and templates are protobuf messages
//! (`deck::anki_proto`); in a legacy one the JSON in `col` (`decks`, `models`). Note types
//! come out whole (fields, templates, CSS, sort field, stamp), for the way back to Anki.
//!
//! Legacy JSON is read leniently where Anki is lenient (a note type's templates, CSS, sort
//! field and stamp: a missing or odd value gives empty text or 0); JSON that does not parse
//! at all refuses the package, naming it and its entry.

use std::collections::HashMap;
use std::path::Path;

use super::anki_proto::{notetype_config, template_config};
use crate::error::{Error, Result};
use crate::records::anki::{
    AnkiCollection, AnkiNotetype, AnkiTables, AnkiTemplate, NotetypeTables,
};

#[derive(serde::Deserialize)]
struct LegacyDeck {
    name: String,
}

#[derive(serde::Deserialize)]
struct LegacyField {
    name: String,
}

/// A legacy note type. Its templates, CSS, sort field and stamp are kept as `Value`s and read
/// leniently (a missing or odd one gives empty text or 0, never a refused package).
#[derive(serde::Deserialize)]
struct LegacyNotetype {
    name: String,
    #[serde(default)]
    flds: Vec<LegacyField>,
    #[serde(default)]
    tmpls: Vec<serde_json::Value>,
    #[serde(default, rename = "type")]
    kind: i64,
    #[serde(default)]
    css: serde_json::Value,
    #[serde(default)]
    sortf: serde_json::Value,
    #[serde(default, rename = "mod")]
    modified: serde_json::Value,
}

/// The collection's creation time, decks and note types: from the `decks`, `notetypes`,
/// `fields` and `templates` rows where the collection has those tables (schema 18), or else
/// from the JSON in `col` (legacy). `package` and `entry` name it in messages.
pub fn collection_of(tables: AnkiTables, package: &Path, entry: &str) -> Result<AnkiCollection> {
    let mut collection = AnkiCollection {
        crt: tables.crt,
        ..AnkiCollection::default()
    };
    if let Some(decks) = tables.decks {
        for (id, name) in decks {
            // Schema 18 separates sub-decks with 0x1f.
            collection.decks.insert(id, name.replace('\u{1f}', "::"));
        }
    } else if !tables.decks_json.trim().is_empty() {
        let decks: HashMap<String, LegacyDeck> = serde_json::from_str(&tables.decks_json)
            .map_err(|e| bad_json(package, entry, "decks", e))?;
        for (id, deck) in decks {
            if let Ok(id) = id.parse::<i64>() {
                collection.decks.insert(id, deck.name);
            }
        }
    }
    if let Some(notetypes) = tables.notetypes {
        collection.notetypes = notetypes_of_tables(notetypes);
    } else if !tables.models_json.trim().is_empty() {
        let models: HashMap<String, LegacyNotetype> = serde_json::from_str(&tables.models_json)
            .map_err(|e| bad_json(package, entry, "note types", e))?;
        for (id, model) in models {
            if let Ok(id) = id.parse::<i64>() {
                collection.notetypes.insert(id, model.into_notetype());
            }
        }
    }
    Ok(collection)
}

/// JSON in `col` that does not parse, naming the package and the entry.
fn bad_json(package: &Path, entry: &str, what: &str, e: serde_json::Error) -> Error {
    Error::input(
        package,
        None,
        format!("the {what} of the {entry} inside the package are not valid JSON: {e}"),
    )
}

/// The note types of a schema 18 collection, whole: their config (kind, sort field, CSS,
/// from its protobuf blob), fields in order and templates in order.
fn notetypes_of_tables(tables: NotetypeTables) -> HashMap<i64, AnkiNotetype> {
    let mut notetypes = HashMap::new();
    for row in tables.notetypes {
        let config = notetype_config(&row.config);
        notetypes.insert(
            row.id,
            AnkiNotetype {
                name: row.name,
                modified: row.modified,
                cloze: config.cloze,
                sort_field: config.sort_field,
                css: config.css,
                ..AnkiNotetype::default()
            },
        );
    }
    let mut fields = tables.fields;
    fields.sort_by_key(|&(ntid, ord, _)| (ntid, ord));
    for (id, _, name) in fields {
        if let Some(notetype) = notetypes.get_mut(&id) {
            notetype.fields.push(name);
        }
    }
    let mut templates = tables.templates;
    templates.sort_by_key(|t| (t.notetype_id, t.ord));
    for row in templates {
        if let Some(notetype) = notetypes.get_mut(&row.notetype_id) {
            let (front, back) = template_config(&row.config);
            notetype.template_list.push(AnkiTemplate {
                name: row.name,
                front,
                back,
            });
        }
    }
    for notetype in notetypes.values_mut() {
        notetype.templates = notetype.template_list.len();
        notetype.sort_field = sort_field_in(notetype.sort_field, notetype.fields.len());
    }
    notetypes
}

impl LegacyNotetype {
    /// The note type as jargon keeps it: templates sorted by their `ord` (their place in
    /// the list where it has none).
    fn into_notetype(self) -> AnkiNotetype {
        let text = |v: Option<&serde_json::Value>| {
            v.and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let mut templates: Vec<(i64, AnkiTemplate)> = self
            .tmpls
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let place = i64::try_from(i).unwrap_or(i64::MAX);
                let ord = t.get("ord").and_then(integer_of).unwrap_or(place);
                let template = AnkiTemplate {
                    name: text(t.get("name")),
                    front: text(t.get("qfmt")),
                    back: text(t.get("afmt")),
                };
                (ord, template)
            })
            .collect();
        templates.sort_by_key(|&(ord, _)| ord);
        let fields: Vec<String> = self.flds.into_iter().map(|f| f.name).collect();
        AnkiNotetype {
            name: self.name,
            sort_field: sort_field_in(integer_of(&self.sortf).unwrap_or(0), fields.len()),
            fields,
            templates: templates.len(),
            cloze: self.kind == 1,
            template_list: templates.into_iter().map(|(_, t)| t).collect(),
            css: text(Some(&self.css)),
            modified: integer_of(&self.modified).unwrap_or(0),
        }
    }
}

/// A JSON integer, also accepted when written as a float or as a string of digits.
fn integer_of(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.abs() < 9e18).map(|f| f as i64)),
        serde_json::Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A sort field index that names one of `fields` fields, or else 0.
fn sort_field_in(index: impl TryInto<usize>, fields: usize) -> usize {
    index.try_into().ok().filter(|&i| i < fields).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_templates_are_sorted_by_ord_and_odd_values_read_leniently() {
        let model: LegacyNotetype = serde_json::from_str(
            r#"{"name": "T", "type": 1, "css": ".c {}", "sortf": 1, "mod": "1700000000",
                "flds": [{"name": "A"}, {"name": "B"}],
                "tmpls": [{"name": "Two", "ord": 1, "qfmt": "{{B}}", "afmt": "{{A}}"},
                          {"name": "One", "ord": 0.0, "qfmt": "{{A}}", "afmt": null}]}"#,
        )
        .unwrap();
        let notetype = model.into_notetype();
        let template = |name: &str, front: &str, back: &str| AnkiTemplate {
            name: name.into(),
            front: front.into(),
            back: back.into(),
        };
        let list = vec![
            template("One", "{{A}}", ""),
            template("Two", "{{B}}", "{{A}}"),
        ];
        assert_eq!(notetype.template_list, list);
        assert_eq!((notetype.templates, notetype.cloze), (2, true));
        assert_eq!((notetype.sort_field, notetype.modified), (1, 1_700_000_000));
        assert_eq!(notetype.css, ".c {}");
        let past_the_fields = serde_json::json!({"name": "U", "sortf": 2, "flds": [{"name": "A"}]});
        let model: LegacyNotetype = serde_json::from_value(past_the_fields).unwrap();
        assert_eq!(model.into_notetype().sort_field, 0);
    }
}
