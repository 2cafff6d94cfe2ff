//! Stock types, card generation and the template language.

use crate::notes::template::field_is_empty;
use crate::notes::{Context, Kind, NoteType, Template};

fn strings(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

const CTX: Context<'static> = Context {
    tags: &[],
    deck: "Bio::Cells",
};

#[test]
fn kind_names_round_trip() {
    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "vocab",
            "basic",
            "basic-reversed",
            "basic-optional-reversed",
            "typed",
            "cloze",
            "anki"
        ]
    );
    for k in Kind::ALL {
        assert_eq!(Kind::parse(k.as_str()), Some(k));
    }
    assert_eq!(Kind::parse("Basic"), None);
}

#[test]
fn stock_types_match_anki() {
    let basic = NoteType::stock(Kind::Basic);
    assert_eq!(basic.name, "Basic");
    assert_eq!(basic.fields, strings(&["Front", "Back"]));
    assert_eq!(basic.templates[0].name, "Card 1");
    assert_eq!(basic.templates[0].front, "{{Front}}");
    assert_eq!(
        basic.templates[0].back,
        "{{FrontSide}}\n\n<hr id=answer>\n\n{{Back}}"
    );
    assert!(basic.css.starts_with(".card {\n    font-family: arial;"));
    let rev = NoteType::stock(Kind::BasicReversed);
    assert_eq!(rev.name, "Basic (and reversed card)");
    assert_eq!(rev.templates[1].name, "Card 2");
    assert_eq!(rev.templates[1].front, "{{Back}}");
    assert_eq!(
        rev.templates[1].back,
        "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}"
    );
    let opt = NoteType::stock(Kind::BasicOptionalReversed);
    assert_eq!(opt.name, "Basic (optional reversed card)");
    assert_eq!(opt.fields, strings(&["Front", "Back", "Add Reverse"]));
    assert_eq!(
        opt.templates[1].front,
        "{{#Add Reverse}}{{Back}}{{/Add Reverse}}"
    );
    let typed = NoteType::stock(Kind::Typed);
    assert_eq!(typed.name, "Basic (type in the answer)");
    assert_eq!(typed.templates[0].front, "{{Front}}\n\n{{type:Back}}");
    assert_eq!(
        typed.templates[0].back,
        "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}"
    );
    let cloze = NoteType::stock(Kind::Cloze);
    assert_eq!(
        (cloze.name.as_str(), cloze.templates[0].name.as_str()),
        ("Cloze", "Cloze")
    );
    assert_eq!(cloze.fields, strings(&["Text", "Back Extra"]));
    assert_eq!(cloze.templates[0].front, "{{cloze:Text}}");
    assert_eq!(
        cloze.templates[0].back,
        "{{cloze:Text}}<br>\n{{Back Extra}}"
    );
    assert!(
        cloze
            .css
            .ends_with(".nightMode .cloze {\n    color: lightblue;\n}\n")
    );
    let vocab = NoteType::stock(Kind::Vocab);
    assert_eq!(vocab.name, "vocab");
    assert_eq!(vocab.fields.len(), 7);
    assert_eq!(vocab.templates[1].front, "{{Definition}}\n\n{{type:Term}}");
    let anki = NoteType::stock(Kind::Anki);
    assert_eq!(
        (anki.name.as_str(), anki.fields.len(), anki.templates.len()),
        ("Anki", 0, 0)
    );
    assert_eq!(anki.card_ords(&[]), Vec::<u32>::new());
}

