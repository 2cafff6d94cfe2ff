//! The travelling columns of a note as text: what a note from another device may hold
//! ([`incoming_problem`]), its card set (`<bits>/<span>`), and a rich note's fields as one key
//! each (`fields[N]`) and back. Pure: no SQL.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::records::sync::NotetypeRow;

/// Why a note's values from another device cannot be stored here (None: they can): the
/// lists must be JSON lists of text, `cards` must read (a vocab note has at most two), a vocab note
/// has no `fields`, and a note type's kind, fields and templates must be ones jargon stores.
/// Checked before anything is written, so a bad event is skipped whole.
pub fn incoming_problem(
    columns: &BTreeMap<String, String>,
    vocab: bool,
    notetype: Option<&NotetypeRow>,
) -> Option<String> {
    for (name, value) in columns {
        let fine = match name.as_str() {
            "aliases" | "tags" | "related" => crate::store::decode_json_list(value).is_some(),
            "fields" => {
                if vocab {
                    value.is_empty()
                } else {
                    value.is_empty() || crate::store::decode_json_list(value).is_some()
                }
            }
            "cards" => cards_of(value).is_ok_and(|(_, span)| !vocab || span <= 2),
            other => !(vocab && field_index(other).is_some()),
        };
        if !fine {
            let shown: String = value.chars().take(40).collect();
            return Some(format!("its {name} '{shown}' cannot be stored"));
        }
    }
    if let Some(row) = notetype {
        let kinds = [
            "basic",
            "basic-reversed",
            "basic-optional-reversed",
            "typed",
            "cloze",
            "anki",
        ];
        if !kinds.contains(&row.kind.as_str()) {
            return Some(format!(
                "its note type's kind '{}' is not one jargon knows",
                row.kind
            ));
        }
        if serde_json::from_str::<Vec<String>>(&row.fields).is_err()
            || serde_json::from_str::<Vec<serde_json::Value>>(&row.templates).is_err()
            || !(row.extra.is_empty()
                || serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&row.extra)
                    .is_ok())
        {
            return Some("its note type's fields, templates or options do not read".to_string());
        }
    }
    None
}

/// `<bits>/<span>` read back, checked as the notes table checks it.
pub(super) fn cards_of(text: &str) -> Result<(i64, i64)> {
    let bad = || {
        Error::failed(format!(
            "a note's cards '{text}' from another device do not read"
        ))
    };
    let (bits, span) = text.split_once('/').ok_or_else(bad)?;
    let bits: i64 = bits.parse().map_err(|_| bad())?;
    let span: i64 = span.parse().map_err(|_| bad())?;
    if !(1..=64).contains(&span)
        || bits == 0
        || (bits >> (span - 1)) & 1 != 1
        || (span < 64 && bits >> span != 0)
    {
        return Err(bad());
    }
    Ok((bits, span))
}

/// The most fields a rich note's list travels with, one key each: an event naming a later
/// one is ignored (a note type with more fields is not one a person made).
const MAX_TRAVELLING_FIELDS: usize = 1_000;

/// The index of a rich note's field key, `fields[N]`.
pub fn field_index(name: &str) -> Option<usize> {
    let index: usize = name
        .strip_prefix("fields[")?
        .strip_suffix(']')?
        .parse()
        .ok()?;
    (index < MAX_TRAVELLING_FIELDS && name == format!("fields[{index}]")).then_some(index)
}

/// A rich note's `fields` column (a JSON list) as one travelling key per field, `fields[0]`,
/// `fields[1]`, ..., so that two devices editing different fields of one note both keep
/// their edit. Other notes (an empty column), or a list too long or unreadable, travel whole.
pub(super) fn split_fields(columns: &mut BTreeMap<String, String>) {
    let Some(text) = columns.get("fields").filter(|text| !text.is_empty()) else {
        return;
    };
    let Some(values) = crate::store::decode_json_list(text) else {
        return;
    };
    if values.is_empty() || values.len() > MAX_TRAVELLING_FIELDS {
        return;
    }
    columns.remove("fields");
    for (index, value) in values.into_iter().enumerate() {
        columns.insert(format!("fields[{index}]"), value);
    }
}

