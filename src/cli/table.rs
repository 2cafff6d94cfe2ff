//! A small aligned text table for terminal listings.

use unicode_width::UnicodeWidthStr;

use crate::text::sanitize;

/// Left-aligned columns separated by two spaces; numeric columns (`right`) right-aligned.
/// Cells are sanitised and cut to `max_width` display columns (with an ellipsis).
pub fn render(headers: &[&str], rows: &[Vec<String>], right: &[usize], max_width: usize) -> String {
    let clean: Vec<Vec<String>> = rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| truncate(&sanitize(cell).replace('\n', " "), max_width))
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = headers.iter().map(|h| h.width()).collect();
    for row in &clean {
        for (i, cell) in row.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(cell.width());
            }
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = widths[i].saturating_sub(cell.width());
                if right.contains(&i) {
                    format!("{}{cell}", " ".repeat(pad))
                } else if i + 1 == cells.len() {
                    (*cell).to_string()
                } else {
                    format!("{cell}{}", " ".repeat(pad))
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string()
    };
    let mut out = vec![line(headers.to_vec())];
    for row in &clean {
        out.push(line(row.iter().map(String::as_str).collect()));
    }
    out.join("\n")
}

fn truncate(text: &str, max_width: usize) -> String {
    if text.width() <= max_width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if out.width() + 1 >= max_width {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}
