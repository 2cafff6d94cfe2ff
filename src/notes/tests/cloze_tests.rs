//! Cloze numbers and the question/answer of cloze cards, as Anki shows them.

use std::collections::BTreeSet;

use crate::notes::cloze::{reveal, typed_answer};
use crate::notes::{Context, Kind, NoteType, Style, cloze_numbers, html_to_rich};

fn set(ns: &[u32]) -> BTreeSet<u32> {
    ns.iter().copied().collect()
}

fn shown(text: &str, n: u32, question: bool) -> String {
    html_to_rich(&reveal(text, n, question)).plain()
}

#[test]
fn numbers_as_anki_counts_them() {
    assert_eq!(cloze_numbers("plain"), set(&[]));
    assert_eq!(cloze_numbers("{{c2::te}}{{c1::s}}t{{"), set(&[1, 2]));
    assert_eq!(cloze_numbers("{{c0::te}}s{{c2::t}}s"), set(&[2]));
    assert_eq!(cloze_numbers("{{c2::te{{c1::s}}}}t"), set(&[1, 2]));
    assert_eq!(cloze_numbers("{{c1,3::x}} {{c12::y}}"), set(&[1, 3, 12]));
    assert_eq!(cloze_numbers("{{c1::never closed"), set(&[]));
    assert_eq!(cloze_numbers("{{c::x}} {{cx::y}} {{c1:z}}"), set(&[]));
}

#[test]
fn question_hides_the_asked_number_and_shows_others() {
    let text = "{{c1::DNA}} is read by {{c2::RNA polymerase::enzyme}} in {{c3::the nucleus}}";
    assert_eq!(
        shown(text, 1, true),
        "[...] is read by RNA polymerase in the nucleus"
    );
    assert_eq!(
        shown(text, 2, true),
        "DNA is read by [enzyme] in the nucleus"
    );
    assert_eq!(
        shown(text, 3, false),
        "DNA is read by RNA polymerase in the nucleus"
    );
    assert_eq!(shown(text, 4, true), "");
    let rich = html_to_rich(&reveal(text, 2, false));
    let asked: Vec<&str> = rich
        .spans
        .iter()
        .filter(|s| s.style.cloze)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(asked, vec!["RNA polymerase"]);
}

#[test]
fn repeated_numbers_all_hide() {
    let text = "{{c1::a}} and {{c1::b::hint}} but {{c2::c}}";
    assert_eq!(shown(text, 1, true), "[...] and [hint] but c");
    assert_eq!(shown(text, 1, false), "a and b but c");
    assert_eq!(typed_answer(text, 1), "a, b");
    assert_eq!(typed_answer("{{c1::x}} {{c1::x}}", 1), "x");
    assert_eq!(typed_answer("{{c2::x}}", 1), "");
}

#[test]
fn nested_deletions_as_in_anki() {
    let text = "foo {{c1::bar {{c2::baz}}::qux}}";
    assert_eq!(shown(text, 1, true), "foo [qux]");
    assert_eq!(shown(text, 1, false), "foo bar baz");
    assert_eq!(shown(text, 2, true), "foo bar [...]");
    assert_eq!(shown(text, 2, false), "foo bar baz");
    assert_eq!(shown("foo {{c1::bar {{c2::baz}}}}", 1, true), "foo [...]");
    assert_eq!(typed_answer("foo {{c1::bar {{c2::baz}}}}", 1), "bar baz");
}

#[test]
fn stray_markers_stay_text() {
    assert_eq!(shown("a }} {{c1::b}}", 1, true), "a }} [...]");
    assert_eq!(shown("{{c1::b}} {{c1::open", 1, false), "b");
}

#[test]
fn mathjax_keeps_its_text_and_shows_the_gap() {
    let text = r"\(x^{{{c1::2}}} + {{c2::y}}\) and {{c3::z}}";
    let question = html_to_rich(&reveal(text, 1, true));
    assert_eq!(question.plain(), r"\(x^{[...]} + y\) and z");
    assert!(question.spans.iter().all(|s| s.style == Style::default()));
    assert_eq!(shown(text, 1, false), r"\(x^{2} + y\) and z");
    assert_eq!(shown(text, 3, true), r"\(x^{2} + y\) and [...]");
}

#[test]
fn cloze_type_cards_and_rendering() {
    let nt = NoteType::stock(Kind::Cloze);
    let text =
        "{{c1::DNA}} codes {{c2::protein::what?}}; {{c3::<b>ribosomes</b>}} build it".to_string();
    let fields = vec![text, "<i>extra</i>".to_string()];
    assert_eq!(nt.card_ords(&fields), vec![0, 1, 2]);
    let ctx = Context {
        tags: &[],
        deck: "bio",
    };
    let card = nt.render(&fields, 1, &ctx);
    assert_eq!(
        card.question.plain(),
        "DNA codes [what?]; ribosomes build it"
    );
    assert_eq!(
        card.answer.plain(),
        "DNA codes protein; ribosomes build it\nextra"
    );
    assert_eq!(card.typed, None);
    let cloze: Vec<&str> = card
        .answer
        .spans
        .iter()
        .filter(|s| s.style.cloze)
        .map(|s| s.text.as_str())
        .collect();
    assert_eq!(cloze, vec!["protein"]);
}

#[test]
fn cloze_card_ords_repeated_nested_none_and_other_fields() {
    let nt = NoteType::stock(Kind::Cloze);
    let f = |a: &str, b: &str| vec![a.to_string(), b.to_string()];
    assert_eq!(
        nt.card_ords(&f("{{c2::a}} {{c2::b}} {{c5::c}}", "")),
        vec![1, 4]
    );
    assert_eq!(nt.card_ords(&f("{{c1::a {{c3::b}}}}", "")), vec![0, 2]);
    assert_eq!(nt.card_ords(&f("no deletion", "")), vec![0]);
    // Anki counts the numbers in every field of the note
    assert_eq!(nt.card_ords(&f("{{c1::a}}", "{{c2::b}}")), vec![0, 1]);
    assert_eq!(nt.card_ords(&f("{{c600::a}} {{c700::b}}", "")), vec![499]);
    assert_eq!(
        nt.card_ords(&f(r"\({{c1::x}}\) {{c2::y::hint}}", "")),
        vec![0, 1]
    );
}

#[test]
fn typed_cloze_template() {
    let nt = NoteType {
        kind: Kind::Anki,
        name: "Cloze typed".to_string(),
        fields: vec!["Text".to_string()],
        templates: vec![crate::notes::Template {
            name: "Cloze".to_string(),
            front: "{{cloze:Text}}\n{{type:cloze:Text}}".to_string(),
            back: "{{cloze:Text}}<br>{{type:cloze:Text}}".to_string(),
        }],
        css: String::new(),
    };
    assert!(nt.is_cloze());
    let fields = vec!["The {{c1::<b>mitochondria</b>}} is the {{c2::powerhouse}}".to_string()];
    assert_eq!(nt.card_ords(&fields), vec![0, 1]);
    let card = nt.render(
        &fields,
        0,
        &Context {
            tags: &[],
            deck: "d",
        },
    );
    assert_eq!(card.question.plain(), "The [...] is the powerhouse");
    assert_eq!(card.answer.plain(), "The mitochondria is the powerhouse");
    assert_eq!(card.typed.as_deref(), Some("mitochondria"));
}
