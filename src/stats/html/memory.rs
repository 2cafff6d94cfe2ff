//! The report's "Your memory" section: the forgetting curves of the FSRS parameters in force,
//! their calibration against what the learner recalled, and the daily minutes of a simulation
//! of the coming months under each scheduler ([`crate::memory::report::MemoryView`]).

use std::fmt::Write as _;

use super::escape;
use crate::memory::report::MemoryView;

/// Line colours, in series order.
const COLOURS: [&str; 8] = [
    "#cf222e", "#bf8700", "#1a7f37", "#0969da", "#8250df", "#59636e", "#e16f24", "#1b7c83",
];

/// One line of an XY chart.
struct Series<'a> {
    label: String,
    points: &'a [(f64, f64)],
}

/// An SVG chart of lines over x 0..`x_max` and y 0..`y_max`, with five ticks on each axis,
/// a legend, and optionally the diagonal y = x (calibration).
fn xy_chart(
    series: &[Series],
    x_max: f64,
    y_max: f64,
    x_label: &str,
    y_percent: bool,
    diagonal: bool,
) -> String {
    let (width, height) = (520.0, 260.0);
    let (left, right, top, bottom) = (48.0, 24.0, 10.0, 36.0);
    let (plot_w, plot_h) = (width - left - right, height - top - bottom);
    let x_max = if x_max > 0.0 { x_max } else { 1.0 };
    let y_max = if y_max > 0.0 { y_max } else { 1.0 };
    let x_of = |x: f64| left + plot_w * (x / x_max).clamp(0.0, 1.0);
    let y_of = |y: f64| top + plot_h * (1.0 - (y / y_max).clamp(0.0, 1.0));
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for step in 0..=4 {
        let fraction = f64::from(step) / 4.0;
        let (y, x) = (y_of(y_max * fraction), x_of(x_max * fraction));
        let y_text = if y_percent {
            format!("{:.0}%", y_max * fraction * 100.0)
        } else {
            format!("{:.0}", y_max * fraction)
        };
        let _ = write!(
            svg,
            "<line class=\"axis\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{y_text}</text>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0,
            top + plot_h + 16.0,
            if y_percent && x_max <= 1.0 {
                format!("{:.0}%", x_max * fraction * 100.0)
            } else {
                format!("{:.0}", x_max * fraction)
            }
        );
    }
    let _ = write!(
        svg,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
        left + plot_w / 2.0,
        height - 4.0,
        escape(x_label)
    );
    if diagonal {
        let _ = write!(
            svg,
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#d1d9e0\" stroke-dasharray=\"4 3\"/>",
            x_of(0.0),
            y_of(0.0),
            x_of(x_max.min(y_max)),
            y_of(x_max.min(y_max))
        );
    }
    for (i, s) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let points: Vec<String> = s
            .points
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", x_of(x), y_of(y)))
            .collect();
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"><title>{}</title></polyline>",
            points.join(" "),
            escape(&s.label)
        );
        if diagonal {
            for &(x, y) in s.points {
                let _ = write!(
                    svg,
                    "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{colour}\"/>",
                    x_of(x),
                    y_of(y)
                );
            }
        }
    }
    svg.push_str("</svg><p class=\"legend\">");
    for (i, s) in series.iter().enumerate() {
        let _ = write!(
            svg,
            "<span><i class=\"swatch\" style=\"background:{}\"></i>{}</span>",
            COLOURS[i % COLOURS.len()],
            escape(&s.label)
        );
    }
    svg.push_str("</p>");
    svg
}

/// The section, or a sentence saying why there is none.
pub(super) fn section(page: &mut String, view: Option<&MemoryView>, why_not: &str) {
    page.push_str("<section><h2>Your memory</h2>");
    let Some(view) = view else {
        let _ = write!(page, "<p class=\"note\">{}</p></section>", escape(why_not));
        return;
    };
    let whose = if view.fitted {
        "your fitted FSRS-6 parameters (jargon optimize)"
    } else {
        "FSRS-6's default parameters (run jargon optimize to fit yours)"
    };
    let _ = write!(
        page,
        "<p class=\"note\">With {whose}.</p><div class=\"two\">"
    );

    let curves: Vec<Vec<(f64, f64)>> = view
        .curves
        .iter()
        .map(|(_, r)| r.iter().enumerate().map(|(t, &p)| (t as f64, p)).collect())
        .collect();
    let series: Vec<Series> = view
        .curves
        .iter()
        .zip(&curves)
        .map(|((name, _), points)| Series {
            label: format!("first answer {name}"),
            points,
        })
        .collect();
    let _ = write!(
        page,
        "<div><h3>Forgetting curves</h3><p class=\"note\">Chance of recall by days since a new card's first answer.</p>{}</div>",
        xy_chart(&series, 60.0, 1.0, "days", true, false)
    );

    let points: Vec<(f64, f64)> = view
        .calibration
        .iter()
        .map(|b| (b.predicted, b.actual))
        .collect();
    let mut table = String::from(
        "<table><tr><th class=\"n\">predicted</th><th class=\"n\">recalled</th><th class=\"n\">answers</th></tr>",
    );
    for b in &view.calibration {
        let _ = write!(
            table,
            "<tr><td class=\"n\">{:.1}%</td><td class=\"n\">{:.1}%</td><td class=\"n\">{}</td></tr>",
            b.predicted * 100.0,
            b.actual * 100.0,
            b.answers
        );
    }
    table.push_str("</table>");
    let _ = write!(
        page,
        "<div><h3>Calibration</h3><p class=\"note\">{} answers a day or more after the card's last, grouped by predicted recall; on the dashed line prediction and recall agree.</p>{}{}</div></div>",
        view.scored,
        xy_chart(
            &[Series {
                label: "predicted against recalled".to_string(),
                points: &points
            }],
            1.0,
            1.0,
            "predicted recall",
            true,
            true
        ),
        table
    );

    let runs: Vec<(String, Vec<(f64, f64)>)> = view
        .simulation
        .runs
        .iter()
        .map(|run| {
            let label = match run.desired_retention {
                Some(r) => format!("fsrs at {:.0}%", f64::from(r) * 100.0),
                None => run.scheduler.name().to_string(),
            };
            let points = run
                .per_day
                .iter()
                .enumerate()
                .map(|(day, d)| (day as f64, d.minutes))
                .collect();
            (label, points)
        })
        .collect();
    let peak = runs
        .iter()
        .flat_map(|(_, p)| p.iter().map(|&(_, m)| m))
        .fold(0.0, f64::max);
    let series: Vec<Series> = runs
        .iter()
        .map(|(label, points)| Series {
            label: label.clone(),
            points,
        })
        .collect();
    let mut summary = String::new();
    for run in &view.simulation.runs {
        let label = match run.desired_retention {
            Some(r) => format!("fsrs at {:.0}%", f64::from(r) * 100.0),
            None => run.scheduler.name().to_string(),
        };
        let _ = write!(
            summary,
            "{}: {} reviews, {:.0} minutes, {:.0} cards remembered; ",
            escape(&label),
            run.reviews,
            run.minutes,
            run.memorized
        );
    }
    let _ = write!(
        page,
        "<h3>The next {} days</h3><p class=\"note\">Minutes a day on your cards under each scheduler, one memory model judging all ({}). <code>jargon simulate</code> plays a year and more retentions.</p>{}</section>",
        view.simulation.days,
        summary.trim_end_matches("; "),
        xy_chart(
            &series,
            view.simulation.days as f64,
            (peak * 1.1).ceil().max(1.0),
            "days from today",
            false,
            false
        )
    );
}
