//! Note types read whole (fields, templates, CSS, sort field, stamp): from a legacy
//! collection's JSON ([`LegacyNotetype::into_notetype`]) or from the tables of a schema 18
//! one ([`notetypes_of_tables`]), whose rows keep the rest in protobuf config blobs, read here
//! without a protobuf library:
//! `notetypes.config` (Anki's `Notetype.Config`: field 1 the kind, a varint, 1 for cloze;
//! field 2 the sort field's index, a varint; field 3 the CSS, a string) and
//! `templates.config` (`Notetype.Template.Config`: field 1 the front template, field 2 the
//! back template, both strings). Every other field is skipped. A current package's media map
//! (`MediaEntries`, not SQL but the same wire format) is read here too ([`media_entries`]).
//!
//! The blobs come from someone else's file, so the reader is bounded and defensive: a varint
//! is at most 10 bytes, every length is checked against the bytes that remain before anything
//! is sliced, nothing is allocated but the strings kept (each a copy of bytes already in the
//! blob), and any malformed blob (truncated, a length past its end, a group or unknown wire
//! type, a field number 0, a string that is not UTF-8, a number that does not fit) yields
//! the empty values, never a panic.

use std::collections::HashMap;

use rusqlite::Connection;

use super::{AnkiNotetype, AnkiTemplate, LegacyNotetype};
use crate::error::Result;

/// One field's value on the wire (fixed-size values are skipped, not kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value<'a> {
    Varint(u64),
    Bytes(&'a [u8]),
    Fixed,
}

/// A varint at the start of `bytes`, and the bytes after it; `None` when it is truncated,
/// longer than 10 bytes or overflows 64 bits.
fn varint(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let mut value = 0u64;
    for (i, &byte) in bytes.iter().enumerate().take(10) {
        let low = u64::from(byte & 0x7f);
        // The tenth byte may only carry the 64th bit.
        if i == 9 && low > 1 {
            return None;
        }
        value |= low << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, &bytes[i + 1..]));
        }
    }
    None
}

/// `count` bytes from the start of `bytes` and the rest, if there are that many.
fn take(bytes: &[u8], count: u64) -> Option<(&[u8], &[u8])> {
    let count = usize::try_from(count).ok()?;
    (count <= bytes.len()).then(|| bytes.split_at(count))
}

/// Calls `each` with every field of the message in `blob`, in order; `None` (after calling
/// `each` for the fields before it) when the blob is malformed.
fn each_field<'a>(mut blob: &'a [u8], mut each: impl FnMut(u64, Value<'a>)) -> Option<()> {
    while !blob.is_empty() {
        let (key, rest) = varint(blob)?;
        let number = key >> 3;
        if number == 0 {
            return None;
        }
        let (value, rest) = match key & 7 {
            0 => {
                let (v, rest) = varint(rest)?;
                (Value::Varint(v), rest)
            }
            1 => (Value::Fixed, take(rest, 8)?.1),
            2 => {
                let (length, rest) = varint(rest)?;
                let (bytes, rest) = take(rest, length)?;
                (Value::Bytes(bytes), rest)
            }
            5 => (Value::Fixed, take(rest, 4)?.1),
            // 3 and 4 are the deprecated groups, 6 and 7 do not exist.
            _ => return None,
        };
        each(number, value);
        blob = rest;
    }
    Some(())
}

/// A string field's text: `None` unless it is length-delimited UTF-8.
fn text(value: Value) -> Option<String> {
    match value {
        Value::Bytes(bytes) => std::str::from_utf8(bytes).ok().map(str::to_owned),
        _ => None,
    }
}

/// What jargon reads from a note type's `config`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotetypeConfig {
    pub cloze: bool,
    pub sort_field: usize,
    pub css: String,
}

/// Reads a `notetypes.config` blob; a malformed one gives the default (not cloze, sort field
/// 0, no CSS). As in protobuf, a field given twice keeps its last value.
pub fn notetype_config(blob: &[u8]) -> NotetypeConfig {
    let mut config = NotetypeConfig::default();
    let mut well_typed = true;
    let read = each_field(blob, |number, value| match (number, value) {
        (1, Value::Varint(kind)) => config.cloze = kind == 1,
        (2, Value::Varint(index)) => match usize::try_from(index) {
            Ok(index) => config.sort_field = index,
            Err(_) => well_typed = false,
        },
        (3, value) => match text(value) {
            Some(css) => config.css = css,
            None => well_typed = false,
        },
        (1 | 2, _) => well_typed = false,
        _ => {}
    });
    if read.is_some() && well_typed {
        config
    } else {
        NotetypeConfig::default()
    }
}

