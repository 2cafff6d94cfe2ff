//! The HTML report: one self-contained page with inline SVG charts (due forecast, heatmap,
//! retention over time, intervals, ease, hours) and the tables. No network, no JavaScript
//! (tooltips are SVG `<title>` elements), print-friendly CSS. Every piece of text from the
//! collection is sanitised and HTML-escaped.

use std::fmt::Write as _;

use chrono::Datelike;

use super::compute::{Bucket, HardCard, RetentionRow, Stats, ratio};
use super::terminal::{
    empty_series, percent, shade_legend, shade_legend_words, shade_level, shade_thresholds,
    thousands,
};
use crate::repl::render::duration;
use crate::scheduler::Answer;

mod chart;
mod memory;

use chart::line_chart;

/// Text made safe for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let clean = crate::text::sanitize(text);
    let mut out = String::with_capacity(clean.len());
    for c in clean.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0969da; --bg: #ffffff;
        --young: #54aeff; --mature: #1a7f37; --all: #8250df; --bad: #cf222e; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 1.7em; margin: 0 0 4px; }
h2 { font-size: 1.2em; margin: 0 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
p.note, .note { color: var(--muted); font-size: 0.9em; margin: 4px 0 8px; }
section { margin: 28px 0; break-inside: avoid; page-break-inside: avoid; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(160px, 1fr)); gap: 12px; }
.tile { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.tile .value { font-size: 1.6em; font-weight: 600; }
.tile .label { color: var(--muted); font-size: 0.85em; }
table { border-collapse: collapse; margin: 6px 0; font-variant-numeric: tabular-nums; }
th, td { padding: 4px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 0.9em; }
td.n, th.n { text-align: right; }
.two { display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }
svg { display: block; max-width: 100%; height: auto; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .bar { fill: var(--accent); }
svg .axis { stroke: var(--line); }
.legend span { display: inline-block; margin-right: 14px; font-size: 0.85em; color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; vertical-align: -1px; }
footer { color: var(--muted); font-size: 0.85em; border-top: 1px solid var(--line); padding-top: 8px; }
@media (max-width: 760px) { .two { grid-template-columns: 1fr; } }
@media print {
  body { max-width: none; padding: 0; font-size: 10.5pt; }
  section { margin: 14px 0; }
  .tile { border-color: #999; }
  a { color: inherit; text-decoration: none; }
}
"#;

const HEAT_COLOURS: [&str; 5] = ["#ebedf0", "#9be9a8", "#40c463", "#30a14e", "#216e39"];

/// The whole report page, without "Your memory" (the section says it was not computed).
pub fn render(stats: &Stats) -> String {
    render_with_memory(stats, Err("Not computed for this page."))
}

/// The whole report page, with "Your memory" from `memory` (or the sentence saying why there
/// is none).
pub fn render_with_memory(
    stats: &Stats,
    memory: std::result::Result<&crate::memory::report::MemoryView, &str>,
) -> String {
    let mut page = String::with_capacity(64 * 1024);
    let scope = &stats.scope;
    let deck = scope
        .deck
        .as_deref()
        .map_or("all decks".to_string(), |d| format!("deck {}", escape(d)));
    let period = match scope.first_date {
        Some(first) => format!("{first} to {}", scope.today),
        None => format!("all time to {}", scope.today),
    };
    let _ = writeln!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"jargon {version}\">\n\
         <title>jargon statistics: {deck}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <header><h1>jargon statistics</h1>\
         <p class=\"note\">{deck}, {period}. Study days start at {hour:02}:00 ({zone}). Generated {generated}.</p></header>",
        version = env!("CARGO_PKG_VERSION"),
        hour = scope.rollover_hour,
        zone = escape(&scope.timezone),
        generated = escape(&scope.generated_at),
    );
    tiles(&mut page, stats);
    forecast(&mut page, stats);
    heatmap(&mut page, stats);
    retention(&mut page, stats);
    distributions(&mut page, stats);
    retrievability(&mut page, stats);
    buttons_and_hours(&mut page, stats);
    hardest(&mut page, stats);
    match memory {
        Ok(view) => memory::section(&mut page, Some(view), ""),
        Err(why) => memory::section(&mut page, None, why),
    }
    let _ = writeln!(
        page,
        "<footer>Counting rules: cram answers never count; re-drills count as activity \
         (answers, heatmap, streak, time, hours) but not in the correct share, retention or \
         buttons. True retention: review-phase answers that were not Again; mature means an \
         interval of 21 days or more. Data schema version {}.</footer>\n</body>\n</html>",
        stats.schema_version
    );
    page
}

/// `1 day`, `12 days`.
fn day_count(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{} days", thousands(n.max(0) as u64))
    }
}

fn tile(page: &mut String, value: &str, label: &str) {
    let _ = write!(
        page,
        "<div class=\"tile\"><div class=\"value\">{}</div><div class=\"label\">{}</div></div>",
        escape(value),
        escape(label)
    );
}

fn tiles(page: &mut String, stats: &Stats) {
    let t = &stats.today;
    let p = &stats.period_totals;
    let c = &stats.cards;
    page.push_str("<section><h2>Summary</h2><div class=\"tiles\">");
    tile(page, &thousands(t.answers), "answers today");
    tile(page, &percent(t.correct_share), "correct today");
    tile(page, &duration(t.time_ms), "time today");
    tile(
        page,
        &day_count(stats.streak.current_days),
        &format!("streak (longest {})", day_count(stats.streak.longest_days)),
    );
    tile(page, &thousands(p.tally.answers), "answers in the period");
    tile(page, &duration(p.tally.time_ms), "time in the period");
    tile(page, &percent(p.retention), "true retention");
    tile(
        page,
        &format!("{:.1}", stats.forecast.load),
        "load (reviews a day)",
    );
    page.push_str("</div>");
    let _ = write!(
        page,
        "<table><tr><th class=\"n\">new</th><th class=\"n\">learning</th><th class=\"n\">young</th>\
         <th class=\"n\">mature</th><th class=\"n\">suspended</th><th class=\"n\">total</th><th class=\"n\">leeches</th></tr>\
         <tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr></table>",
        thousands(c.new),
        thousands(c.learning),
        thousands(c.young),
        thousands(c.mature),
        thousands(c.suspended),
        thousands(c.total),
        thousands(c.leeches)
    );
    let _ = writeln!(
        page,
        "<p class=\"note\">Today: {} new, {} learning, {} review, {} re-drills, again {}. \
         Period: {} scored answers, correct {}, young retention {}, mature retention {}.</p></section>",
        thousands(t.new),
        thousands(t.learning),
        thousands(t.review),
        thousands(t.drill),
        thousands(t.again),
        thousands(p.tally.scored),
        percent(p.correct_share),
        percent(p.young_retention),
        percent(p.mature_retention)
    );
}

/// The ticks of a count axis from 0: a step of 1, 2 or 5 times a power of ten, at most four
/// steps, the top the first tick at or over `max` (and at least 1, so an axis over nothing but
/// zeros still reads 0 to 1). Every tick is a distinct whole number.
pub fn count_ticks(max: u64) -> Vec<u64> {
    let max = max.max(1);
    let mut power = 1u64;
    let step = loop {
        if let Some(step) = [1, 2, 5]
            .iter()
            .map(|m: &u64| m.saturating_mul(power))
            .find(|step| max.div_ceil(*step) <= 4)
        {
            break step;
        }
        power = power.saturating_mul(10);
    };
    let steps = max.div_ceil(step);
    (0..=steps).map(|i| i.saturating_mul(step)).collect()
}

/// A vertical bar chart: one bar per value, the label of every `every`-th bar under it.
fn bar_chart(
    values: &[(String, u64)],
    every: usize,
    width: f64,
    height: f64,
    unit: &str,
) -> String {
    let every = every.max(1);
    let (left, top) = (44.0, 10.0);
    // Labels too long for their slot go on two staggered lines.
    let longest = values
        .iter()
        .map(|v| v.0.chars().count())
        .max()
        .unwrap_or(0) as f64;
    let slot_width = (width - left - 8.0) / values.len().max(1) as f64 * every as f64;
    let stagger = longest * 7.5 > slot_width;
    let bottom = if stagger { 34.0 } else { 22.0 };
    let plot_w = width - left - 8.0;
    let plot_h = height - bottom - top;
    let ticks = count_ticks(values.iter().map(|v| v.1).max().unwrap_or(0));
    // count_ticks gives at least 0 and 1, so the top is never 0.
    let max = ticks.last().copied().unwrap_or(1).max(1);
    let slot = plot_w / values.len().max(1) as f64;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for tick in &ticks {
        let label = thousands(*tick);
        let y = top + plot_h * (1.0 - *tick as f64 / max as f64);
        let _ = write!(
            svg,
            "<line class=\"axis\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{label}</text>",
            left + plot_w,
            left - 6.0,
            y + 4.0
        );
    }
    for (i, (label, value)) in values.iter().enumerate() {
        let h = plot_h * (*value as f64) / (max as f64);
        let x = left + slot * i as f64 + slot * 0.1;
        let y = top + plot_h - h;
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\"><title>{}: {} {unit}</title></rect>",
            slot * 0.8,
            escape(label),
            thousands(*value)
        );
        if i % every == 0 {
            let lower = stagger && (i / every) % 2 == 1;
            let y = if stagger && !lower {
                height - 19.0
            } else {
                height - 6.0
            };
            let _ = write!(
                svg,
                "<text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.4,
                escape(label)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn forecast(page: &mut String, stats: &Stats) {
    let f = &stats.forecast;
    let values: Vec<(String, u64)> = f
        .days
        .iter()
        .map(|d| (d.date.format("%m-%d").to_string(), d.due))
        .collect();
    let total: u64 = values.iter().map(|v| v.1).sum();
    let _ = writeln!(
        page,
        "<section><h2>Due forecast</h2><p class=\"note\">The next 30 days: {} reviews \
         ({} overdue, shown today). Load: {:.1} reviews a day.</p>{}</section>",
        thousands(total),
        thousands(f.overdue),
        f.load,
        if total == 0 {
            "<p class=\"note\">Nothing is due in the next 30 days.</p>".to_string()
        } else {
            bar_chart(&values, 7, 1000.0, 200.0, "due")
        }
    );
}

fn heatmap(page: &mut String, stats: &Stats) {
    let days = &stats.heatmap;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return;
    };
    let counts: Vec<u64> = days.iter().map(|d| d.answers).collect();
    let thresholds = shade_thresholds(&counts);
    let start =
        first.date - chrono::Duration::days(i64::from(first.date.weekday().num_days_from_monday()));
    let weeks = (last.date - start).num_days() / 7 + 1;
    let (cell, gap, left, top) = (14.0, 3.0, 34.0, 18.0);
    let width = left + weeks as f64 * (cell + gap) + 4.0;
    let height = top + 7.0 * (cell + gap) + 4.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg viewBox=\"0 0 {width:.0} {height:.0}\" width=\"{width:.0}\" height=\"{height:.0}\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (row, name) in [(0, "Mon"), (2, "Wed"), (4, "Fri"), (6, "Sun")] {
        let _ = write!(
            svg,
            "<text x=\"0\" y=\"{:.1}\">{name}</text>",
            top + row as f64 * (cell + gap) + cell - 3.0
        );
    }
    let mut last_month = None;
    for day in days {
        let offset = (day.date - start).num_days();
        let (week, weekday) = (offset / 7, offset % 7);
        let x = left + week as f64 * (cell + gap);
        let y = top + weekday as f64 * (cell + gap);
        let level = shade_level(day.answers, &thresholds);
        let _ = write!(
            svg,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{cell}\" height=\"{cell}\" rx=\"2\" fill=\"{}\"><title>{}: {} answers</title></rect>",
            HEAT_COLOURS[level],
            day.date,
            thousands(day.answers)
        );
        if day.date.day() <= 7 && weekday == 0 || last_month.is_none() {
            let month = (day.date.year(), day.date.month());
            if last_month != Some(month) {
                last_month = Some(month);
                let _ = write!(
                    svg,
                    "<text x=\"{x:.1}\" y=\"12\">{}</text>",
                    day.date.format("%b")
                );
            }
        }
    }
    svg.push_str("</svg>");
    let total: u64 = counts.iter().sum();
    let active = counts.iter().filter(|&&c| c > 0).count();
    let legend = shade_legend_words(&shade_legend(&counts, &thresholds), |level| {
        format!(
            "<span class=\"swatch\" style=\"background:{}\"></span>",
            HEAT_COLOURS[level.min(HEAT_COLOURS.len() - 1)]
        )
    });
    let _ = writeln!(
        page,
        "<section><h2>Answers per day</h2><p class=\"note\">The last 365 days: {} answers on {} days; \
         streak {}, longest {}.</p>{svg}<p class=\"legend note\">{legend}</p></section>",
        thousands(total),
        thousands(active as u64),
        day_count(stats.streak.current_days),
        day_count(stats.streak.longest_days),
    );
}

/// The series the report draws: months for long histories, else weeks, else days.
fn retention_series(stats: &Stats) -> (&'static str, &[RetentionRow]) {
    let r = &stats.retention;
    if r.monthly.len() >= 6 {
        ("month", &r.monthly)
    } else if r.weekly.len() >= 4 {
        ("week", &r.weekly)
    } else {
        ("day", &r.daily)
    }
}

fn retention(page: &mut String, stats: &Stats) {
    let (unit, rows) = retention_series(stats);
    page.push_str("<section><h2>True retention over time</h2>");
    if rows.is_empty() {
        page.push_str("<p class=\"note\">No answers in this period.</p></section>\n");
        return;
    }
    let _ = write!(
        page,
        "<p class=\"note\">Share of review-phase answers that were not Again, by {unit}. \
         Young: interval under 21 days; mature: 21 days or more.</p>\
         <p class=\"legend\">{}<span><i class=\"swatch\" style=\"background:var(--all)\"></i>all reviews</span></p>{}",
        empty_series(stats)
            .iter()
            .map(|(name, words)| match words {
                None => format!(
                    "<span><i class=\"swatch\" style=\"background:var(--{name})\"></i>{name}</span>"
                ),
                Some(words) => format!(
                    "<span><i class=\"swatch\" style=\"background:var(--{name})\"></i>{name}: {words}</span>"
                ),
            })
            .collect::<String>(),
        line_chart(rows)
    );
    let _ = write!(
        page,
        "<table><tr><th>{unit}</th><th class=\"n\">young</th><th class=\"n\">mature</th>\
         <th class=\"n\">all reviews</th><th class=\"n\">all answers</th></tr>"
    );
    for r in rows {
        let _ = write!(
            page,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&r.label),
            cell(r.young_retention, r.young),
            cell(r.mature_retention, r.mature),
            cell(r.retention, r.young + r.mature),
            cell(r.pass_rate, r.scored)
        );
    }
    page.push_str("</table></section>\n");
}

fn cell(rate: Option<f64>, whole: u64) -> String {
    match rate {
        Some(_) => format!(
            "{} <span class=\"note\">of {}</span>",
            percent(rate),
            thousands(whole)
        ),
        None => "-".to_string(),
    }
}

fn bucket_chart(buckets: &[Bucket]) -> String {
    if buckets.iter().all(|b| b.cards == 0) {
        return "<p class=\"note\">No review cards yet.</p>".to_string();
    }
    let values: Vec<(String, u64)> = buckets
        .iter()
        .map(|b| (b.label.to_string(), b.cards))
        .collect();
    bar_chart(&values, 1, 520.0, 200.0, "cards")
}

fn distributions(page: &mut String, stats: &Stats) {
    let i = &stats.intervals;
    let e = &stats.ease;
    let _ = writeln!(
        page,
        "<section class=\"two\"><div><h2>Intervals</h2><p class=\"note\">{} review cards; mean {}.</p>{}</div>\
         <div><h2>Ease</h2><p class=\"note\">{} review cards; mean {}.</p>{}</div></section>",
        thousands(i.cards),
        i.mean.map_or("-".to_string(), |m| format!("{m:.1} days")),
        bucket_chart(&i.buckets),
        thousands(e.cards),
        e.mean.map_or("-".to_string(), |m| format!("{m:.0}%")),
        bucket_chart(&e.buckets)
    );
}

/// FSRS: the retention asked for beside the true retention achieved, and the cards by
/// retrievability now. Nothing when FSRS is not shown.
fn retrievability(page: &mut String, stats: &Stats) {
    let Some(r) = &stats.retrievability else {
        return;
    };
    let p = &stats.period_totals;
    let chart = if r.cards == 0 {
        "<p class=\"note\">No card has a memory state yet.</p>".to_string()
    } else {
        let values: Vec<(String, u64)> = r
            .buckets
            .iter()
            .map(|b| (b.label.to_string(), b.cards))
            .collect();
        bar_chart(&values, 1, 1000.0, 200.0, "cards")
    };
    let achieved = match stats.retention.achieved {
        Some(_) => format!(
            "{} review answers in the period",
            cell(stats.retention.achieved, p.tally.young + p.tally.mature)
        ),
        None => "- (no review answers in the period)".to_string(),
    };
    let _ = writeln!(
        page,
        "<section><h2>Retrievability</h2><p class=\"note\">Desired retention {}; true retention \
         achieved {achieved}. FSRS's predicted recall now of {} cards with a memory state: \
         mean {}.</p>{chart}</section>",
        percent(stats.retention.desired),
        thousands(r.cards),
        percent(r.mean),
    );
}

fn buttons_and_hours(page: &mut String, stats: &Stats) {
    page.push_str(
        "<section class=\"two\"><div><h2>Answer buttons</h2><p class=\"note\">Scored answers in the period, \
         by the phase the card was in.</p><table><tr><th>phase</th>",
    );
    for a in Answer::ALL {
        let _ = write!(page, "<th class=\"n\">{}</th>", a.label());
    }
    page.push_str("<th class=\"n\">answers</th></tr>");
    for b in &stats.buttons {
        let _ = write!(page, "<tr><td>{}</td>", b.phase);
        for a in Answer::ALL {
            let _ = write!(page, "<td class=\"n\">{}</td>", percent(b.share(a)));
        }
        let _ = write!(page, "<td class=\"n\">{}</td></tr>", thousands(b.total));
    }
    page.push_str("</table></div>");
    let values: Vec<(String, u64)> = stats
        .hours
        .iter()
        .map(|h| (format!("{:02}h", h.hour), h.answers))
        .collect();
    let busiest = stats
        .hours
        .iter()
        .max_by_key(|h| (h.answers, std::cmp::Reverse(h.hour)))
        .filter(|h| h.answers > 0);
    let _ = writeln!(
        page,
        "<div><h2>Answers by hour</h2><p class=\"note\">Local time, in the period{}.</p>{}</div></section>",
        busiest.map_or(String::new(), |h| format!(
            "; busiest {:02}:00 (correct {})",
            h.hour,
            percent(ratio(h.passed, h.scored))
        )),
        match busiest {
            Some(_) => bar_chart(&values, 3, 520.0, 200.0, "answers"),
            None => "<p class=\"note\">No answers in this period.</p>".to_string(),
        }
    );
}

fn card_table(page: &mut String, title: &str, cards: &[HardCard]) {
    let _ = write!(page, "<h3>{}</h3>", escape(title));
    if cards.is_empty() {
        page.push_str("<p class=\"note\">None.</p>");
        return;
    }
    page.push_str(
        "<table><tr><th>deck</th><th>key</th><th>term</th><th>side</th><th class=\"n\">lapses</th>\
         <th class=\"n\">ease</th><th class=\"n\">interval</th><th>phase</th></tr>",
    );
    for c in cards {
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}%</td>\
             <td class=\"n\">{}</td><td>{}{}</td></tr>",
            escape(&c.deck),
            escape(&c.key),
            escape(&c.term),
            escape(&c.direction),
            c.lapses,
            c.ease_permille / 10,
            escape(&crate::scheduler::describe_interval_days(c.interval_days)),
            c.phase,
            if c.suspended { ", suspended" } else { "" }
        );
    }
    page.push_str("</table>");
}

