//! `jargon export deck --format csv|tsv` read the way Anki reads a text file, so that Anki's
//! default mapping gives its "Basic" note type the term as Front and the definition as Back.
//!
//! The rules are Anki's (ankitects/anki `rslib/src/import_export/text/csv/metadata.rs` and
//! `import.rs`): `#key:value` lines at the top; `#separator:` by name; `#columns:` split by
//! that separator; the deck, tags and guid columns are meta columns; the note type's fields
//! take the columns whose names equal the field names exactly, and when no name matches the
//! first field still takes the first free column while the others take none. Rows are read
//! with `#` as the comment character. `bench/anki_csv_roundtrip.sh` runs the real engine.

use crate::common;

use std::collections::HashSet;

use common::Env;

/// Tricky notes in jargon's JSON deck format.
const DECK: &str = r##"[
 {"deck": "Tricky::Text, naïve; \"q\"", "term": "naïve Bayes",
  "definition": "A \"simple\" classifier; features independent, given the class.",
  "tags": ["stats::bayes", "naïve", "pre processor"], "guid": "g,1;\t\"x\""},
 {"deck": "Tricky::Text, naïve; \"q\"", "term": "#define",
  "definition": "line one\n# line two starts with a hash\n  indented, <b>&amp;</b>",
  "tags": ["c"]},
 {"deck": "Tricky::Text, naïve; \"q\"", "term": "tab\there",
  "definition": "a\tb|c;d,e", "tags": []}
]"##;

/// What Anki's `get_csv_metadata` derives from a file for the Basic note type (fields Front
/// and Back): the separator, the html flag, the 1-based meta columns, and for each field the
/// 1-based column it takes (0: none).
#[derive(Debug)]
struct AnkiMetadata {
    separator: u8,
    html: bool,
    deck_column: usize,
    tags_column: usize,
    guid_column: usize,
    field_columns: [usize; 2],
}

fn anki_metadata(text: &str) -> AnkiMetadata {
    let mut separator = None;
    let mut html = None;
    let mut labels: Vec<String> = vec![];
    let (mut deck_column, mut tags_column, mut guid_column) = (0, 0, 0);
    for line in text.lines() {
        let Some(meta) = line.strip_prefix('#') else {
            break;
        };
        let Some((key, value)) = meta.split_once(':') else {
            continue;
        };
        let number = || value.trim().parse::<usize>().unwrap_or(0);
        match key.trim().to_ascii_lowercase().as_str() {
            "separator" => {
                separator = Some(match value.trim().to_ascii_lowercase().as_str() {
                    "comma" | "," => b',',
                    "tab" | "\t" => b'\t',
                    "semicolon" | ";" => b';',
                    "pipe" | "|" => b'|',
                    "colon" | ":" => b':',
                    "space" | " " => b' ',
                    other => panic!("Anki does not know the separator {other:?}"),
                })
            }
            "html" => html = Some(value.trim().parse::<bool>().expect("html flag")),
            "columns" => {
                let sep = separator.expect("#separator: comes before #columns:");
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(sep)
                    .from_reader(value.as_bytes());
                labels = reader
                    .headers()
                    .expect("columns")
                    .iter()
                    .map(String::from)
                    .collect();
            }
            "deck column" => deck_column = number(),
            "tags column" => tags_column = number(),
            "guid column" => guid_column = number(),
            _ => {}
        }
    }
    let meta: HashSet<usize> = [deck_column, tags_column, guid_column]
        .into_iter()
        .filter(|&c| c > 0)
        .collect();
    assert!(!labels.is_empty(), "no #columns: line\n{text}");
    // map_field_columns_by_name, then ensure_first_field_is_mapped.
    let mut field_columns = [1, 0];
    for (slot, field) in field_columns.iter_mut().zip(["Front", "Back"]) {
        if let Some(i) = (1..=labels.len()).find(|i| !meta.contains(i) && labels[i - 1] == field) {
            *slot = i;
        }
    }
    AnkiMetadata {
        separator: separator.expect("#separator:"),
        html: html.expect("#html:"),
        deck_column,
        tags_column,
        guid_column,
        field_columns,
    }
}

