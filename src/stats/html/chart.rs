//! The report's retention line chart in SVG: all reviews, young and mature, on a percentage
//! grid that starts a round 10% under the lowest value.

use std::fmt::Write as _;

use super::{escape, percent};
use crate::stats::compute::RetentionRow;

/// A retention value of a row, or none when the row has no such answers.
type RetentionValue = fn(&RetentionRow) -> Option<f64>;

/// Where the line chart puts a row and a value.
struct ChartFrame {
    width: f64,
    height: f64,
    left: f64,
    top: f64,
    plot_w: f64,
    plot_h: f64,
    /// The lowest percentage shown (as a share).
    floor: f64,
    rows: usize,
}

impl ChartFrame {
    fn new(rows: &[RetentionRow]) -> ChartFrame {
        let (width, height) = (1000.0, 260.0);
        let (left, right, top, bottom) = (44.0, 40.0, 10.0, 24.0);
        let lowest = rows
            .iter()
            .flat_map(|r| [r.young_retention, r.mature_retention, r.retention])
            .flatten()
            .fold(1.0_f64, f64::min);
        ChartFrame {
            width,
            height,
            left,
            top,
            plot_w: width - left - right,
            plot_h: height - top - bottom,
            // A round 10% under the lowest value, so differences stay visible.
            floor: ((lowest * 10.0).floor() / 10.0).clamp(0.0, 0.9),
            rows: rows.len(),
        }
    }

    fn y_of(&self, v: f64) -> f64 {
        self.top + self.plot_h * (1.0 - (v - self.floor) / (1.0 - self.floor))
    }

    fn x_of(&self, i: usize) -> f64 {
        self.left
            + if self.rows > 1 {
                self.plot_w / (self.rows - 1) as f64 * i as f64
            } else {
                self.plot_w / 2.0
            }
    }
}

pub(super) fn line_chart(rows: &[RetentionRow]) -> String {
    // "All reviews" is drawn first and wider, so a young or mature line that equals it (when
    // the other has no answers) lies on top of it rather than under it.
    let series: [(&str, &str, f64, RetentionValue); 3] = [
        ("all reviews", "var(--all)", 5.0, |r| r.retention),
        ("young", "var(--young)", 2.0, |r| r.young_retention),
        ("mature", "var(--mature)", 2.0, |r| r.mature_retention),
    ];
    let frame = ChartFrame::new(rows);
    let (width, height) = (frame.width, frame.height);
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    chart_axes(&mut svg, &frame, rows);
    for (name, colour, stroke, value) in series {
        chart_line(&mut svg, &frame, rows, (name, colour, stroke), value);
    }
    svg.push_str("</svg>");
    svg
}

/// The percentage grid from the floor to 100%, and about twelve row labels.
fn chart_axes(svg: &mut String, frame: &ChartFrame, rows: &[RetentionRow]) {
    let left = frame.left;
    let mut tick = frame.floor;
    while tick <= 1.0 + 1e-9 {
        let y = frame.y_of(tick);
        let _ = write!(
            svg,
            "<line class=\"axis\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{:.0}%</text>",
            left + frame.plot_w,
            left - 6.0,
            y + 4.0,
            tick * 100.0
        );
        tick += 0.1;
    }
    let every = (rows.len() / 12).max(1);
    for (i, row) in rows.iter().enumerate() {
        if i % every == 0 {
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                frame.x_of(i),
                frame.height - 6.0,
                escape(&row.label)
            );
        }
    }
}

/// One series: a path broken where a row has no value, and a dot with a title per value.
fn chart_line(
    svg: &mut String,
    frame: &ChartFrame,
    rows: &[RetentionRow],
    (name, colour, stroke): (&str, &str, f64),
    value: RetentionValue,
) {
    let mut path = String::new();
    let mut pen_down = false;
    for (i, row) in rows.iter().enumerate() {
        match value(row) {
            Some(v) => {
                let _ = write!(
                    path,
                    "{}{:.1},{:.1} ",
                    if pen_down { "L" } else { "M" },
                    frame.x_of(i),
                    frame.y_of(v)
                );
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    if !path.is_empty() {
        let _ = write!(
            svg,
            "<path d=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"{stroke}\"/>",
            path.trim_end()
        );
    }
    for (i, row) in rows.iter().enumerate() {
        if let Some(v) = value(row) {
            let _ = write!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"><title>{} {name}: {}</title></circle>",
                frame.x_of(i),
                frame.y_of(v),
                escape(&row.label),
                percent(Some(v))
            );
        }
    }
}