fn hardest(page: &mut String, stats: &Stats) {
    let h = &stats.hardest;
    page.push_str("<section><h2>Hardest cards</h2>");
    card_table(page, "Most lapses", &h.most_lapses);
    card_table(page, "Lowest ease", &h.lowest_ease);
    if h.leech_lapses > 0 {
        card_table(
            page,
            &format!(
                "Leeches ({} cards with {} lapses or more)",
                thousands(stats.cards.leeches),
                h.leech_lapses
            ),
            &h.leeches,
        );
    }
    page.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::compute::sample::{sample_stats, stats_from, tiny_stats};

    /// The labels on the count axes of the bar charts, chart by chart, top tick last.
    fn axis_labels(page: &str) -> Vec<Vec<String>> {
        page.split("<svg ")
            .skip(1)
            .map(|svg| {
                svg.split("text-anchor=\"end\">")
                    .skip(1)
                    .map(|t| t.split('<').next().unwrap_or("").to_string())
                    .collect::<Vec<_>>()
            })
            .filter(|labels| !labels.is_empty() && !labels[0].ends_with('%'))
            .collect()
    }

    #[test]
    fn count_axes_have_distinct_round_ticks_from_zero() {
        assert_eq!(count_ticks(0), vec![0, 1]);
        assert_eq!(count_ticks(1), vec![0, 1]);
        assert_eq!(count_ticks(3), vec![0, 1, 2, 3]);
        assert_eq!(count_ticks(7), vec![0, 2, 4, 6, 8]);
        assert_eq!(count_ticks(10), vec![0, 5, 10]);
        assert_eq!(count_ticks(1_234), vec![0, 500, 1_000, 1_500]);
        for max in 0..5_000 {
            let ticks = count_ticks(max);
            assert!(ticks.windows(2).all(|w| w[0] < w[1]), "{max}: {ticks:?}");
            assert!(*ticks.last().unwrap() >= max && ticks.len() <= 5, "{max}");
        }
    }

    #[test]
    fn a_new_collection_says_in_words_what_it_has_no_data_for() {
        let page = render(&stats_from(&[], &[], 80));
        assert!(page.contains("Nothing is due in the next 30 days."));
        assert_eq!(page.matches("No review cards yet.").count(), 2);
        assert!(page.contains("No answers in this period."));
        assert!(page.contains("<p class=\"legend note\">no answers on any of these days</p>"));
        assert!(!page.contains("up to"));
        // The only chart left is the heatmap's empty year.
        assert_eq!(page.matches("<svg ").count(), 1);
    }

    #[test]
    fn tiny_data_gets_sensible_axes_and_a_legend_per_shade() {
        let page = render(&tiny_stats());
        // Forecast (one card due tomorrow), intervals, ease (one card): 0 and 1, never
        // "1 / 0 / 0"; hours (both answers at nine): 0, 1, 2.
        let axes = axis_labels(&page);
        assert_eq!(
            axes,
            [
                vec!["0", "1"],
                vec!["0", "1"],
                vec!["0", "1"],
                vec!["0", "1", "2"]
            ]
        );
        assert!(!page.contains("up to"));
        assert!(page.contains(
            "<span class=\"swatch\" style=\"background:#ebedf0\"></span> none, \
             <span class=\"swatch\" style=\"background:#9be9a8\"></span> 1 answer a day"
        ));
        // The one review was on a young card: the mature series is said in words, and the
        // young line is drawn over the equal "all reviews" line, not under it.
        assert!(page.contains("</i>mature: no mature cards yet</span>"));
        let all = page.find("stroke=\"var(--all)\"").unwrap();
        let young = page.find("stroke=\"var(--young)\"").unwrap();
        assert!(all < young);
        assert!(!page.contains("stroke=\"var(--mature)\""));
    }

    #[test]
    fn collection_text_is_escaped_everywhere() {
        let page = render(&sample_stats());
        assert!(!page.contains("<b>bold</b>"));
        assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;, &quot;quoted&quot;"));
        assert!(page.contains("deck ML &amp; &lt;stats&gt;"));
        assert!(!page.contains('\u{1b}'));
    }

    #[test]
    fn the_report_is_self_contained_without_scripts_or_network() {
        let page = render(&sample_stats());
        let lower = page.to_lowercase();
        assert!(!lower.contains("<script"));
        assert!(
            !lower.contains("http://")
                || lower.matches("http://").count()
                    == lower
                        .matches("xmlns=\"http://www.w3.org/2000/svg\"")
                        .count()
        );
        assert!(!lower.contains("https://"));
        assert!(!lower.contains("<link"));
        assert!(!lower.contains("<img"));
        assert!(lower.starts_with("<!doctype html>"));
        assert!(lower.trim_end().ends_with("</html>"));
    }

    #[test]
    fn every_chart_is_drawn() {
        let page = render(&sample_stats());
        // Forecast, heatmap, retention, intervals, ease, retrievability, hours.
        assert_eq!(page.matches("<svg ").count(), 7);
        for title in [
            "Due forecast",
            "Answers per day",
            "True retention over time",
            "Intervals",
            "Ease",
            "Retrievability",
            "Answer buttons",
            "Answers by hour",
            "Hardest cards",
        ] {
            assert!(page.contains(&format!("<h2>{title}</h2>")), "{title}");
        }
        // 365 heatmap days, each a rectangle with a tooltip.
        assert_eq!(page.matches("answers</title></rect>").count(), 365 + 24);
    }
}
