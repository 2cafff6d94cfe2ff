//! PURE: HTML field text (Anki's, or a CSV with `#html:true`) to plain text.
//!
//! Line breaks survive: `<br>` is a line break, `<div>`, `<li>`, `<tr>` and headings start a
//! new line, `<p>` a new paragraph. Every other tag is dropped (with the contents of `<script>`
//! and `<style>`, and comments), runs of white space fold to one space as a browser shows them,
//! and entities are decoded, named (all of HTML5's) and numeric (`&#233;`, `&#xE9;`). A `<`
//! that does not start a tag (`a < b`) is kept as text.

/// How a tag affects the lines of the text.
enum Break {
    None,
    Line,
    Paragraph,
}

fn tag_break(name: &str) -> Break {
    match name {
        "br" | "div" | "li" | "tr" | "ul" | "ol" | "table" | "h1" | "h2" | "h3" | "h4" | "h5"
        | "h6" | "blockquote" | "pre" | "hr" => Break::Line,
        "p" => Break::Paragraph,
        _ => Break::None,
    }
}

fn line_break(out: &mut String) {
    while out.ends_with(' ') {
        out.pop();
    }
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// The end of a tag starting at `start` (the byte after its `>`), skipping quoted attribute
/// values; `None` when it never closes.
fn tag_end(html: &str, start: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut quote: Option<u8> = None;
    for (i, &b) in bytes.iter().enumerate().skip(start + 1) {
        match quote {
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if b == b'"' || b == b'\'' => quote = Some(b),
            None if b == b'>' => return Some(i + 1),
            None => {}
        }
    }
    None
}

/// Plain text of an HTML fragment.
pub fn to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let lower = html.to_ascii_lowercase();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'<' {
            let next = bytes.get(i + 1).copied().unwrap_or(b' ');
            if lower[i..].starts_with("<!--") {
                i = lower[i..]
                    .find("-->")
                    .map_or(bytes.len(), |end| i + end + 3);
                continue;
            }
            if (next.is_ascii_alphabetic() || next == b'/' || next == b'!')
                && let Some(end) = tag_end(html, i)
            {
                let inner = lower[i + 1..end - 1].trim_start_matches('/');
                let name: String = inner
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                let closing = lower[i + 1..].starts_with('/');
                if !closing && (name == "script" || name == "style") {
                    let close = format!("</{name}");
                    i = lower[end..].find(&close).map_or(bytes.len(), |at| {
                        tag_end(html, end + at).unwrap_or(bytes.len())
                    });
                    continue;
                }
                match tag_break(&name) {
                    Break::None => {}
                    Break::Line if name == "br" => {
                        while out.ends_with(' ') {
                            out.pop();
                        }
                        out.push('\n');
                    }
                    Break::Line => line_break(&mut out),
                    Break::Paragraph => {
                        line_break(&mut out);
                        if !out.is_empty() && !out.ends_with("\n\n") {
                            out.push('\n');
                        }
                    }
                }
                i = end;
                continue;
            }
        }
        // Text: copy a run up to the next '<', folding white space as a browser does.
        let first = html[i..].chars().next().map_or(1, char::len_utf8);
        let run_end = html[i + first..]
            .find('<')
            .map_or(bytes.len(), |at| i + first + at);
        for c in html[i..run_end].chars() {
            if c.is_whitespace() {
                if !out.is_empty() && !out.ends_with(' ') && !out.ends_with('\n') {
                    out.push(' ');
                }
            } else {
                out.push(c);
            }
        }
        i = run_end;
    }
    let decoded = html_escape::decode_html_entities(&out).replace('\u{a0}', " ");
    let lines: Vec<&str> = decoded.lines().map(str::trim).collect();
    let mut text = lines.join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_and_blocks_become_new_lines() {
        assert_eq!(
            to_text("one<br>two<br/>three<BR />four"),
            "one\ntwo\nthree\nfour"
        );
        assert_eq!(to_text("<div>a</div><div>b</div>"), "a\nb");
        assert_eq!(to_text("<p>first</p><p>second</p>"), "first\n\nsecond");
        assert_eq!(to_text("<ul><li>x</li><li>y</li></ul>"), "x\ny");
    }

    #[test]
    fn other_tags_are_removed_and_their_text_kept() {
        assert_eq!(
            to_text("<b>bold</b> and <span style=\"color: red\">red</span>"),
            "bold and red"
        );
        assert_eq!(to_text("<a href='x>y'>link</a><img src=\"p.png\">"), "link");
        assert_eq!(
            to_text("a<script>alert('<b>')</script>b<style>p{}</style>c<!-- note -->d"),
            "abcd"
        );
    }

    #[test]
    fn entities_are_decoded_including_numeric_ones() {
        assert_eq!(
            to_text("caf&eacute; &amp; cr&#232;me &#x263A; &lt;b&gt; &alpha;&nbsp;1"),
            "café & crème ☺ <b> α 1"
        );
    }

    #[test]
    fn white_space_folds_and_a_bare_less_than_sign_stays() {
        assert_eq!(to_text("  a \n\t b  "), "a b");
        assert_eq!(to_text("x < y and 3<4"), "x < y and 3<4");
    }
}
