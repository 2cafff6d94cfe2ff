//! The way back to Anki: notes imported from a package Anki made (`anki-rich.apkg`) and
//! exported again with `export deck --format apkg` go back under the very note types they
//! came with (Anki's ids, names, fields, templates, CSS), with their guids, field HTML, tags,
//! card ordinals and scheduling, which is what Anki's package import needs to update the
//! learner's notes in place. Read here from the exported SQLite directly, against what Anki
//! itself recorded (`anki-rich.expected.json`) and the note type ids in the fixture package.
//! `bench/anki_notes_roundtrip.sh` checks the same package with Anki's own import.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::Path;

use crate::common::{Env, fixture};

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("anki-rich.expected.json")).unwrap())
        .unwrap()
}

/// Unzips entry `name` of a package into `dir`; returns its path.
fn unzip(package: &Path, name: &str, dir: &Path) -> std::path::PathBuf {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(package).unwrap()).unwrap();
    let mut entry = archive.by_name(name).unwrap();
    let mut bytes = vec![];
    entry.read_to_end(&mut bytes).unwrap();
    let out = dir.join(name);
    std::fs::write(&out, bytes).unwrap();
    out
}

/// The note type ids of the fixture package (zstd-compressed schema 18), by name.
fn fixture_notetype_ids(dir: &Path) -> BTreeMap<String, i64> {
    let packed = unzip(&fixture("anki-rich.apkg"), "collection.anki21b", dir);
    let bytes = zstd::decode_all(std::fs::File::open(&packed).unwrap()).unwrap();
    let path = dir.join("fixture.anki21");
    std::fs::write(&path, bytes).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = conn.prepare("SELECT name, id FROM notetypes").unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn anki_notes_go_back_under_their_own_types_with_guid_fields_ordinals_and_schedule() {
    let mut env = Env::new();
    env.now = "2026-10-28T15:00:00Z".to_string();
    let package = fixture("anki-rich.apkg");
    env.ok(&["import", package.to_str().unwrap()]);
    let out = env.path("back.apkg");
    env.ok(&[
        "export",
        "deck",
        "--deck",
        "Rich",
        "--format",
        "apkg",
        "-o",
        out.to_str().unwrap(),
    ]);
    let expected = expected();
    let dir = tempfile::tempdir().unwrap();
    let ids = fixture_notetype_ids(dir.path());
    let collection = unzip(&out, "collection.anki2", dir.path());
    let conn = rusqlite::Connection::open(&collection).unwrap();

    // Note types: the same ids, names, fields, templates and CSS as Anki's.
    let (models, crt): (String, i64) = conn
        .query_row("SELECT models, crt FROM col", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    let models: serde_json::Value = serde_json::from_str(&models).unwrap();
    let models = models.as_object().unwrap();
    let mut name_of_type: BTreeMap<i64, String> = BTreeMap::new();
    for (name, anki) in expected["notetypes"].as_object().unwrap() {
        let id = ids[name];
        let ours = &models[&id.to_string()];
        assert_eq!(ours["id"].as_i64(), Some(id), "{name}");
        assert_eq!(ours["name"].as_str(), Some(name.as_str()));
        assert_eq!(ours["type"], anki["kind"], "{name}: standard or cloze");
        let fields: Vec<&str> = ours["flds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(serde_json::json!(fields), anki["fields"], "{name}");
        let templates: Vec<serde_json::Value> = ours["tmpls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| serde_json::json!([t["name"], t["qfmt"], t["afmt"]]))
            .collect();
        assert_eq!(serde_json::json!(templates), anki["templates"], "{name}");
        assert_eq!(ours["css"], anki["css"], "{name}");
        name_of_type.insert(id, name.clone());
    }

    // Notes: each guid once, under its type, fields byte for byte, tags.
    let mut stmt = conn
        .prepare("SELECT guid, mid, flds, tags FROM notes")
        .unwrap();
    let notes: BTreeMap<String, (i64, String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?, r.get(3)?))))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let anki_notes = expected["notes"].as_array().unwrap();
    assert_eq!(notes.len(), anki_notes.len());
    for anki in anki_notes {
        let guid = anki["guid"].as_str().unwrap();
        let (mid, fields, tags) = &notes[guid];
        assert_eq!(
            name_of_type.get(mid),
            anki["notetype"].as_str().map(String::from).as_ref(),
            "{guid}"
        );
        let fields: Vec<&str> = fields.split('\u{1f}').collect();
        assert_eq!(
            serde_json::json!(fields),
            anki["fields"],
            "{guid}: fields byte for byte"
        );
        let tags: Vec<&str> = tags.split_whitespace().collect();
        assert_eq!(serde_json::json!(tags), anki["tags"], "{guid}");
    }

    // Cards: the same (note, ordinal) pairs, and the schedule Anki had for each.
    let mut stmt = conn
        .prepare(
            "SELECT n.guid, c.ord, c.type, c.queue, c.due, c.ivl, c.factor, c.lapses, c.left
             FROM cards c JOIN notes n ON n.id = c.nid",
        )
        .unwrap();
    let crt_day = crt.div_euclid(86_400);
    let anki_crt_day = expected["crt"].as_i64().unwrap().div_euclid(86_400);
    let cards: BTreeMap<(String, i64), serde_json::Value> = stmt
        .query_map([], |r| {
            let kind: i64 = r.get(2)?;
            let queue: i64 = r.get(3)?;
            let due: i64 = r.get(4)?;
            // Dues of started cards below a billion are days from the collection's creation;
            // above, instants (intraday learning).
            let due = if kind != 0 && due < 1_000_000_000 {
                crt_day + due
            } else {
                due
            };
            Ok((
                (r.get(0)?, r.get(1)?),
                serde_json::json!({"type": kind, "queue": queue, "due": due, "ivl": r.get::<_, i64>(5)?,
                    "factor": r.get::<_, i64>(6)?, "lapses": r.get::<_, i64>(7)?, "left": r.get::<_, i64>(8)?}),
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let anki_cards = expected["cards"].as_array().unwrap();
    let pairs: BTreeSet<(String, i64)> = anki_cards
        .iter()
        .map(|c| {
            (
                c["note"].as_str().unwrap().to_string(),
                c["ord"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(cards.keys().cloned().collect::<BTreeSet<_>>(), pairs);
    let mut learning = 0;
    for anki in anki_cards {
        let key = (
            anki["note"].as_str().unwrap().to_string(),
            anki["ord"].as_i64().unwrap(),
        );
        let ours = &cards[&key];
        let queue = anki["queue"].as_i64().unwrap();
        learning += usize::from(queue == 1);
        for field in ["type", "queue", "ivl", "factor", "lapses"] {
            assert_eq!(ours[field], anki[field], "{key:?} {field}");
        }
        let due = anki["due"].as_i64().unwrap();
        match queue {
            // A new card's due is its place among new cards: jargon's order, not Anki's number.
            0 => {}
            1 => assert_eq!(ours["due"].as_i64(), Some(due), "{key:?}: the same instant"),
            _ => assert_eq!(
                ours["due"].as_i64(),
                Some(anki_crt_day + due),
                "{key:?}: the same day"
            ),
        }
    }
    assert!(
        learning >= 2,
        "the fixture has cards in intraday learning steps"
    );

    // Media: every file the notes reference, numbered, with Anki's map and the same bytes.
    let map: BTreeMap<String, String> =
        serde_json::from_slice(&std::fs::read(unzip(&out, "media", dir.path())).unwrap()).unwrap();
    let names: BTreeSet<&str> = map.values().map(String::as_str).collect();
    let wanted: BTreeSet<&str> = expected["apkg_media"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert_eq!(names, wanted);
    for (number, name) in &map {
        let bytes = std::fs::read(unzip(&out, number, dir.path())).unwrap();
        let digest = sha1_smol::Sha1::from(&bytes).digest().to_string();
        assert_eq!(
            expected["media"][name].as_str(),
            Some(digest.as_str()),
            "{name}"
        );
    }

    // The log: every answer, on the card it was made on.
    let rows: i64 = conn
        .query_row("SELECT count(*) FROM revlog", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, expected["revlog_rows"].as_i64().unwrap());
}

#[test]
fn a_card_added_in_jargon_goes_back_with_its_answers_and_the_export_says_what_anki_keeps() {
    let mut env = Env::new();
    env.now = "2026-10-28T15:30:00Z".to_string();
    let package = fixture("anki-rich.apkg");
    env.ok(&["import", package.to_str().unwrap()]);
    let out = env.ok(&["edit", "Rich::Sub/auto", "--field", "Add Reverse=y"]);
    assert!(out.contains("new card: Card 2"), "{out}");
    env.now = "2026-10-29T15:30:00Z".to_string();
    env.run_with_input(
        &["review", "--deck", "Rich", "--limit", "60"],
        &"\ng\n".repeat(80),
    );
    let answered: i64 = env.sql(
        "SELECT count(*) FROM reviews WHERE kind = 'schedule' AND card_id IN
           (SELECT id * 64 + 1 FROM notes WHERE guid = 'rich-opt-3')",
    );
    assert_eq!(answered, 1, "the new reverse card was reviewed");
    let made_here: i64 = env.sql("SELECT count(*) FROM reviews WHERE kind = 'schedule'");
    let out_path = env.path("back.apkg");
    let out = env.ok(&[
        "export",
        "deck",
        "--deck",
        "Rich",
        "-o",
        out_path.to_str().unwrap(),
    ]);
    assert!(
        out.contains(&format!(
            "{made_here} of these answers were made here on notes from Anki"
        )),
        "{out}"
    );
    let dir = tempfile::tempdir().unwrap();
    let conn =
        rusqlite::Connection::open(unzip(&out_path, "collection.anki2", dir.path())).unwrap();
    let (fields, rows): (String, i64) = conn
        .query_row(
            "SELECT n.flds, (SELECT count(*) FROM revlog r WHERE r.cid = c.id)
             FROM cards c JOIN notes n ON n.id = c.nid WHERE n.guid = 'rich-opt-3' AND c.ord = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(fields, "Auto\u{1f}car\u{1f}y", "the edit, and nothing else");
    assert_eq!(rows, 1, "the new card brings its answer");
}
