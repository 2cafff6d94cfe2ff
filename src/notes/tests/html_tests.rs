//! `html_to_rich`: every rule, with exact text and styles.

use crate::notes::{Rich, Span, Style, html_to_rich};

fn plain(html: &str) -> String {
    html_to_rich(html).plain()
}

fn span(text: &str, style: Style) -> Span {
    Span {
        text: text.to_string(),
        style,
    }
}

const BOLD: Style = Style {
    bold: true,
    italic: false,
    underline: false,
    code: false,
    cloze: false,
};
const PLAIN: Style = Style {
    bold: false,
    italic: false,
    underline: false,
    code: false,
    cloze: false,
};

#[test]
fn inline_styles_come_from_tags() {
    let rich = html_to_rich("a <b>bold</b> <i>it</i><u>u</u><code>c</code>");
    let italic = Style {
        italic: true,
        ..PLAIN
    };
    let underline = Style {
        underline: true,
        ..PLAIN
    };
    let code = Style {
        code: true,
        ..PLAIN
    };
    assert_eq!(
        rich.spans,
        vec![
            span("a ", PLAIN),
            span("bold", BOLD),
            span(" ", PLAIN),
            span("it", italic),
            span("u", underline),
            span("c", code),
        ]
    );
    let rich = html_to_rich("<strong><em>x</em></strong><kbd>k</kbd><pre>p</pre>");
    assert_eq!(
        rich.spans[0],
        span(
            "x",
            Style {
                bold: true,
                italic: true,
                ..PLAIN
            }
        )
    );
    assert_eq!(rich.plain(), "xk\np");
    assert!(
        rich.spans
            .iter()
            .all(|s| s.text == "\n" || s.style != PLAIN)
    );
}

#[test]
fn escape_sequences_in_text_are_kept_as_text_without_style() {
    let rich = html_to_rich("\u{1b}[1mnot bold");
    assert_eq!(rich.spans, vec![span("\u{1b}[1mnot bold", PLAIN)]);
}

#[test]
fn line_breaks_divs_and_paragraphs() {
    assert_eq!(plain("a<br>b"), "a\nb");
    assert_eq!(plain("a<br/><br />b"), "a\n\nb");
    assert_eq!(plain("a<br><br><br><br>b"), "a\n\nb");
    assert_eq!(plain("<div>a</div><div>b</div>"), "a\nb");
    assert_eq!(plain("<div>a</div><div><br></div><div>b</div>"), "a\n\nb");
    assert_eq!(plain("<div>a<br></div><div>b</div>"), "a\nb");
    assert_eq!(plain("<p>one</p>\n<p>two</p>"), "one\ntwo");
    assert_eq!(plain("<br><br> <div> a  \n b </div> <br><br>"), "a b");
    assert_eq!(plain("x<hr id=answer>y"), "x\ny");
}

#[test]
fn whitespace_collapses_but_nbsp_stays() {
    assert_eq!(plain("  a \t\n  b  "), "a b");
    assert_eq!(plain("a&nbsp;&nbsp;b"), "a  b");
    assert_eq!(plain("<pre>a  b\n  c</pre>"), "a  b\n  c");
}

#[test]
fn lists_are_bullets_and_numbers_nested_indented() {
    assert_eq!(plain("<ul><li>one</li><li>two</li></ul>"), "• one\n• two");
    assert_eq!(
        plain("<ol><li>a</li><li>b</li></ol>after"),
        "1. a\n2. b\nafter"
    );
    assert_eq!(
        plain("<ul><li>x<ol><li>y</li><li>z</li></ol></li><li>w</li></ul>"),
        "• x\n  1. y\n  2. z\n• w"
    );
    assert_eq!(plain("<li>stray"), "• stray");
}

#[test]
fn tables_are_rows_of_cells() {
    let html = "<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>1</td></tr></table>next";
    assert_eq!(plain(html), "k | v\na | 1\nnext");
}

