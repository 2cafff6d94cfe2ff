//! The media files of an Anki package: its `media` entry maps the zip entries `0`, `1`, ..
//! to file names. A legacy package (`collection.anki2`/`.anki21`) has a JSON object there
//! (`{"0": "a.jpg"}`) and its files as they are; a current one (`collection.anki21b`) has a
//! zstd-compressed protobuf `MediaEntries` (each entry's place in the list is its zip entry,
//! unless it names another) and every file zstd-compressed too. These facts are Anki's
//! (`rslib/src/import_export/package/media.rs` and `meta.rs`).
//!
//! Everything is bounded: the map is read through a limit ([`MAP_LIMIT`]); a file whose
//! recorded size passes what the [`Budget`] allows is refused before it is read, and every
//! file is read through a reader that stops one byte past that, so neither a lying header nor
//! a zstd bomb can fill memory or the disk. Names are handed over as the package has them:
//! making them safe is [`crate::media::MediaDir::add`]'s.

use std::collections::HashSet;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{Error, Result};
use crate::media::Budget;

/// The largest media map read, uncompressed: 32 MiB (a map of 100,000 files takes about 4).
pub const MAP_LIMIT: u64 = 32 * 1024 * 1024;

/// One file the map names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapEntry {
    /// The name as the package gives it (notes reference it so).
    pub name: String,
    /// The zip entry that holds it.
    pub zip_name: String,
    /// The size the map records (current packages), uncompressed.
    pub size: Option<u64>,
}

/// The files a package's media map names, in the map's order (a legacy map by entry
/// number), and a warning for each name listed more than once (the first is kept). A package
/// without a map has no media.
pub fn map(
    path: &Path,
    archive: &mut zip::ZipArchive<File>,
    current: bool,
) -> Result<(Vec<MapEntry>, Vec<String>)> {
    let damaged = |what: String| {
        Error::input(
            path,
            None,
            format!("the media map inside the package is damaged ({what})"),
        )
    };
    let bytes = {
        let entry = match archive.by_name("media") {
            Ok(entry) => entry,
            Err(zip::result::ZipError::FileNotFound) => return Ok((Vec::new(), Vec::new())),
            Err(e) => return Err(damaged(e.to_string())),
        };
        read_bounded(entry, current, MAP_LIMIT).map_err(|e| damaged(e.to_string()))?
    };
    let Some(bytes) = bytes else {
        return Err(Error::input(
            path,
            None,
            format!(
                "the media map inside the package is larger than {} bytes; refusing the package",
                MAP_LIMIT
            ),
        ));
    };
    let entries = if current {
        super::anki_proto::media_entries(&bytes)
            .ok_or_else(|| damaged("not a list of media entries".to_string()))?
            .into_iter()
            .enumerate()
            .map(|(place, entry)| MapEntry {
                name: entry.name,
                zip_name: entry.zip_number.unwrap_or(place as u64).to_string(),
                size: Some(entry.size),
            })
            .collect()
    } else {
        legacy_map(&bytes).map_err(damaged)?
    };
    Ok(once_each(entries))
}

/// A legacy map: a JSON object from entry numbers to names, sorted by number.
fn legacy_map(bytes: &[u8]) -> std::result::Result<Vec<MapEntry>, String> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(bytes).map_err(|e| format!("not a JSON object: {e}"))?;
    let mut entries = Vec::with_capacity(map.len());
    for (key, value) in map {
        let number: u64 = key
            .parse()
            .ok()
            .filter(|_| key.bytes().all(|b| b.is_ascii_digit()))
            .ok_or_else(|| format!("the key '{key}' is not an entry number"))?;
        let serde_json::Value::String(name) = value else {
            return Err(format!("the value of '{key}' is not a file name"));
        };
        entries.push((number, name));
    }
    entries.sort_unstable();
    Ok(entries
        .into_iter()
        .map(|(number, name)| MapEntry {
            name,
            zip_name: number.to_string(),
            size: None,
        })
        .collect())
}

/// The entries with each name once (the first kept), and a warning for each left out.
fn once_each(entries: Vec<MapEntry>) -> (Vec<MapEntry>, Vec<String>) {
    let mut seen = HashSet::new();
    let mut kept = Vec::with_capacity(entries.len());
    let mut warnings = Vec::new();
    for entry in entries {
        if seen.contains(&entry.name) {
            warnings.push(format!(
                "the media map names '{}' twice; the file of entry {} was left out",
                entry.name, entry.zip_name
            ));
        } else {
            seen.insert(entry.name.clone());
            kept.push(entry);
        }
    }
    (kept, warnings)
}