/// The `fields` column with the `fields[N]` keys of `columns` written into `base` (the list
/// as it is, or none), in the one encoding of list columns; None when `columns` has none.
pub(super) fn fold_fields(
    base: Option<&str>,
    columns: &BTreeMap<String, String>,
) -> Option<String> {
    let indexed: Vec<(usize, &String)> = columns
        .iter()
        .filter_map(|(name, value)| field_index(name).map(|index| (index, value)))
        .collect();
    if indexed.is_empty() {
        return None;
    }
    let mut values = base
        .filter(|text| !text.is_empty())
        .and_then(crate::store::decode_json_list)
        .unwrap_or_default();
    for (index, value) in indexed {
        if values.len() <= index {
            values.resize(index + 1, String::new());
        }
        values[index] = value.clone();
    }
    Some(crate::store::encode_json_list_text(&values))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_bounded_field_keys_name_a_field() {
        assert_eq!(field_index("fields[0]"), Some(0));
        assert_eq!(field_index("fields[999]"), Some(999));
        for bad in [
            "fields[1000]",
            "fields[18446744073709551616]",
            "fields[01]",
            "fields[+1]",
            "fields[-1]",
            "fields[]",
            "fields",
            "fields[1]x",
        ] {
            assert_eq!(field_index(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_rich_list_travels_a_key_a_field_and_folds_back_into_the_same_text() {
        let mut columns = BTreeMap::new();
        let text = crate::store::encode_json_list_text(&["a \"b\"".into(), "é\n".into()]);
        columns.insert("fields".to_string(), text.clone());
        columns.insert("term".to_string(), "t".to_string());
        split_fields(&mut columns);
        assert_eq!(columns.get("fields"), None);
        assert_eq!(columns["fields[1]"], "é\n");
        assert_eq!(fold_fields(None, &columns), Some(text.clone()));
        // One field changed onto the list as it is; a later index grows it.
        let mut change = BTreeMap::new();
        change.insert("fields[1]".to_string(), "x".to_string());
        change.insert("fields[3]".to_string(), "z".to_string());
        assert_eq!(
            fold_fields(Some(&text), &change).as_deref(),
            Some(r#"["a \"b\"","x","","z"]"#)
        );
        // A vocab note's empty column travels as it is.
        let mut vocab = BTreeMap::new();
        vocab.insert("fields".to_string(), String::new());
        split_fields(&mut vocab);
        assert_eq!(vocab.get("fields").map(String::as_str), Some(""));
        assert_eq!(fold_fields(None, &vocab), None);
    }

    #[test]
    fn values_jargon_could_not_store_or_read_back_are_named() {
        let one = |name: &str, value: &str| BTreeMap::from([(name.to_string(), value.to_string())]);
        for (name, value, vocab) in [
            ("tags", "[\"a\"]", true),
            ("cards", "3/2", true),
            ("cards", "1/1", true),
            ("cards", "7/3", false),
            ("fields", "[\"x\",\"y\"]", false),
            ("fields[2]", "x", false),
            ("term", "anything", true),
        ] {
            assert_eq!(
                incoming_problem(&one(name, value), vocab, None),
                None,
                "{name}"
            );
        }
        for (name, value, vocab) in [
            ("tags", "not json", true),
            ("aliases", "", true),
            ("cards", "garbage", true),
            ("cards", "-1/64", true),
            ("cards", "7/3", true),
            ("fields", "[\"x\"]", true),
            ("fields[2]", "x", true),
            ("fields", "{}", false),
        ] {
            assert!(
                incoming_problem(&one(name, value), vocab, None).is_some(),
                "{name} {value}"
            );
        }
        let row = |kind: &str, fields: &str| NotetypeRow {
            kind: kind.into(),
            name: "T".into(),
            anki_id: None,
            fields: fields.into(),
            templates: "[]".into(),
            css: String::new(),
            extra: String::new(),
        };
        let none = BTreeMap::new();
        assert_eq!(
            incoming_problem(&none, false, Some(&row("cloze", "[\"Text\"]"))),
            None
        );
        assert!(incoming_problem(&none, false, Some(&row("evil", "[\"Text\"]"))).is_some());
        assert!(incoming_problem(&none, false, Some(&row("cloze", "not json"))).is_some());
    }
}
