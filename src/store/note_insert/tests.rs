//! The note writer's tests: every field stored as given, the optional and shared columns, the
//! planned ids and SQLite's errors.

use super::*;
use crate::store::Collection;

fn fields(n: usize) -> NoteFields {
    NoteFields {
        key: format!("key-{n}"),
        guid: n.is_multiple_of(2).then(|| format!("g{n}")),
        term: format!("naïve term {n} \"quoted\""),
        definition: format!("definition {n}\nsecond line, with a comma"),
        example: if n == 1 {
            "an example".into()
        } else {
            String::new()
        },
        aliases: vec![format!("alias {n}"), "a\"b\\c".into()],
        tags: if n == 2 { vec![] } else { vec!["t1".into()] },
        related: vec![],
        rich: None,
        forward_only: false,
        cards_from_file: false,
        source: "src".into(),
    }
}

#[test]
fn every_field_arrives_as_given_and_nothing_stays_bound() {
    let collection = Collection::open_in_memory().unwrap();
    let conn = collection.conn();
    conn.execute(
        "INSERT INTO decks (id, name, created_at) VALUES (7, 'D', 0)",
        [],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
         VALUES (99, 7, 'before', 't', 'd', 0, 0)",
        [],
    )
    .unwrap();
    let notes: Vec<NoteFields> = (0..3).map(fields).collect();
    let mut insert = NoteInsert::prepare(conn, 3).unwrap();
    let rows: Vec<NoteRow> = notes
        .iter()
        .enumerate()
        .map(|(i, f)| NoteRow {
            id: 100 + i as i64,
            deck_id: 7,
            fields: f,
        })
        .collect();
    insert.run(&rows, 1234).unwrap();
    // The wrong number of rows is refused rather than half bound.
    assert!(insert.run(&rows[..2], 1234).is_err());
    // The expanded text shows each parameter's value.
    let expanded = insert.stmt.expanded_sql().unwrap();
    assert!(
        !expanded.contains("key-"),
        "a string stayed bound: {expanded}"
    );
    // 17 places a row: 12 columns, the dates twice, the shape's four values with `cards` twice.
    assert_eq!(expanded.matches("NULL").count(), 3 * 17, "{expanded}");
    drop(insert);
    for (i, expected) in notes.iter().enumerate() {
        let id = 100 + i as i64;
        let stored = collection.note(id).unwrap();
        assert_eq!(&stored.fields, expected, "note {id}");
        assert_eq!(stored.deck_id, 7);
        let (created, modified, fresh): (i64, i64, i64) = conn
            .query_row(
                "SELECT created_at, modified_at, fresh FROM notes WHERE id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!((created, modified, fresh), (1234, 1234, 3));
    }
}

#[test]
fn notes_leaving_optional_columns_empty_are_stored_exactly() {
    // Chunks where no note, one note or every note fills the optional columns, each
    // column on its own, and a remainder written one by one: every note reads back as
    // given, defaults included.
    let collection = Collection::open_in_memory().unwrap();
    let conn = collection.conn();
    conn.execute(
        "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0)",
        [],
    )
    .unwrap();
    let plain = |n: usize| NoteFields {
        key: format!("k{n}"),
        term: format!("t{n}"),
        definition: format!("d{n}"),
        ..NoteFields::default()
    };
    let mut notes: Vec<NoteFields> = Vec::new();
    for n in 0..32 {
        notes.push(plain(n));
    }
    for n in 32..64 {
        notes.push(if n == 40 { fields(n) } else { plain(n) });
    }
    for n in 64..96 {
        notes.push(fields(n));
    }
    for (i, n) in (96..102).enumerate() {
        let mut note = plain(n);
        match i {
            0 => note.guid = Some(format!("g{n}")),
            1 => note.example = "e".into(),
            2 => note.aliases = vec!["a".into()],
            3 => note.tags = vec!["t".into()],
            4 => note.related = vec!["r".into()],
            _ => note.source = "s".into(),
        }
        notes.push(note);
    }
    for n in 102..135 {
        notes.push(if n % 5 == 0 { fields(n) } else { plain(n) });
    }
    let rows: Vec<NoteRow> = notes
        .iter()
        .enumerate()
        .map(|(i, fields)| NoteRow {
            id: 1 + i as i64,
            deck_id: 1,
            fields,
        })
        .collect();
    let mut writer = NoteWriter::prepare(conn).unwrap();
    writer.insert(&rows, 77).unwrap();
    // Several statements were needed, one per set of columns and size.
    assert!(writer.statements.len() >= 4, "{}", writer.statements.len());
    drop(writer);
    for (i, expected) in notes.iter().enumerate() {
        let stored = collection.note(1 + i as i64).unwrap();
        assert_eq!(&stored.fields, expected, "note {}", i + 1);
    }
    let defaults: i64 = conn
        .query_row(
            "SELECT count(*) FROM notes WHERE guid IS NULL AND example = '' AND aliases = '[]'
             AND tags = '[]' AND related = '[]' AND source = '' AND created_at = 77
             AND modified_at = 77 AND fresh = 3",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let plain_count = notes.iter().filter(|n| needed(n) == 0).count();
    assert_eq!(defaults, plain_count as i64);
}

#[test]
fn values_shared_by_a_statement_s_rows_are_bound_once_and_stored_for_each() {
    // Rows of two decks with their own tags, then rows of one deck sharing their tags: the
    // writer binds a value once only where every row of a statement has it.
    let collection = Collection::open_in_memory().unwrap();
    let conn = collection.conn();
    conn.execute_batch("INSERT INTO decks (id, name, created_at) VALUES (1, 'A', 0), (2, 'B', 0);")
        .unwrap();
    let notes: Vec<NoteFields> = (0..70)
        .map(|n| NoteFields {
            key: format!("k{n}"),
            term: format!("t{n}"),
            definition: format!("d{n}"),
            tags: if n < 32 {
                vec![format!("own{n}")]
            } else {
                vec!["same".into()]
            },
            aliases: if n < 40 { vec![] } else { vec!["a".into()] },
            ..NoteFields::default()
        })
        .collect();
    let rows: Vec<NoteRow> = notes
        .iter()
        .enumerate()
        .map(|(i, fields)| NoteRow {
            id: 1 + i as i64,
            deck_id: if i < 32 { 1 + (i as i64 % 2) } else { 2 },
            fields,
        })
        .collect();
    let mut writer = NoteWriter::prepare(conn).unwrap();
    writer.insert(&rows, 9).unwrap();
    let mut keys: Vec<(usize, ColumnSet, SharedSet)> = writer.statements.keys().copied().collect();
    keys.sort_unstable();
    // 32 rows of two decks and their own tags; 32 of one deck and tag (aliases differ from
    // row 40 on); then six statements of one row, sharing every value they write.
    assert_eq!(keys, [(1, 12, 7), (32, 8, 0), (32, 12, 5)]);
    drop(writer);
    for (row, expected) in rows.iter().zip(&notes) {
        let stored = collection.note(row.id).unwrap();
        assert_eq!(&stored.fields, expected, "note {}", row.id);
        assert_eq!(stored.deck_id, row.deck_id, "note {}", row.id);
    }
    let times: i64 = conn
        .query_row(
            "SELECT count(*) FROM notes WHERE created_at = 9 AND modified_at = 9",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(times, 70);
    // A statement that binds a value once refuses rows that do not share it.
    let mut insert = NoteInsert::prepare_with(conn, 2, 0, 1).unwrap();
    let differ = [
        NoteRow {
            id: 71,
            deck_id: 1,
            fields: &notes[0],
        },
        NoteRow {
            id: 72,
            deck_id: 2,
            fields: &notes[1],
        },
    ];
    let err = insert.run(&differ, 0).unwrap_err().to_string();
    assert!(err.contains("do not share"), "{err}");
}

#[test]
fn every_column_is_stored_as_text_or_integer_never_a_blob() {
    // The JSON lists are built as bytes; bound as bytes they would be stored as blobs,
    // which read back as an error. Every column of every note has SQLite's type for it.
    let collection = Collection::open_in_memory().unwrap();
    let conn = collection.conn();
    conn.execute(
        "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0)",
        [],
    )
    .unwrap();
    let notes: Vec<NoteFields> = (0..4).map(fields).collect();
    let rows: Vec<NoteRow> = notes
        .iter()
        .enumerate()
        .map(|(i, fields)| NoteRow {
            id: 1 + i as i64,
            deck_id: 1,
            fields,
        })
        .collect();
    NoteInsert::prepare(conn, 4).unwrap().run(&rows, 5).unwrap();
    let types: Vec<String> = conn
        .prepare(
            "SELECT DISTINCT typeof(deck_id) || typeof(key) || typeof(term)
             || typeof(definition) || typeof(example) || typeof(aliases) || typeof(tags)
             || typeof(related) || typeof(source) || typeof(created_at)
             || typeof(modified_at) || (typeof(guid) IN ('text', 'null'))
             FROM notes",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(
        types,
        ["integer".to_string() + &"text".repeat(8) + "integerinteger1"],
        "{types:?}"
    );
}

#[test]
fn ids_that_are_not_the_next_ones_are_refused() {
    let collection = Collection::open_in_memory().unwrap();
    let conn = collection.conn();
    conn.execute(
        "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0)",
        [],
    )
    .unwrap();
    let notes: Vec<NoteFields> = (0..6).map(fields).collect();
    let mut insert = NoteInsert::prepare(conn, 2).unwrap();
    let rows = |first: i64, second: i64| {
        // Other keys for each try: a refused run may have written its rows (the caller's
        // transaction rolls them back).
        [first, second]
            .into_iter()
            .zip(&notes[first as usize - 1..])
            .map(|(id, fields)| NoteRow {
                id,
                deck_id: 1,
                fields,
            })
            .collect::<Vec<_>>()
    };
    // Not one after the other: refused before anything is written.
    let err = insert.run(&rows(1, 3), 0).unwrap_err().to_string();
    assert!(err.contains("do not follow one another"), "{err}");
    let count = |conn: &rusqlite::Connection| -> i64 {
        conn.query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(count(conn), 0);
    // Not after the largest id (the table is empty, so SQLite gives 1 and 2).
    let err = insert.run(&rows(5, 6), 0).unwrap_err().to_string();
    assert!(err.contains("note 6 was stored under id 2"), "{err}");
    // The planned ones.
    insert.run(&rows(3, 4), 0).unwrap();
    let ids: Vec<i64> = conn
        .prepare("SELECT id FROM notes ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert_eq!(ids, [1, 2, 3, 4]);
}

#[test]
fn a_constraint_failure_is_an_error_with_sqlite_message() {
    let collection = Collection::open_in_memory().unwrap();
    let conn = collection.conn();
    conn.execute(
        "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0)",
        [],
    )
    .unwrap();
    let note = fields(0);
    let mut insert = NoteInsert::prepare(conn, 2).unwrap();
    let rows = [
        NoteRow {
            id: 1,
            deck_id: 1,
            fields: &note,
        },
        NoteRow {
            id: 2,
            deck_id: 1,
            fields: &note,
        },
    ];
    let err = insert.run(&rows, 0).unwrap_err().to_string();
    assert!(err.contains("UNIQUE constraint failed"), "{err}");
}