/// Reads a `templates.config` blob: the front and back templates; both empty when the blob
/// is malformed.
pub fn template_config(blob: &[u8]) -> (String, String) {
    let (mut front, mut back) = (String::new(), String::new());
    let mut well_typed = true;
    let read = each_field(blob, |number, value| {
        let slot = match number {
            1 => &mut front,
            2 => &mut back,
            _ => return,
        };
        match text(value) {
            Some(format) => *slot = format,
            None => well_typed = false,
        }
    });
    if read.is_some() && well_typed {
        (front, back)
    } else {
        (String::new(), String::new())
    }
}

/// One entry of a current package's media map (Anki's `MediaEntries.MediaEntry`: field 1 the
/// name, field 2 the size, field 3 the sha1, field 255 the zip entry's number when it is not
/// the entry's place in the list). The sha1 is not kept.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaMapEntry {
    pub name: String,
    /// The size Anki recorded, uncompressed.
    pub size: u64,
    pub zip_number: Option<u64>,
}

/// Reads a current package's media map (`MediaEntries`: field 1, each entry a message);
/// `None` when it is malformed, an entry included.
pub fn media_entries(blob: &[u8]) -> Option<Vec<MediaMapEntry>> {
    let mut entries = Vec::new();
    let mut well_typed = true;
    each_field(blob, |number, value| match (number, value) {
        (1, Value::Bytes(bytes)) => match media_entry(bytes) {
            Some(entry) => entries.push(entry),
            None => well_typed = false,
        },
        (1, _) => well_typed = false,
        _ => {}
    })?;
    well_typed.then_some(entries)
}

/// One `MediaEntry` message.
fn media_entry(blob: &[u8]) -> Option<MediaMapEntry> {
    let mut entry = MediaMapEntry::default();
    let mut well_typed = true;
    each_field(blob, |number, value| match (number, value) {
        (1, value) => match text(value) {
            Some(name) => entry.name = name,
            None => well_typed = false,
        },
        (2, Value::Varint(size)) => entry.size = size,
        (255, Value::Varint(zip)) => entry.zip_number = Some(zip),
        (2 | 255, _) => well_typed = false,
        _ => {}
    })?;
    well_typed.then_some(entry)
}

impl LegacyNotetype {
    /// The note type as jargon keeps it: templates sorted by their `ord` (their place in
    /// the list where it has none).
    pub(super) fn into_notetype(self) -> AnkiNotetype {
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
pub(super) fn sort_field_in(index: impl TryInto<usize>, fields: usize) -> usize {
    index.try_into().ok().filter(|&i| i < fields).unwrap_or(0)
}

/// The note types of a schema 18 collection, whole: their config (kind, sort field, CSS,
/// from its protobuf blob), fields in order and templates in order.
pub(super) fn notetypes_of_tables(conn: &Connection) -> Result<HashMap<i64, AnkiNotetype>> {
    let mut notetypes = HashMap::new();
    let mut stmt = conn.prepare("SELECT id, name, mtime_secs, config FROM notetypes")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let config = notetype_config(blob_of(r.get_ref(3)?));
        notetypes.insert(
            r.get::<_, i64>(0)?,
            AnkiNotetype {
                name: r.get(1)?,
                modified: r.get(2)?,
                cloze: config.cloze,
                sort_field: config.sort_field,
                css: config.css,
                ..AnkiNotetype::default()
            },
        );
    }
    let mut stmt = conn.prepare("SELECT ntid, ord, name FROM fields")?;
    let mut fields = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    fields.sort_by_key(|&(ntid, ord, _)| (ntid, ord));
    for (id, _, name) in fields {
        if let Some(notetype) = notetypes.get_mut(&id) {
            notetype.fields.push(name);
        }
    }
    let mut stmt = conn.prepare("SELECT ntid, ord, name, config FROM templates")?;
    let mut templates = vec![];
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let ntid: i64 = r.get(0)?;
        // Templates of a note type the collection does not have are not kept.
        if !notetypes.contains_key(&ntid) {
            continue;
        }
        let (front, back) = template_config(blob_of(r.get_ref(3)?));
        let name = r.get(2)?;
        templates.push((
            ntid,
            r.get::<_, i64>(1)?,
            AnkiTemplate { name, front, back },
        ));
    }
    templates.sort_by_key(|&(ntid, ord, _)| (ntid, ord));
    for (id, _, template) in templates {
        if let Some(notetype) = notetypes.get_mut(&id) {
            notetype.template_list.push(template);
        }
    }
    for notetype in notetypes.values_mut() {
        notetype.templates = notetype.template_list.len();
        notetype.sort_field = sort_field_in(notetype.sort_field, notetype.fields.len());
    }
    Ok(notetypes)
}