/// (deck, front, back, tags, guid) per row, as Anki's reader splits the file.
type Row = (String, String, String, Vec<String>, String);

fn anki_rows(text: &str, meta: &AnkiMetadata) -> Vec<Row> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .comment(Some(b'#'))
        .delimiter(meta.separator)
        .from_reader(text.as_bytes());
    let column = |record: &csv::StringRecord, c: usize| -> String {
        if c == 0 {
            String::new()
        } else {
            record.get(c - 1).unwrap_or("").to_string()
        }
    };
    reader
        .records()
        .map(|record| {
            let record = record.expect("Anki's reader accepts every row");
            (
                column(&record, meta.deck_column),
                column(&record, meta.field_columns[0]),
                column(&record, meta.field_columns[1]),
                column(&record, meta.tags_column)
                    .split_whitespace()
                    .map(String::from)
                    .collect(),
                column(&record, meta.guid_column),
            )
        })
        .collect()
}

/// The collection's notes as (deck, term, definition, tags, guid), from the JSON export.
fn jargon_rows(env: &Env) -> Vec<Row> {
    let json = env.ok(&["export", "deck", "--format", "json"]);
    let notes: Vec<serde_json::Value> = serde_json::from_str(&json).expect("json export");
    notes
        .iter()
        .map(|n| {
            let text = |key: &str| n[key].as_str().unwrap_or("").to_string();
            let tags = n["tags"]
                .as_array()
                .expect("tags")
                .iter()
                .map(|t| {
                    t.as_str()
                        .expect("tag")
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join("_")
                })
                .collect();
            (
                text("deck"),
                text("term"),
                text("definition"),
                tags,
                text("guid"),
            )
        })
        .collect()
}

fn prepared() -> Env {
    let env = Env::new();
    let deck = env.write("tricky.json", DECK);
    let out = env.ok(&["import", deck.to_str().expect("utf-8 path")]);
    assert!(out.contains("3 added"), "{out}");
    env
}

#[test]
fn ankis_default_mapping_gives_basic_the_term_as_front_and_the_definition_as_back() {
    let env = prepared();
    let mut expected = jargon_rows(&env);
    expected.sort();
    assert!(
        expected.len() > 300,
        "the built-in decks and the tricky notes"
    );
    for (format, separator) in [("csv", b','), ("tsv", b'\t')] {
        let text = env.ok(&["export", "deck", "--format", format]);
        let meta = anki_metadata(&text);
        assert_eq!(meta.separator, separator, "{format}");
        assert!(!meta.html, "{format}: the fields are plain text");
        assert_ne!(
            meta.field_columns[1],
            0,
            "{format}: Anki would map no column to Basic's Back, losing every definition \
             (the #columns: names must be Basic's field names)\n{}",
            text.lines().take(6).collect::<Vec<_>>().join("\n")
        );
        let mut rows = anki_rows(&text, &meta);
        rows.sort();
        assert_eq!(rows.len(), expected.len(), "{format}");
        for (got, want) in rows.iter().zip(&expected) {
            assert_eq!(got, want, "{format}");
        }
    }
}

#[test]
fn jargon_reads_its_own_text_exports_back_unchanged() {
    let env = prepared();
    // Tags are separated by spaces in a text file, so the export writes a tag's own spaces
    // as `_` (as Anki does); everything else comes back as it was.
    let before = env
        .ok(&["export", "deck", "--format", "json"])
        .replace("\"pre processor\"", "\"pre_processor\"");
    assert!(before.contains("\"pre_processor\""));
    for format in ["csv", "tsv"] {
        let file = env.path(&format!("all.{format}"));
        env.ok(&["export", "deck", "-o", file.to_str().expect("utf-8 path")]);
        let fresh = Env::new();
        let out = fresh.ok(&["import", file.to_str().expect("utf-8 path")]);
        assert!(out.contains("3 added, 0 updated"), "{format}: {out}");
        assert_eq!(
            fresh.ok(&["export", "deck", "--format", "json"]),
            before,
            "{format}"
        );
    }
}