#[test]
fn images_and_sounds_are_placeholders() {
    assert_eq!(
        plain(r#"see <img src="cell.png"> here"#),
        "see [image: cell.png] here"
    );
    assert_eq!(
        plain("<img class=x src='a&amp;b.jpg'/>"),
        "[image: a&b.jpg]"
    );
    assert_eq!(plain("<IMG SRC=plot.svg>"), "[image: plot.svg]");
    assert_eq!(plain("[sound:dna.mp3]"), "[sound: dna.mp3]");
}

#[test]
fn superscripts_and_subscripts() {
    assert_eq!(plain("x<sup>2</sup> + e<sup>-in</sup>"), "x² + e⁻ⁱⁿ");
    assert_eq!(plain("x<sup>Q</sup>"), "x^(Q)");
    assert_eq!(plain("H<sub>2</sub>O, x<sub>i+1</sub>"), "H₂O, xᵢ₊₁");
    assert_eq!(plain("a<sub>by</sub>"), "a_(by)");
    assert_eq!(plain("a<sup><b>2</b></sup>"), "a²");
    assert_eq!(plain("a<sup>3"), "a³");
}

#[test]
fn entities_are_decoded() {
    assert_eq!(
        plain("a &amp; b &lt;c&gt; &#233;&#x41; &quot;"),
        "a & b <c> éA \""
    );
    assert_eq!(plain("&bogus; 1 < 2"), "&bogus; 1 < 2");
}

#[test]
fn scripts_styles_and_comments_are_dropped() {
    assert_eq!(
        plain("a<script>alert(1)</script>b<style>.x{}</style>c<!-- no -->d"),
        "abcd"
    );
    assert_eq!(plain("a<SCRIPT type=x>x</sCrIpT >b"), "ab");
    assert_eq!(plain("a<script>never closed"), "a");
    assert_eq!(plain("a<!-- never closed"), "a");
}

#[test]
fn other_tags_dropped_content_kept() {
    assert_eq!(
        plain(r#"<span style="color:red">red</span> <a href="x">link</a>"#),
        "red link"
    );
    assert_eq!(plain("<font>f</font><unknown-tag>u</unknown-tag>"), "fu");
}

#[test]
fn mathjax_is_kept_as_written() {
    assert_eq!(plain(r"\(x^2 <b>+</b> y_{i}\)"), r"\(x^2 + y_{i}\)");
    assert_eq!(plain(r"\[a &lt; b\] and <b>c</b>"), r"\[a < b\] and c");
    let rich = html_to_rich(r"\(<b>x</b>\)<b>y</b>");
    assert_eq!(rich.spans, vec![span(r"\(x\)", PLAIN), span("y", BOLD)]);
    // an opener without a closer is text, and tags after it still count
    assert_eq!(
        html_to_rich(r"\( <b>z</b>").spans,
        vec![span(r"\( ", PLAIN), span("z", BOLD)]
    );
}

#[test]
fn cloze_span_marks_the_deletion() {
    let rich = html_to_rich(r#"a <span class="cloze" data-ordinal="1">[...]</span> b"#);
    let cloze = Style {
        cloze: true,
        ..PLAIN
    };
    assert_eq!(
        rich.spans,
        vec![span("a ", PLAIN), span("[...]", cloze), span(" b", PLAIN)]
    );
    assert_eq!(
        html_to_rich("<span class=cloze-inactive>x</span>").spans,
        vec![span("x", PLAIN)]
    );
}

#[test]
fn garbage_does_not_panic_or_style() {
    for html in [
        "<",
        "<b",
        "<b>",
        "</b></i></span></li></tr>x",
        "<<>>",
        "<br",
        "<img",
        "<img src=",
        "<sup>",
        "&#xFFFFFFFF;",
        "<ol><li>",
        "\\(",
        "\\)",
    ] {
        let rich: Rich = html_to_rich(html);
        let _ = rich.plain();
    }
    assert_eq!(plain("a < b"), "a < b");
    assert_eq!(plain("a <b c"), "a <b c");
    assert_eq!(plain("</b>x"), "x");
}

/// A fixed-seed linear congruential generator (no proptest needed).
fn lcg(state: &mut u64) -> u64 {
    *state = state
        .wrapping_mul(6_364_136_223_846_793_005)
        .wrapping_add(1_442_695_040_888_963_407);
    *state >> 33
}

#[test]
fn random_input_does_not_panic() {
    const PIECES: [&str; 24] = [
        "<",
        ">",
        "/",
        "b",
        "<b>",
        "</b>",
        "<br>",
        "<div>",
        "<li>",
        "<ol>",
        "<sup>",
        "</sup>",
        "<td>",
        "<span class=cloze>",
        "</span>",
        "&",
        "&#",
        ";",
        "\\(",
        "\\)",
        "é",
        "{{c1::",
        "}}",
        "<!--",
    ];
    let mut state = 42;
    for _ in 0..3000 {
        let len = lcg(&mut state) % 40;
        let mut s = String::new();
        for _ in 0..len {
            let r = lcg(&mut state);
            if r.is_multiple_of(3) {
                let bytes = [(r >> 8) as u8, (r >> 16) as u8];
                s.push_str(&String::from_utf8_lossy(&bytes));
            } else {
                s.push_str(PIECES[(r as usize >> 4) % PIECES.len()]);
            }
        }
        let rich = html_to_rich(&s);
        assert!(rich.spans.iter().all(|sp| !sp.text.is_empty()));
        let _ = crate::notes::cloze_numbers(&s);
    }
}

#[test]
fn megabytes_stay_fast() {
    let started = std::time::Instant::now();
    let inputs = [
        "<".repeat(2_000_000),
        "<b".repeat(1_000_000),
        "<!--".repeat(500_000),
        "<script>".repeat(250_000),
        "\\(".repeat(1_000_000),
        "<li>x".repeat(400_000),
        "<b>a</b> ".repeat(200_000),
    ];
    for input in &inputs {
        let rich = html_to_rich(input);
        assert!(rich.plain().len() <= input.len() * 4);
    }
    assert!(
        started.elapsed().as_secs() < 20,
        "took {:?}",
        started.elapsed()
    );
}
