//! The CSV/TSV reader's tests: header lines, separators, columns, quoting and the errors.

use super::*;
use std::path::PathBuf;

fn parse_str(text: &str) -> Result<TextDeck> {
    parse(&PathBuf::from("deck.csv"), text, "Default", None)
}

fn notes(deck: &TextDeck) -> Vec<&NoteFields> {
    deck.decks
        .iter()
        .flat_map(|d| d.notes.iter().map(|n| &n.fields))
        .collect()
}

#[test]
fn without_headers_columns_are_term_definition_and_example() {
    let deck = parse_str("BERT,a language model,BERT reads both ways\nGPT,a decoder,\n").unwrap();
    let n = notes(&deck);
    assert_eq!(n.len(), 2);
    assert_eq!(n[0].term, "BERT");
    assert_eq!(n[0].definition, "a language model");
    assert_eq!(n[0].example, "BERT reads both ways");
    assert_eq!(n[0].key, "bert");
    assert_eq!(deck.decks[0].name, "Default");
}

#[test]
fn a_spreadsheet_header_row_names_the_columns() {
    let deck =
        parse_str("Definition,Term,Tags\r\na language model,BERT,nlp\nan optimiser,Adam,\"x\"\n")
            .unwrap();
    let n = notes(&deck);
    assert_eq!(n.len(), 2, "the header row is not a note");
    assert_eq!(
        (n[0].term.as_str(), n[0].definition.as_str()),
        ("BERT", "a language model")
    );
    assert_eq!(n[0].tags, vec!["nlp".to_string()]);
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);
    // A row that is not all column names is data, even when one field looks like one.
    let data = parse_str("term,a word that names something\nword,a unit of language\n").unwrap();
    assert_eq!(notes(&data)[0].term, "term");
    // Errors below it still name the file's own line numbers.
    let ragged = parse_str("#separator:Comma\nterm,definition\na,b\nc,d,e,f\n").unwrap_err();
    assert!(ragged.to_string().contains("deck.csv:4:"), "{ragged}");
}

