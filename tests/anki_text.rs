//! Anki's "Notes in Plain Text" with a note type column (`bench/anki_text_fixture.sh` made the
//! files with Anki's own engine): each row arrives under its type with its fields byte for byte
//! and Anki's cards; re-importing changes nothing; a guid updates a note in place; an unknown
//! type or a ragged row is refused at its line and column with nothing written. And
//! `import --map-fields`, which makes notes of an Anki type vocab notes, and the CSV/TSV export
//! of notes of other types, which comes back under their types.

use std::collections::BTreeMap;

use crate::common::{Env, fixture};

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("anki-notes.expected.json")).unwrap())
        .unwrap()
}

/// A collection that has Anki's "Vocab Plus" type: the package that brings it imported first
/// (the text file names its type; a custom one must already be there).
fn with_custom_type() -> Env {
    let env = Env::new();
    let package = fixture("anki-rich.apkg");
    env.ok(&["import", package.to_str().unwrap()]);
    env
}

/// A stored note: note type name, fields, tags, deck, card bits.
type Stored = (String, Vec<String>, Vec<String>, String, i64);

/// Per guid of the text notes, the stored note.
fn stored_text_notes(env: &Env) -> BTreeMap<String, Stored> {
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let mut stmt = conn
        .prepare(
            "SELECT n.guid, t.name, n.fields, n.tags, d.name, n.cards FROM notes n
             JOIN notetypes t ON t.id = n.notetype_id JOIN decks d ON d.id = n.deck_id
             WHERE n.guid LIKE 'text-%'",
        )
        .unwrap();
    let rows = stmt
        .query_map([], |r| {
            let fields: String = r.get(2)?;
            let tags: String = r.get(3)?;
            Ok((
                r.get::<_, String>(0)?,
                (
                    r.get::<_, String>(1)?,
                    serde_json::from_str(&fields).unwrap(),
                    serde_json::from_str(&tags).unwrap(),
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                ),
            ))
        })
        .unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

fn bits(ords: &serde_json::Value) -> i64 {
    ords.as_array()
        .unwrap()
        .iter()
        .map(|o| 1i64 << o.as_i64().unwrap())
        .sum()
}

#[test]
fn every_note_of_ankis_export_arrives_under_its_type_with_its_fields_and_ankis_cards() {
    let env = with_custom_type();
    let file = fixture("anki-notes.txt");
    let out = env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(out, "Imported: 13 added, 0 updated, 0 unchanged.\n");
    let expected = expected();
    let rich: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("anki-rich.expected.json")).unwrap())
            .unwrap();
    assert_eq!(
        expected["notetypes"]["Vocab Plus"], rich["notetypes"]["Vocab Plus"],
        "the package brings the very type the text file names"
    );
    let stored = stored_text_notes(&env);
    let notes = expected["notes"].as_object().unwrap();
    assert_eq!(stored.len(), notes.len());
    let mut cards = 0;
    for (guid, note) in notes {
        let (notetype, fields, tags, deck, mask) = &stored[guid];
        assert_eq!(notetype, note["notetype"].as_str().unwrap(), "{guid}");
        let want: Vec<String> = serde_json::from_value(note["fields"].clone()).unwrap();
        assert_eq!(fields, &want, "{guid}: fields byte for byte");
        let want_tags: Vec<String> = serde_json::from_value(note["tags"].clone()).unwrap();
        assert_eq!(tags, &want_tags, "{guid}");
        assert_eq!(deck, note["deck"].as_str().unwrap(), "{guid}");
        assert_eq!(*mask, bits(&note["cards"]), "{guid}: Anki's cards");
        cards += note["cards"].as_array().unwrap().len();
    }
    assert_eq!(cards, 18);
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["cards", "--deck", "Text", "--json"])).unwrap();
    assert_eq!(listed.len(), cards, "one jargon card per Anki card");
    // The custom type is the one the package brought, not a copy.
    let custom: i64 = env.sql("SELECT count(*) FROM notetypes WHERE name = 'Vocab Plus'");
    assert_eq!(custom, 1);
    assert!(env.ok(&["check"]).starts_with("ok:"));

    // Again: nothing changes.
    let before = env.fingerprint();
    let again = env.ok(&["import", file.to_str().unwrap()]);
    assert_eq!(
        again,
        "Nothing to change: 0 added, 0 updated, 13 unchanged.\n"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn a_file_without_html_is_escaped_as_ankis_own_import_stores_it() {
    let env = with_custom_type();
    let file = fixture("anki-notes-plain.txt");
    env.ok(&["import", file.to_str().unwrap()]);
    let expected = expected();
    let stored = stored_text_notes(&env);
    for (guid, fields) in expected["plain_import"].as_object().unwrap() {
        let want: Vec<String> = serde_json::from_value(fields.clone()).unwrap();
        assert_eq!(stored[guid].1, want, "{guid}");
    }
}

#[test]
fn an_unknown_type_and_a_ragged_row_are_refused_at_their_cell_with_nothing_written() {
    let env = Env::new();
    env.ok(&["decks"]);
    let before = env.fingerprint();
    let file = fixture("anki-notes.txt");
    let err = env.fails(&["import", file.to_str().unwrap()], 1);
    assert_eq!(
        err,
        format!(
            "jargon: {}:19:14: the note type 'Vocab Plus' is neither in the collection nor one of Anki's stock types; import an Anki package that has it first\n",
            file.display()
        )
    );
    let ragged = env.write(
        "ragged.txt",
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n\
         g1\tBasic\tfront\tback\n\
         g2\tCloze\t{{c1::x}}\n",
    );
    let err = env.fails(&["import", ragged.to_str().unwrap()], 1);
    assert_eq!(
        err,
        format!(
            "jargon: {}:6:19: line 6 has 3 fields, line 5 has 4 (quote a field that contains the separator)\n",
            ragged.display()
        )
    );
    assert_eq!(env.fingerprint(), before, "nothing written");
}

#[test]
fn several_types_in_one_file_and_a_guid_updates_its_note_in_place() {
    let env = Env::new();
    let header = "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n";
    let first = format!(
        "{header}b1\tBasic\tMix\tHund\tdog\tde\n\
         c1\tCloze\tMix\t{{{{c1::Paris}}}} is in France\t\tgeo\n\
         r1\tBasic (and reversed card)\tMix\tKatze\tcat\t\n\
         \tvocab\tMix\tepoch\tone pass over the data\t\n"
    );
    let file = env.write("mix.txt", &first);
    assert_eq!(
        env.ok(&["import", file.to_str().unwrap()]),
        "Imported: 4 added, 0 updated, 0 unchanged.\n"
    );
    let kinds: String = env.sql(
        "SELECT group_concat(t.kind || ':' || n.cards, ' ') FROM (SELECT * FROM notes ORDER BY id) n
         JOIN notetypes t ON t.id = n.notetype_id JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Mix'",
    );
    assert_eq!(kinds, "basic:1 cloze:1 basic-reversed:3 vocab:3");
    let cloze_id: i64 = env.sql("SELECT id FROM notes WHERE guid = 'c1'");
    // The same guids, the Cloze note with a second deletion and its first field changed.
    let second = first.replace(
        "{{c1::Paris}} is in France",
        "{{c1::Paris}} is in {{c2::France}}",
    );
    let file = env.write("mix.txt", &second);
    assert_eq!(
        env.ok(&["import", file.to_str().unwrap()]),
        "Imported: 0 added, 1 updated, 3 unchanged.\n"
    );
    let (id, cards, fields): (i64, i64, String) = {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.query_row(
            "SELECT id, cards, fields FROM notes WHERE guid = 'c1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .unwrap()
    };
    assert_eq!(id, cloze_id, "updated in place");
    assert_eq!(cards, 0b11, "the c2 card is added");
    assert_eq!(fields, r#"["{{c1::Paris}} is in {{c2::France}}",""]"#);
    assert!(env.ok(&["check"]).starts_with("ok:"));
}

#[test]
fn map_fields_makes_notes_of_an_anki_type_vocab_notes_with_their_history() {
    let env = Env::new();
    let package = fixture("anki-rich.apkg");
    let spec = "Prompt=term, Answer=definition, Chapter=example, Notes=source";
    let out = env.ok(&["import", package.to_str().unwrap(), "--map-fields", spec]);
    assert!(out.starts_with("Imported: 25 added"), "{out}");
    let row: String = env.sql(
        "SELECT notetype_id || '|' || term || '|' || definition || '|' || example || '|' || source
         || '|' || tags || '|' || cards FROM notes WHERE guid = 'rich-vocab-4'",
    );
    assert_eq!(
        row, r#"1|to be|sein|Chapter 3|ich bin, du bist|["german"]|3"#,
        "a vocab note: fields as text, forward and reverse cards"
    );
    let vocab: i64 =
        env.sql("SELECT count(*) FROM notes WHERE guid LIKE 'rich-vocab-%' AND notetype_id = 1");
    assert_eq!(vocab, 4);
    let others: i64 = env.sql(
        "SELECT count(*) FROM notes WHERE guid LIKE 'rich-%' AND guid NOT LIKE 'rich-vocab-%'
         AND notetype_id <> 1",
    );
    assert_eq!(others, 21, "types the map does not fit keep their type");
    // The answers of their Anki card (template 0) are the forward card's, card by card.
    let rich: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("anki-rich.expected.json")).unwrap())
            .unwrap();
    for card in rich["cards"].as_array().unwrap() {
        let guid = card["note"].as_str().unwrap();
        if !guid.starts_with("rich-vocab-") {
            continue;
        }
        assert_eq!(card["ord"], 0);
        let logged: i64 = env.sql(&format!(
            "SELECT count(*) FROM reviews r JOIN notes n ON n.id = r.card_id / 64
             WHERE n.guid = '{guid}' AND r.card_id % 64 = 0"
        ));
        let revlog = card["revlog"].as_i64().unwrap();
        // A card with scheduling and no log gets one row carrying its state.
        assert!(
            logged == revlog || (revlog == 0 && logged <= 1),
            "{guid}: {logged} rows for Anki's {revlog}"
        );
    }
    assert!(env.ok(&["check"]).starts_with("ok:"));
    let again = env.ok(&["import", package.to_str().unwrap(), "--map-fields", spec]);
    assert!(
        again.contains("0 added, 0 updated, 25 unchanged"),
        "{again}"
    );
}

#[test]
fn map_fields_over_a_text_file_and_its_bad_specs() {
    let env = Env::new();
    let file = env.write(
        "basic.txt",
        "#separator:tab\n#html:true\n#notetype column:1\n\
         Basic\t<b>Hund</b>\tdog\n\
         Cloze\t{{c1::x}}\t\n",
    );
    let path = file.to_str().unwrap();
    env.ok(&["import", path, "--map-fields", "Front=term,Back=definition"]);
    let row: String = env.sql(
        "SELECT notetype_id || '|' || term || '|' || definition FROM notes WHERE key = 'hund'",
    );
    assert_eq!(row, "1|Hund|dog");
    let cloze: String = env.sql(
        "SELECT t.kind FROM notes n JOIN notetypes t ON t.id = n.notetype_id WHERE n.key = 'c1-x'",
    );
    assert_eq!(cloze, "cloze");

    let before = env.fingerprint();
    let cases = [
        (
            "Front=term,Back=meaning",
            "jargon: --map-fields 'Front=term,Back=meaning': 'meaning' is not a jargon field (one of term, definition, example, aliases, tags, related, source, key)\n",
        ),
        (
            "Front=term",
            "jargon: --map-fields 'Front=term': no Anki field maps to definition (a vocab note needs a term and a definition)\n",
        ),
        (
            "Front=term,Verso=definition",
            "jargon: --map-fields: no note type in the files has a field named 'Verso'\n",
        ),
        (
            "Front=term,Back Extra=definition",
            "jargon: --map-fields: no note type in the files has all of the fields Front, Back Extra\n",
        ),
    ];
    for (spec, expected) in cases {
        let err = env.fails(&["import", path, "--map-fields", spec], 2);
        assert_eq!(err, expected, "{spec}");
    }
    assert_eq!(env.fingerprint(), before, "nothing written");
}

#[test]
fn notes_of_other_types_export_with_a_note_type_column_and_come_back_under_it() {
    let env = with_custom_type();
    let file = fixture("anki-notes.txt");
    env.ok(&["import", file.to_str().unwrap()]);
    let out = env.path("text.tsv");
    env.ok(&[
        "export",
        "deck",
        "--deck",
        "Text",
        "--format",
        "tsv",
        "-o",
        out.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.starts_with(
            "#separator:Tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:9\n"
        ),
        "{text}"
    );
    // Into the same collection: nothing changes.
    let again = env.ok(&["import", out.to_str().unwrap()]);
    assert_eq!(
        again,
        "Nothing to change: 0 added, 0 updated, 13 unchanged.\n"
    );
    // Into another collection that has the custom type: the same notes.
    let other = with_custom_type();
    other.ok(&["import", out.to_str().unwrap()]);
    assert_eq!(stored_text_notes(&other), stored_text_notes(&env));

    // A whole export, vocab notes included (rows of jargon's type), comes back unchanged.
    let all = env.path("all.csv");
    env.ok(&["export", "deck", "-o", all.to_str().unwrap()]);
    let back = env.ok(&["import", all.to_str().unwrap()]);
    assert!(
        back.starts_with("Nothing to change: 0 added, 0 updated,"),
        "{back}"
    );
}