#[test]
fn stock_card_ords() {
    let fb = strings(&["front", "back"]);
    assert_eq!(NoteType::stock(Kind::Basic).card_ords(&fb), vec![0]);
    assert_eq!(
        NoteType::stock(Kind::BasicReversed).card_ords(&fb),
        vec![0, 1]
    );
    assert_eq!(NoteType::stock(Kind::Typed).card_ords(&fb), vec![0]);
    let opt = NoteType::stock(Kind::BasicOptionalReversed);
    assert_eq!(opt.card_ords(&strings(&["f", "b", ""])), vec![0]);
    assert_eq!(
        opt.card_ords(&strings(&["f", "b", " <br> <div></div>"])),
        vec![0]
    );
    assert_eq!(opt.card_ords(&strings(&["f", "b", "y"])), vec![0, 1]);
    // an empty back gives no reverse card; an empty front still has card 0 (as in Anki)
    assert_eq!(
        NoteType::stock(Kind::BasicReversed).card_ords(&strings(&["f", ""])),
        vec![0]
    );
    assert_eq!(
        NoteType::stock(Kind::BasicReversed).card_ords(&strings(&["", "b"])),
        vec![1]
    );
    assert_eq!(
        NoteType::stock(Kind::Basic).card_ords(&strings(&["", "b"])),
        vec![0]
    );
    let vocab = NoteType::stock(Kind::Vocab);
    assert_eq!(
        vocab.card_ords(&strings(&["term", "definition"])),
        vec![0, 1]
    );
}

#[test]
fn anki_empty_field_rule() {
    for empty in [
        "",
        " ",
        "<BR>",
        "<div />",
        " <div> <br> </div>\n",
        "<br/>",
        "</div>",
    ] {
        assert!(field_is_empty(empty), "{empty:?}");
    }
    for full in ["x", " <div>x</div>\n", "<p></p>", "&nbsp;", "<br  >"] {
        assert!(!field_is_empty(full), "{full:?}");
    }
}

#[test]
fn basic_rendering_and_front_side() {
    let nt = NoteType::stock(Kind::BasicReversed);
    let fields = strings(&["<b>mitosis</b>", "cell division"]);
    let card = nt.render(&fields, 0, &CTX);
    assert_eq!(card.question.plain(), "mitosis");
    assert!(card.question.spans[0].style.bold);
    assert_eq!(card.answer.plain(), "mitosis\ncell division");
    assert_eq!(card.typed, None);
    let reverse = nt.render(&fields, 1, &CTX);
    assert_eq!(reverse.question.plain(), "cell division");
    assert_eq!(reverse.answer.plain(), "cell division\nmitosis");
    let missing = nt.render(&fields, 7, &CTX);
    assert!(missing.question.is_empty() && missing.answer.is_empty());
}

#[test]
fn typed_card_removes_the_placeholder() {
    let nt = NoteType::stock(Kind::Typed);
    let card = nt.render(
        &strings(&["Capital of France?", "<i>Paris</i>&nbsp;"]),
        0,
        &CTX,
    );
    assert_eq!(card.question.plain(), "Capital of France?");
    assert_eq!(card.answer.plain(), "Capital of France?");
    assert_eq!(card.typed.as_deref(), Some("Paris "));
}

/// A custom Anki type with five fields whose answer is the third, typed.
fn five_fields() -> NoteType {
    NoteType {
        kind: Kind::Anki,
        name: "Textbook".to_string(),
        fields: strings(&["Chapter", "Prompt", "Answer", "Figure", "Notes"]),
        templates: vec![Template {
            name: "Recall".to_string(),
            front: "<div class=ch>{{Chapter}}</div>{{Prompt}}{{#Figure}}<br>{{Figure}}{{/Figure}}"
                .to_string(),
            back:
                "{{FrontSide}}<hr id=answer>{{type:Answer}}{{^Notes}}(no notes){{/Notes}}{{Notes}}"
                    .to_string(),
        }],
        css: ".card {}".to_string(),
    }
}

#[test]
fn custom_five_field_type_with_typed_third_field() {
    let nt = five_fields();
    let fields = strings(&[
        "Ch. 3",
        "Name the organelle",
        "mitochondrion",
        r#"<img src="mito.png">"#,
        "",
    ]);
    assert_eq!(nt.card_ords(&fields), vec![0]);
    let card = nt.render(&fields, 0, &CTX);
    assert_eq!(
        card.question.plain(),
        "Ch. 3\nName the organelle\n[image: mito.png]"
    );
    assert_eq!(
        card.answer.plain(),
        "Ch. 3\nName the organelle\n[image: mito.png]\n(no notes)"
    );
    assert_eq!(card.typed.as_deref(), Some("mitochondrion"));
    let with_notes = strings(&["Ch. 3", "Q", "A", "", "see p. 4"]);
    let card = nt.render(&with_notes, 0, &CTX);
    assert_eq!(card.question.plain(), "Ch. 3\nQ");
    assert_eq!(card.answer.plain(), "Ch. 3\nQ\nsee p. 4");
}

