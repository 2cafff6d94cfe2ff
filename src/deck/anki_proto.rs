//! Anki's protobuf messages, read without a protobuf library: the config blobs of a schema 18
//! collection's note types (`deck::apkg_collection` puts them together with their rows):
//! `notetypes.config` (Anki's `Notetype.Config`: field 1 the kind, a varint, 1 for cloze;
//! field 2 the sort field's index, a varint; field 3 the CSS, a string) and
//! `templates.config` (`Notetype.Template.Config`: field 1 the front template, field 2 the
//! back template, both strings). Every other field is skipped. A current package's media map
//! (`MediaEntries`) is read here too ([`media_entries`]).
//!
//! The blobs come from someone else's file, so the reader is bounded and defensive: a varint
//! is at most 10 bytes, every length is checked against the bytes that remain before anything
//! is sliced, nothing is allocated but the strings kept (each a copy of bytes already in the
//! blob), and any malformed blob (truncated, a length past its end, a group or unknown wire
//! type, a field number 0, a string that is not UTF-8, a number that does not fit) yields
//! the empty values, never a panic.

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
}
