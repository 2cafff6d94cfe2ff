//! The note types jargon knows by name: our `vocab` and Anki's stock types,
//! with Anki's field names, template names, template text and styling.

use super::{Kind, NoteType, Template};

/// Anki's default card styling.
const CSS: &str = ".card {\n    font-family: arial;\n    font-size: 20px;\n    line-height: 1.5;\n    text-align: center;\n    color: black;\n    background-color: white;\n}\n";

/// Added to [`CSS`] for cloze types.
const CLOZE_CSS: &str = ".cloze {\n    font-weight: bold;\n    color: blue;\n}\n.nightMode .cloze {\n    color: lightblue;\n}\n";

fn template(name: &str, front: String, back: String) -> Template {
    Template {
        name: name.to_string(),
        front,
        back,
    }
}

fn note_type(kind: Kind, name: &str, fields: &[&str], templates: Vec<Template>) -> NoteType {
    NoteType {
        kind,
        name: name.to_string(),
        fields: fields.iter().map(|f| f.to_string()).collect(),
        templates,
        css: CSS.to_string(),
    }
}

/// `{{FrontSide}}`, Anki's answer separator, then `{{field}}`.
fn answer(field: &str) -> String {
    format!("{{{{FrontSide}}}}\n\n<hr id=answer>\n\n{{{{{field}}}}}")
}

pub(crate) fn stock(kind: Kind) -> NoteType {
    let card1 = || template("Card 1", "{{Front}}".to_string(), answer("Back"));
    let card2 = || template("Card 2", "{{Back}}".to_string(), answer("Front"));
    match kind {
        Kind::Basic => note_type(kind, "Basic", &["Front", "Back"], vec![card1()]),
        Kind::BasicReversed => note_type(
            kind,
            "Basic (and reversed card)",
            &["Front", "Back"],
            vec![card1(), card2()],
        ),
        Kind::BasicOptionalReversed => {
            let mut reverse = card2();
            reverse.front = format!("{{{{#Add Reverse}}}}{}{{{{/Add Reverse}}}}", reverse.front);
            note_type(
                kind,
                "Basic (optional reversed card)",
                &["Front", "Back", "Add Reverse"],
                vec![card1(), reverse],
            )
        }
        Kind::Typed => {
            let typed = template(
                "Card 1",
                "{{Front}}\n\n{{type:Back}}".to_string(),
                "{{Front}}\n\n<hr id=answer>\n\n{{type:Back}}".to_string(),
            );
            note_type(
                kind,
                "Basic (type in the answer)",
                &["Front", "Back"],
                vec![typed],
            )
        }
        Kind::Cloze => {
            let front = "{{cloze:Text}}".to_string();
            let back = format!("{front}<br>\n{{{{Back Extra}}}}");
            let mut nt = note_type(
                kind,
                "Cloze",
                &["Text", "Back Extra"],
                vec![template("Cloze", front, back)],
            );
            nt.css.push_str(CLOZE_CSS);
            nt
        }
        Kind::Vocab => {
            let forward = template("forward", "{{Term}}".to_string(), answer("Definition"));
            let reverse = template(
                "reverse",
                "{{Definition}}\n\n{{type:Term}}".to_string(),
                answer("Term"),
            );
            let fields = [
                "Term",
                "Definition",
                "Example",
                "Aliases",
                "Tags",
                "Related",
                "Source",
            ];
            note_type(kind, "vocab", &fields, vec![forward, reverse])
        }
        Kind::Anki => NoteType {
            kind,
            name: "Anki".to_string(),
            fields: Vec::new(),
            templates: Vec::new(),
            css: String::new(),
        },
    }
}