fn one_template(front: &str, back: &str, fields: &[&str]) -> NoteType {
    NoteType {
        kind: Kind::Anki,
        name: "T".to_string(),
        fields: strings(fields),
        templates: vec![Template {
            name: "Card X".to_string(),
            front: front.into(),
            back: back.into(),
        }],
        css: String::new(),
    }
}

#[test]
fn template_language() {
    let nt = one_template(
        "{{text:My Field}}|{{hint:My Field}}|{{Nope}}|{{furigana:My Field}}|<!-- c -->{{ My Field }}",
        "{{Tags}}/{{Deck}}/{{Subdeck}}/{{Card}}/{{Type}}{{#c1}}/c1{{/c1}}{{#c2}}/c2{{/c2}}",
        &["My Field"],
    );
    let tags = strings(&["a", "b"]);
    let ctx = Context {
        tags: &tags,
        deck: "Bio::Cells",
    };
    let card = nt.render(&strings(&["<b>x</b>"]), 0, &ctx);
    assert_eq!(card.question.plain(), "x|x||x|x");
    let bold: Vec<(&str, bool)> = card
        .question
        .spans
        .iter()
        .map(|s| (s.text.as_str(), s.style.bold))
        .collect();
    let expected = [
        ("x|", false),
        ("x", true),
        ("||", false),
        ("x", true),
        ("|", false),
        ("x", true),
    ];
    assert_eq!(bold, expected);
    assert_eq!(card.answer.plain(), "a b/Bio::Cells/Cells/Card X/T/c1");
}

#[test]
fn sections_unknown_fields_and_broken_templates() {
    let nt = one_template(
        "{{#A}}a:{{A}}{{/A}}{{^A}}no a{{/A}}{{#Z}}z{{/Z}}{{^Z}}!{{/Z}}",
        "{{/B}}{{#A}}open",
        &["A"],
    );
    assert_eq!(
        nt.render(&strings(&["1"]), 0, &CTX).question.plain(),
        "a:1!"
    );
    assert_eq!(
        nt.render(&strings(&[""]), 0, &CTX).question.plain(),
        "no a!"
    );
    assert_eq!(nt.render(&strings(&["1"]), 0, &CTX).answer.plain(), "open");
    let odd = one_template("{{", "{{#A}}{{A}}", &["A"]);
    assert_eq!(odd.render(&strings(&["v"]), 0, &CTX).question.plain(), "{{");
    assert_eq!(odd.render(&strings(&[]), 0, &CTX).answer.plain(), "");
}

#[test]
fn card_generation_follows_the_front() {
    let nt = NoteType {
        kind: Kind::Anki,
        name: "Multi".to_string(),
        fields: strings(&["A", "B"]),
        templates: vec![
            Template {
                name: "1".into(),
                front: "{{A}}".into(),
                back: String::new(),
            },
            Template {
                name: "2".into(),
                front: "text only".into(),
                back: String::new(),
            },
            Template {
                name: "3".into(),
                front: "{{^A}}{{B}}{{/A}}".into(),
                back: String::new(),
            },
            Template {
                name: "4".into(),
                front: "{{Tags}}".into(),
                back: String::new(),
            },
            Template {
                name: "5".into(),
                front: "{{Deck}}".into(),
                back: String::new(),
            },
            Template {
                name: "6".into(),
                front: "{{FrontSide}}".into(),
                back: String::new(),
            },
        ],
        css: String::new(),
    };
    assert_eq!(nt.card_ords(&strings(&["a", "b"])), vec![0, 4]);
    assert_eq!(nt.card_ords(&strings(&["", "b"])), vec![2, 4]);
    assert_eq!(nt.card_ords_tagged(&strings(&["", ""]), true), vec![3, 4]);
}