/// The bytes of the file `entry` names, at most what `budget` allows; `None` when the package
/// lacks its zip entry. A file past the allowance (recorded so, or found so while read)
/// refuses the package.
pub fn read(
    path: &Path,
    archive: &mut zip::ZipArchive<File>,
    entry: &MapEntry,
    current: bool,
    budget: &Budget,
) -> Result<Option<Vec<u8>>> {
    let allowance = budget.allowance();
    let refused = |size: u64| {
        Error::input(
            path,
            None,
            format!(
                "{}; refusing the package",
                budget.refusal(&quoted(&entry.name), size)
            ),
        )
    };
    let zipped = match archive.by_name(&entry.zip_name) {
        Ok(zipped) => zipped,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(Error::input(
                path,
                None,
                format!(
                    "cannot read the entry '{}' of the package: {e}",
                    entry.zip_name
                ),
            ));
        }
    };
    // A legacy file is stored as it is, so the zip records its size; a current one is
    // compressed, and the map records its size.
    let recorded = if current {
        entry.size
    } else {
        Some(zipped.size())
    };
    if let Some(size) = recorded.filter(|&size| size > allowance) {
        return Err(refused(size));
    }
    let bytes = read_bounded(zipped, current, allowance).map_err(|e| {
        Error::input(
            path,
            None,
            format!(
                "the media file {} (entry {}) is damaged and cannot be read ({e})",
                quoted(&entry.name),
                entry.zip_name
            ),
        )
    })?;
    bytes
        .map(Some)
        .ok_or_else(|| refused(allowance.saturating_add(1)))
}

/// A name for a message, quoted, with its controls escaped (the writer for people would show
/// them anyway; this keeps the quotes).
fn quoted(name: &str) -> String {
    format!("'{}'", name.escape_debug())
}

/// Everything `reader` gives (through zstd when `zstd`), or `None` when that is more than
/// `limit` bytes: no more than one byte past the limit is ever read.
fn read_bounded(reader: impl Read, zstd: bool, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut source: Box<dyn Read + '_> = if zstd {
        Box::new(zstd::stream::read::Decoder::new(reader)?)
    } else {
        Box::new(reader)
    };
    let mut bytes = Vec::new();
    (&mut source)
        .take(limit.saturating_add(1))
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_legacy_map_is_sorted_by_entry_number_and_refuses_other_keys() {
        let entries = legacy_map(br#"{"10": "b.mp3", "2": "a.png"}"#).unwrap();
        let names: Vec<(&str, &str)> = entries
            .iter()
            .map(|e| (e.zip_name.as_str(), e.name.as_str()))
            .collect();
        assert_eq!(names, [("2", "a.png"), ("10", "b.mp3")]);
        for bad in [
            &br#"{"x": "a.png"}"#[..],
            br#"{"-1": "a.png"}"#,
            br#"{"+1": "a.png"}"#,
            br#"{"1": 5}"#,
            br#"["a.png"]"#,
            b"",
        ] {
            assert!(legacy_map(bad).is_err(), "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn a_name_listed_twice_keeps_its_first_file() {
        let entry = |name: &str, zip: &str| MapEntry {
            name: name.into(),
            zip_name: zip.into(),
            size: None,
        };
        let (kept, warnings) = once_each(vec![entry("a", "0"), entry("b", "1"), entry("a", "2")]);
        assert_eq!(kept, vec![entry("a", "0"), entry("b", "1")]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("entry 2"), "{warnings:?}");
    }

    #[test]
    fn a_bounded_read_stops_one_byte_past_the_limit() {
        let zeros = vec![0u8; 1_000_000];
        let packed = zstd::encode_all(&zeros[..], 3).unwrap();
        assert_eq!(read_bounded(&packed[..], true, 999_999).unwrap(), None);
        assert_eq!(
            read_bounded(&packed[..], true, 1_000_000)
                .unwrap()
                .map(|b| b.len()),
            Some(1_000_000)
        );
        assert_eq!(read_bounded(&b"abc"[..], false, 2).unwrap(), None);
        assert_eq!(
            read_bounded(&b"abc"[..], false, 3).unwrap(),
            Some(b"abc".to_vec())
        );
        assert!(read_bounded(&b"not zstd"[..], true, 100).is_err());
    }
}
