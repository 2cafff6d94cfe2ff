//! A small aligned text table for terminal listings, fitted to the terminal's width.

use crate::repl::render::{display_width, truncate, wrap};
use crate::text::sanitize;

/// Columns are separated by this many spaces.
const GAP: usize = 2;
/// A text column is not cut narrower than this (or its own width, if less).
const MIN_CUT: usize = 6;
/// A wrapping last column keeps at least this many columns while others can give way.
const MIN_WRAP: usize = 20;

/// Left-aligned columns separated by two spaces; numeric columns (`right`) right-aligned.
/// Cells are sanitised and cut to `max_cell` columns; when the table is wider than `width`,
/// the widest left-aligned columns are cut further (with `…`) until it fits.
pub fn render(
    headers: &[&str],
    rows: &[Vec<String>],
    right: &[usize],
    max_cell: usize,
    width: usize,
) -> String {
    layout(headers, rows, right, max_cell, width, false)
}

/// As [`render`], but the last column (a description, a meaning) wraps at words within the
/// room left by the others, continuation lines indented to its start.
pub fn render_wrapping(
    headers: &[&str],
    rows: &[Vec<String>],
    right: &[usize],
    max_cell: usize,
    width: usize,
) -> String {
    layout(headers, rows, right, max_cell, width, true)
}

/// The table's shape: each column's width and how it is drawn.
struct Shape<'a> {
    widths: Vec<usize>,
    right: &'a [usize],
    /// The last column wraps at words (and is not cut).
    wrap_last: bool,
    last: usize,
    /// The continuation lines' indent: the width of every column but the last.
    indent: String,
}

fn layout(
    headers: &[&str],
    rows: &[Vec<String>],
    right: &[usize],
    max_cell: usize,
    width: usize,
    wrap_last: bool,
) -> String {
    let columns = headers.len();
    let last = columns.saturating_sub(1);
    let wrap_last = wrap_last && columns > 0 && !right.contains(&last);
    let clean = clean_cells(rows, columns, max_cell, wrap_last.then_some(last));
    let mut widths: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for row in &clean {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(display_width(cell));
        }
    }
    fit(&mut widths, right, wrap_last, width);
    let indent = " ".repeat(total(&widths) - widths[last]);
    let shape = Shape {
        widths,
        right,
        wrap_last,
        last,
        indent,
    };
    let header_cells: Vec<String> = headers.iter().map(|h| (*h).to_string()).collect();
    let mut out = shape.line(&header_cells);
    for row in &clean {
        out.extend(shape.line(row));
    }
    // Whatever could not give way (numbers, a terminal narrower than the figures) is cut.
    out.iter()
        .map(|l| truncate(l, width))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The cells sanitised on one line each, cut to `max_cell` columns but the wrapping one.
fn clean_cells(
    rows: &[Vec<String>],
    columns: usize,
    max_cell: usize,
    wrapping: Option<usize>,
) -> Vec<Vec<String>> {
    rows.iter()
        .map(|row| {
            row.iter()
                .take(columns)
                .enumerate()
                .map(|(i, cell)| {
                    let one_line = sanitize(cell).replace('\n', " ");
                    if wrapping == Some(i) {
                        one_line
                    } else {
                        truncate(&one_line, max_cell)
                    }
                })
                .collect()
        })
        .collect()
}

/// The width of a table with these column widths.
fn total(widths: &[usize]) -> usize {
    widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1)
}

/// Cuts the widest text columns until the table fits `width` (a wrapping last column keeps
/// [`MIN_WRAP`] while others can give way, then takes the room left).
fn fit(widths: &mut [usize], right: &[usize], wrap_last: bool, width: usize) {
    let columns = widths.len();
    let last = columns.saturating_sub(1);
    let shrinkable: Vec<usize> = (0..columns)
        .filter(|i| !(right.contains(i) || (wrap_last && *i == last)))
        .collect();
    let floors: Vec<usize> = widths.iter().map(|&w| w.min(MIN_CUT)).collect();
    if wrap_last {
        let keep = widths[last].min(MIN_WRAP);
        while total(widths) - widths[last] + keep > width {
            if !shrink_widest(widths, &shrinkable, &floors) {
                break;
            }
        }
        let room = width.saturating_sub(total(widths) - widths[last]).max(1);
        widths[last] = widths[last].min(room);
    } else {
        while total(widths) > width {
            if !shrink_widest(widths, &shrinkable, &floors) {
                break;
            }
        }
    }
}

impl Shape<'_> {
    /// One row's lines: the cells padded to their widths, then the wrapping column's further
    /// lines under itself.
    fn line(&self, cells: &[String]) -> Vec<String> {
        let mut parts = Vec::with_capacity(cells.len());
        let mut tail = Vec::new();
        for (i, cell) in cells.iter().enumerate() {
            let cell = if self.wrap_last && i == self.last {
                let mut lines = wrap(cell, self.widths[i], "", "");
                let first = if lines.is_empty() {
                    String::new()
                } else {
                    lines.remove(0)
                };
                tail = lines;
                first
            } else {
                truncate(cell, self.widths[i])
            };
            let pad = " ".repeat(self.widths[i].saturating_sub(display_width(&cell)));
            parts.push(if self.right.contains(&i) {
                format!("{pad}{cell}")
            } else if i == self.last {
                cell
            } else {
                format!("{cell}{pad}")
            });
        }
        let mut lines = vec![parts.join(&" ".repeat(GAP)).trim_end().to_string()];
        lines.extend(
            tail.into_iter()
                .map(|rest| format!("{}{rest}", self.indent)),
        );
        lines
    }
}

/// Cuts the widest column that is above its floor by one; false when none can give.
fn shrink_widest(widths: &mut [usize], shrinkable: &[usize], floors: &[usize]) -> bool {
    let widest = shrinkable
        .iter()
        .copied()
        .filter(|&i| widths[i] > floors[i])
        .max_by_key(|&i| (widths[i], std::cmp::Reverse(i)));
    match widest {
        Some(i) => {
            widths[i] -= 1;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows() -> Vec<Vec<String>> {
        vec![
            vec![
                "ML::Deep learning and NLP".into(),
                "126".into(),
                "Neural networks, how they are trained, and the main architectures.".into(),
            ],
            vec!["Short".into(), "3".into(), "Brief.".into()],
        ]
    }

    #[test]
    fn a_table_wider_than_the_terminal_cuts_its_widest_text_column() {
        let text = render(&["deck", "new", "description"], &rows(), &[1], 60, 40);
        for line in text.lines() {
            assert!(display_width(line) <= 40, "{line}");
        }
        assert!(text.contains('…'), "{text}");
        assert!(text.contains("126"), "{text}");
        // Room enough: nothing is cut.
        let wide = render(&["deck", "new", "description"], &rows(), &[1], 80, 120);
        assert!(!wide.contains('…'), "{wide}");
    }

    #[test]
    fn a_wrapping_last_column_continues_under_itself() {
        let text = render_wrapping(&["deck", "new", "description"], &rows(), &[1], 60, 60);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "deck                       new  description");
        assert_eq!(
            lines[1],
            "ML::Deep learning and NLP  126  Neural networks, how they"
        );
        assert_eq!(
            lines[2],
            "                                are trained, and the main"
        );
        assert_eq!(lines[3], "                                architectures.");
        assert_eq!(lines[4], "Short                        3  Brief.");
    }
}