#[test]
fn the_separator_is_detected_tab_first_then_by_consistency() {
    let tsv = parse_str("a\tb, with comma\nc\td, also\n").unwrap();
    assert_eq!(notes(&tsv)[0].definition, "b, with comma");
    let semi = parse_str("a;x, y\nb;z, w, v\n").unwrap();
    assert_eq!(notes(&semi)[1].definition, "z, w, v");
    let pipe = parse_str("a|one\nb|two\n").unwrap();
    assert_eq!(notes(&pipe)[1].term, "b");
    let err = parse_str("just one column\nanother\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("#separator:"), "{err}");
}

#[test]
fn headers_name_columns_decks_tags_and_guids() {
    let text = "\u{feff}#separator:Semicolon\r\n#html:false\r\n#columns:Front;Back;Deck;Tags;guid;Aliases;Extra\r\n#deck column:3\r\n#tags column:4\r\n#guid column:5\r\n#notetype:Basic\r\nk-NN;\"nearest; neighbours\";ML::Basics;lazy simple;g1;\"kNN; k nearest\";x\r\n";
    let text = text.trim_start_matches('\u{feff}');
    let deck = parse_str(text).unwrap();
    assert_eq!(deck.decks[0].name, "ML::Basics");
    let n = notes(&deck)[0];
    assert_eq!(n.definition, "nearest; neighbours");
    assert_eq!(n.tags, vec!["lazy", "simple"]);
    assert_eq!(n.guid.as_deref(), Some("g1"));
    assert_eq!(n.aliases, vec!["kNN", "k nearest"]);
    assert!(
        deck.warnings.iter().any(|w| w.contains("'Extra'")),
        "{:?}",
        deck.warnings
    );
}

#[test]
fn quoted_fields_keep_separators_quotes_and_line_breaks() {
    let deck =
        parse_str("#separator:Comma\n\"a, b\",\"say \"\"hi\"\"\nthen go\"\nnext,one\n").unwrap();
    let n = notes(&deck);
    assert_eq!(n[0].term, "a, b");
    assert_eq!(n[0].definition, "say \"hi\"\nthen go");
    // The record after a multi-line field is placed on its own line.
    assert_eq!(deck.decks[0].notes[1].position.map(|p| p.line), Some(4));
}

#[test]
fn html_fields_become_text() {
    let deck =
        parse_str("#html:true\n#separator:Tab\n<b>a</b>&amp;b\tline<br>two&nbsp;&#233;\n").unwrap();
    let n = notes(&deck)[0];
    assert_eq!(n.term, "a&b");
    assert_eq!(n.definition, "line\ntwo é");
}

#[test]
fn a_ragged_row_is_located_after_its_last_good_field() {
    let err = parse_str("#separator:Comma\na,b\nc,d,e\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("deck.csv:3:5:"), "{err}");
    assert!(
        err.contains("3 fields") && err.contains("line 2 has 2"),
        "{err}"
    );
}

#[test]
fn an_unterminated_quote_is_located_at_its_opening() {
    let err = parse_str("#separator:Comma\na,b\nc,\"open\nmore,text\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("deck.csv:3:3:"), "{err}");
    assert!(err.contains("never closed"), "{err}");
}

#[test]
fn empty_files_and_header_only_files_are_refused() {
    assert!(parse_str("  \n").unwrap_err().to_string().contains("empty"));
    let err = parse_str("#separator:Comma\n#columns:term,definition\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("no notes"), "{err}");
}

#[test]
fn a_missing_definition_is_located_at_its_field() {
    let err = parse_str("#separator:Comma\na,b\nc,  \n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("deck.csv:3:3:"), "{err}");
}

#[test]
fn the_row_estimate_counts_records_not_header_or_quoted_lines() {
    let text =
        "#separator:Comma\n#columns:term,definition\nA,\"one\ntwo\"\r\n\nB,b\r\nC,\"c, \"\"d\"\"\"";
    assert_eq!(estimate_rows(text), 3);
    assert_eq!(parse_str(text).unwrap().decks[0].notes.len(), 3);
    assert_eq!(estimate_rows("a,b\n"), 1);
    assert_eq!(estimate_rows(""), 0);
    assert_eq!(
        estimate_rows("a,b\n \t\r\n\n\"\"\n  x,y"),
        3,
        "a lone \"\" is a record"
    );
    assert_eq!(estimate_rows("a,\"b\n\nc\"\r\n\r\n"), 1);
}

/// The estimate byte by byte, the plain way: what the memchr scan must agree with.
fn estimate_rows_bytewise(data: &str) -> usize {
    let (mut rows, mut quoted, mut blank) = (0, false, true);
    for &byte in data.as_bytes() {
        match byte {
            b'"' => {
                quoted = !quoted;
                blank = false;
            }
            b'\n' if !quoted => {
                rows += usize::from(!blank);
                blank = true;
            }
            b'\r' | b' ' | b'\t' => {}
            _ => blank = false,
        }
    }
    rows + usize::from(!blank)
}

proptest::proptest! {
    #[test]
    fn the_row_estimate_agrees_with_a_byte_by_byte_count(
        text in proptest::collection::vec(
            proptest::sample::select(vec!["a", ",", "\"", "\n", "\r", " ", "\t", "é"]),
            0..60,
        )
    ) {
        // No header lines (a '#' is never generated), so the whole text is data.
        let text = text.concat();
        proptest::prop_assert_eq!(estimate_rows(&text), estimate_rows_bytewise(&text));
    }
}

#[test]
fn a_hash_below_the_first_row_is_text_and_lines_count_from_the_top() {
    let deck = parse_str("#separator:Comma\n# a comment\na,b\n#define,a C macro\n").unwrap();
    assert_eq!(notes(&deck)[1].term, "#define");
    assert_eq!(deck.decks[0].notes[1].position.map(|p| p.line), Some(4));
    let err = parse_str("#separator:Comma\n# a comment\na,b\nc,\n")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("deck.csv:4:3:"), "{err}");
}

#[test]
fn a_field_named_by_two_columns_takes_the_later_one_for_the_deck_too() {
    let deck = parse_str("#columns:term,definition,deck,deck\na,b,X,Y\n").unwrap();
    let names: Vec<&str> = deck.decks.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["Y"]);
    // And an empty term is found in the later term column.
    let error = parse_str("#columns:term,definition,term\na,b,\n")
        .unwrap_err()
        .to_string();
    assert!(error.contains("deck.csv:2:5: the term is empty"), "{error}");
}

/// Anki's "Notes in Plain Text" layout: guid, note type and deck columns, fields, tags.
const TYPED: &str = "#separator:tab\n#html:false\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:7\n";

#[test]
fn a_note_type_column_gives_each_row_its_type_and_its_fields_in_order() {
    let text = format!(
        "{TYPED}g1\tBasic\tD\tHund\tdog & \"cat\"\t\ta b\n\
         g2\tcloze\tD\t{{{{c1::x}}}} < {{{{c3::y}}}}\tline\t\t\n\
         \tvocab\tE\tTerm\tMeaning\tAn example\t\n\
         g4\tBasic (optional reversed card)\tD\tBaum\ttree\ty\t\n\
         g5\tBasic\tD\tHund\tanother dog\t\t\n"
    );
    let deck = parse_str(&text).unwrap();
    assert_eq!(deck.decks.len(), 2);
    let n = notes(&deck);
    assert_eq!(n.len(), 5);
    let basic = n[0].rich.as_ref().unwrap();
    assert_eq!(basic.notetype.notetype.name, "Basic");
    assert_eq!(
        basic.values,
        ["Hund", "dog &amp; &quot;cat&quot;"],
        "escaped as Anki escapes text; the padding column is beyond Basic's two fields"
    );
    assert_eq!(basic.cards, 1);
    assert_eq!(
        (n[0].term.as_str(), n[0].definition.as_str()),
        ("Hund", "dog & \"cat\"")
    );
    assert_eq!(n[0].guid.as_deref(), Some("g1"));
    assert_eq!(n[0].tags, ["a", "b"]);
    let cloze = n[1].rich.as_ref().unwrap();
    assert_eq!(cloze.values[0], "{{c1::x}} &lt; {{c3::y}}");
    assert_eq!(cloze.cards, 0b101, "c1 and c3");
    assert_eq!(
        n[2].rich.as_ref().unwrap().cards,
        0b11,
        "Add Reverse filled"
    );
    assert_eq!(
        (n[0].key.as_str(), n[3].key.as_str()),
        ("hund", "hund-2"),
        "keys are unique in their deck"
    );
    assert_eq!(deck.decks[1].name, "E");
    assert!(n[4].rich.is_none(), "a vocab row is read as before");
    assert_eq!(
        (n[4].term.as_str(), n[4].example.as_str()),
        ("Term", "An example")
    );
    assert!(deck.warnings.is_empty(), "{:?}", deck.warnings);
}

#[test]
fn html_rows_keep_their_html_byte_for_byte() {
    let text = "#separator:tab\n#html:true\n#notetype column:1\n\
                Basic\t <b>a</b>  \t\"x\ny\"\n";
    let deck = parse_str(text).unwrap();
    let n = notes(&deck);
    assert_eq!(n[0].rich.as_ref().unwrap().values, [" <b>a</b>  ", "x\ny"]);
    assert_eq!(n[0].term, "a");
}

#[test]
fn a_jargon_row_reads_jargons_package_fields_in_order() {
    let text = "#separator:tab\n#html:true\n#notetype column:1\n#tags column:9\n\
                jargon\tBERT\ta <i>model</i>\tex\tb1; b2\tgpt\tsrc\tbert-key\tnlp\n";
    let deck = parse_str(text).unwrap();
    let n = notes(&deck)[0];
    assert!(n.rich.is_none());
    assert_eq!(
        (n.term.as_str(), n.definition.as_str(), n.example.as_str()),
        ("BERT", "a model", "ex")
    );
    assert_eq!(n.aliases, ["b1", "b2"]);
    assert_eq!(n.related, ["gpt"]);
    assert_eq!((n.source.as_str(), n.key.as_str()), ("src", "bert-key"));
    assert_eq!(n.tags, ["nlp"]);
}

#[test]
fn rows_anki_would_skip_or_trim_are_said_and_an_unknown_type_is_refused_at_its_cell() {
    let text = "#separator:tab\n#notetype column:1\nBasic\t\tb\t\nBasic\ta\tb\tc\nBasic\tok\t\t\n";
    let deck = parse_str(text).unwrap();
    assert_eq!(notes(&deck).len(), 2);
    assert_eq!(
        deck.warnings,
        [
            "1 row(s) with an empty first field were skipped, as Anki skips them",
            "1 row(s) have more fields than their note type; the extra ones were dropped"
        ]
    );
    let err =
        parse_str("#separator:tab\n#notetype column:2\nfront\tBasic\nx\tVocab Plus\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "deck.csv:4:3: the note type 'Vocab Plus' is neither in the collection nor one of Anki's stock types; import an Anki package that has it first"
    );
}

#[test]
fn a_type_the_collection_has_is_found_by_name() {
    let custom = crate::model::NoteTypeInput {
        notetype: crate::notes::NoteType {
            kind: crate::notes::Kind::Anki,
            name: "Vocab Plus".into(),
            fields: vec!["Chapter".into(), "Prompt".into(), "Answer".into()],
            templates: crate::notes::NoteType::stock(crate::notes::Kind::Basic).templates,
            css: String::new(),
        },
        anki_id: Some(42),
        extra: "{}".into(),
    };
    let known = KnownTypes::new([custom]);
    let text = "#separator:tab\n#notetype column:1\nvocab plus\tCh 1\tto run\tlaufen\n";
    let deck = parse_with(&PathBuf::from("d.txt"), text, "D", None, &known).unwrap();
    let rich = notes(&deck)[0].rich.clone().unwrap();
    assert_eq!(rich.notetype.anki_id, Some(42));
    assert_eq!(rich.values, ["Ch 1", "to run", "laufen"]);
    assert_eq!(notes(&deck)[0].term, "Ch 1");
}