/// A config column's bytes: a blob as Anki writes it (or text); anything else is empty.
fn blob_of(value: rusqlite::types::ValueRef<'_>) -> &[u8] {
    match value {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A length-delimited field.
    fn bytes_field(number: u8, bytes: &[u8]) -> Vec<u8> {
        let mut out = vec![(number << 3) | 2, bytes.len() as u8];
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn a_media_map_gives_each_name_size_and_zip_number() {
        let mut first = bytes_field(1, b"a.png");
        first.extend([2 << 3, 69]);
        first.extend(bytes_field(3, &[7; 20]));
        let mut second = bytes_field(1, b"b.mp3");
        // Field 255: key 255 << 3 = 2040 as a varint, then the number.
        second.extend([0xf8, 0x0f, 9]);
        let mut blob = bytes_field(1, &first);
        blob.extend(bytes_field(1, &second));
        let entries = media_entries(&blob).unwrap();
        assert_eq!(
            entries,
            vec![
                MediaMapEntry {
                    name: "a.png".into(),
                    size: 69,
                    zip_number: None
                },
                MediaMapEntry {
                    name: "b.mp3".into(),
                    size: 0,
                    zip_number: Some(9)
                },
            ]
        );
        assert_eq!(media_entries(&[]), Some(vec![]));
        // A truncated blob, an entry whose name is not UTF-8, a size of the wrong type.
        assert_eq!(media_entries(&blob[..blob.len() - 1]), None);
        assert_eq!(
            media_entries(&bytes_field(1, &bytes_field(1, &[0xff]))),
            None
        );
        assert_eq!(media_entries(&bytes_field(1, &bytes_field(2, b"x"))), None);
        assert_eq!(media_entries(&[1 << 3, 5]), None);
    }

    #[test]
    fn varints_are_read_to_ten_bytes_and_no_further() {
        assert_eq!(varint(&[0x96, 0x01, 0xff]), Some((150, &[0xff][..])));
        let max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
        assert_eq!(varint(&max), Some((u64::MAX, &[][..])));
        // Past 64 bits, eleven bytes, truncated.
        let over = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02];
        assert_eq!(varint(&over), None);
        assert_eq!(varint(&[0x80; 11]), None);
        assert_eq!(varint(&[0x80, 0x80]), None);
        assert_eq!(varint(&[]), None);
    }

    #[test]
    fn a_notetype_config_gives_kind_sort_field_and_css() {
        let mut blob = vec![0x08, 0x01, 0x10, 0x02];
        blob.extend(bytes_field(3, b".card { color: red; }"));
        assert_eq!(
            notetype_config(&blob),
            NotetypeConfig {
                cloze: true,
                sort_field: 2,
                css: ".card { color: red; }".into()
            }
        );
        // Anki leaves out the fields at their defaults: kind normal, sort field 0.
        assert_eq!(
            notetype_config(&bytes_field(3, b"x")),
            NotetypeConfig {
                cloze: false,
                sort_field: 0,
                css: "x".into()
            }
        );
        assert_eq!(notetype_config(&[]), NotetypeConfig::default());
    }

    #[test]
    fn unknown_fields_of_every_wire_type_are_skipped() {
        let mut unknown = vec![0x20, 0xff, 0x01]; // 4: varint
        unknown.extend([0x29, 1, 2, 3, 4, 5, 6, 7, 8]); // 5: fixed64
        unknown.extend([0x35, 1, 2, 3, 4]); // 6: fixed32
        unknown.extend(bytes_field(5, b"\\documentclass")); // 5: a string
        unknown.extend([0xfa, 0x0f, 0x02, b'{', b'}']); // 255: bytes
        let mut template = unknown.clone();
        template.extend(bytes_field(1, b"{{Front}}"));
        template.extend(bytes_field(3, b"{{Front}} (browser)"));
        template.extend(bytes_field(2, b"{{Back}}"));
        template.extend(unknown.clone());
        assert_eq!(
            template_config(&template),
            ("{{Front}}".to_string(), "{{Back}}".to_string())
        );
        let mut notetype = unknown.clone();
        notetype.extend([0x08, 0x01, 0x10, 0x01]);
        notetype.extend(unknown);
        assert_eq!(
            notetype_config(&notetype),
            NotetypeConfig {
                cloze: true,
                sort_field: 1,
                css: String::new()
            }
        );
    }

    #[test]
    fn a_malformed_blob_gives_empty_values() {
        let mut good = bytes_field(1, b"{{Front}}");
        good.extend(bytes_field(2, b"{{Back}}"));
        let empty = (String::new(), String::new());
        // Truncated anywhere: inside the last string, its length, its key.
        for cut in [good.len() - 1, 12, 5] {
            assert_eq!(template_config(&good[..cut]), empty, "cut at {cut}");
        }
        // A length far past the end, and one past any usize.
        let huge = [0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, b'a'];
        assert_eq!(template_config(&huge), empty);
        let mut past = vec![0x0a];
        past.extend([0xff; 9]);
        past.push(0x01);
        assert_eq!(template_config(&past), empty);
        // A group, field number 0, a truncated fixed64, a string that is not UTF-8, a
        // string where a varint belongs.
        let bad: [&[u8]; 5] = [
            &[0x0b, 0x0c],
            &[0x02, 0x00],
            &[0x09, 1, 2, 3],
            &[0x0a, 0x02, 0xc3, 0x28],
            &[0x0a, 0x01, b'x'],
        ];
        for blob in &bad[..4] {
            assert_eq!(template_config(blob), empty, "{blob:?}");
            assert_eq!(notetype_config(blob), NotetypeConfig::default(), "{blob:?}");
        }
        assert_eq!(notetype_config(bad[4]), NotetypeConfig::default());
        let mut css_then_bad = bytes_field(3, b"x");
        css_then_bad.extend([0x1a, 0x05, b'y']);
        assert_eq!(notetype_config(&css_then_bad), NotetypeConfig::default());
    }

    #[test]
    fn a_current_package_has_its_note_types_whole() {
        let notetypes = super::super::tests::notetypes_of("anki-rich.apkg");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/anki-rich.expected.json"
        );
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let expected = expected["notetypes"].as_object().unwrap();
        assert_eq!(notetypes.len(), expected.len());
        assert_eq!(expected.len(), 6);
        for (name, want) in expected {
            let got = &notetypes[name];
            let fields: Vec<&str> = got.fields.iter().map(String::as_str).collect();
            assert_eq!(serde_json::json!(fields), want["fields"], "{name}");
            assert_eq!(
                serde_json::json!(i64::from(got.cloze)),
                want["kind"],
                "{name}"
            );
            assert_eq!(got.css, want["css"].as_str().unwrap(), "{name}");
            let templates: Vec<[&str; 3]> = got
                .template_list
                .iter()
                .map(|t| [t.name.as_str(), t.front.as_str(), t.back.as_str()])
                .collect();
            assert_eq!(serde_json::json!(templates), want["templates"], "{name}");
            assert_eq!(got.templates, got.template_list.len(), "{name}");
            assert_eq!(got.sort_field, 0, "{name}");
            let modified = if name == "Vocab Plus" {
                1_796_207_977
            } else {
                0
            };
            assert_eq!(got.modified, modified, "{name}");
        }
    }

    #[test]
    fn legacy_templates_are_sorted_by_ord_and_odd_values_read_leniently() {
        let model: super::super::LegacyNotetype = serde_json::from_str(
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
        let model: super::super::LegacyNotetype = serde_json::from_value(past_the_fields).unwrap();
        assert_eq!(model.into_notetype().sort_field, 0);
    }
}
