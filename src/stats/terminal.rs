//! The statistics in the terminal: aligned tables, small bar charts drawn with eighth blocks,
//! and a calendar heatmap in shades (`·░▒▓█`), all within the [`Style`]'s width (text wraps
//! at words, tables cut text columns, bars and charts scale down). Colour only when the
//! [`Style`] allows it (a terminal without `NO_COLOR`); deck text goes through the table
//! renderer, which sanitises it.

use chrono::{Datelike, NaiveDate};

use super::compute::{RetentionRow, Stats};
use crate::cli::table;
use crate::repl::render::{Style, display_width, duration, truncate, wrap};
use crate::scheduler::Answer;

mod charts;

pub use charts::*;

/// `12,345`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `85.7%`, or `-` when there was nothing to count.
pub fn percent(value: Option<f64>) -> String {
    match value {
        Some(v) => format!("{:.1}%", v * 100.0),
        None => "-".to_string(),
    }
}

/// `85.7% of 1,234`.
fn rate_of(value: Option<f64>, whole: u64) -> String {
    match value {
        Some(_) => format!("{} of {}", percent(value), thousands(whole)),
        None => "-".to_string(),
    }
}

struct Out<'a> {
    text: String,
    style: &'a Style,
}

impl Out<'_> {
    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    /// `text` wrapped at words to the width, later lines starting with `rest`.
    fn wrapped(&mut self, text: &str, first: &str, rest: &str) {
        for line in wrap(text, self.style.width, first, rest) {
            self.line(&line);
        }
    }

    fn heading(&mut self, title: &str, note: &str) {
        self.text.push('\n');
        let note = if note.is_empty() {
            String::new()
        } else {
            format!(" {}", self.style.dim(note))
        };
        self.wrapped(&format!("{}{note}", self.style.bold(title)), "", "  ");
    }

    /// Lines indented by two; a line too long for the width (prose) wraps at words.
    fn block(&mut self, block: &str) {
        for line in block.lines() {
            if display_width(line) + 2 <= self.style.width {
                self.line(&format!("  {line}"));
            } else {
                self.wrapped(line, "  ", "  ");
            }
        }
    }

    /// The room a table or chart has inside [`Out::block`]'s indent.
    fn inner_width(&self) -> usize {
        self.style.width.saturating_sub(2)
    }
}

/// The whole statistics page.
pub fn render(stats: &Stats, style: &Style) -> String {
    let mut out = Out {
        text: String::new(),
        style,
    };
    title(&mut out, stats);
    today(&mut out, stats);
    period(&mut out, stats);
    retention(&mut out, stats);
    cards(&mut out, stats);
    forecast(&mut out, stats);
    heatmap(&mut out, stats);
    distributions(&mut out, stats);
    retrievability(&mut out, stats);
    buttons(&mut out, stats);
    hours(&mut out, stats);
    hardest(&mut out, stats);
    out.text
}

fn period_words(stats: &Stats) -> String {
    let s = &stats.scope;
    match (s.period, s.first_date) {
        ("day", _) => format!("today ({})", s.today),
        (_, Some(first)) => format!(
            "{} ({first} to {})",
            super::compute::Period::parse(s.period).map_or(s.period, |p| p.describe()),
            s.today
        ),
        (_, None) => format!("all time (to {})", s.today),
    }
}

/// "the last 30 days", "all time", "today".
fn period_short(stats: &Stats) -> &'static str {
    super::compute::Period::parse(stats.scope.period).map_or("the period", |p| p.describe())
}

fn title(out: &mut Out, stats: &Stats) {
    let deck = match &stats.scope.deck {
        Some(name) => format!("deck {}", crate::text::sanitize(name)),
        None => "all decks".to_string(),
    };
    let text = format!("Statistics for {deck}, {}", period_words(stats));
    let line = out.style.bold(&text);
    out.wrapped(&line, "", "  ");
}

fn today(out: &mut Out, stats: &Stats) {
    let t = &stats.today;
    out.heading("Today", &t.date.to_string());
    if t.answers == 0 {
        out.block("No answers yet today.");
    } else {
        let mut parts = vec![
            format!("{} new", thousands(t.new)),
            format!("{} learning", thousands(t.learning)),
            format!("{} review", thousands(t.review)),
        ];
        if t.drill > 0 {
            parts.push(format!("{} re-drills", thousands(t.drill)));
        }
        out.block(&format!(
            "{} answers on {} cards in {}: {}.",
            thousands(t.answers),
            thousands(t.cards),
            duration(t.time_ms),
            parts.join(", ")
        ));
        out.block(&format!(
            "Again: {}; correct {}.",
            thousands(t.again),
            rate_of(t.correct_share, t.scored)
        ));
    }
    let s = &stats.streak;
    out.block(&format!(
        "Streak: {} (longest {}); {} study days in all.",
        days(s.current_days),
        days(s.longest_days),
        thousands(s.active_days)
    ));
}

fn days(n: i64) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{} days", thousands(n.max(0) as u64))
    }
}

fn period(out: &mut Out, stats: &Stats) {
    if stats.scope.period == "day" {
        return;
    }
    let p = &stats.period_totals;
    let mut title = period_short(stats).to_string();
    if let Some(first) = title.get(..1) {
        title = format!("{}{}", first.to_uppercase(), &title[1..]);
    }
    out.heading(&title, "");
    if p.tally.answers == 0 {
        out.block("No answers in this period.");
        return;
    }
    out.block(&format!(
        "{} answers in {} on {}; correct {}; again {}.",
        thousands(p.tally.answers),
        duration(p.tally.time_ms),
        days(p.active_days as i64),
        rate_of(p.correct_share, p.tally.scored),
        thousands(p.again)
    ));
}

fn retention_cells(r: &RetentionRow) -> Vec<String> {
    vec![
        rate_of(r.young_retention, r.young),
        rate_of(r.mature_retention, r.mature),
        rate_of(r.retention, r.young + r.mature),
        rate_of(r.pass_rate, r.scored),
    ]
}

/// What the young and mature retention series lack, in words: "no mature cards yet" when no
/// card has reached 21 days, else "no answers on mature cards in this period" (the same for
/// young cards); `None` for a series with answers.
pub fn empty_series(stats: &Stats) -> [(&'static str, Option<String>); 2] {
    let p = &stats.period_totals.tally;
    let words = |answers: u64, cards: u64, name: &str| {
        (answers == 0).then(|| match cards {
            0 => format!("no {name} cards yet"),
            _ => format!("no answers on {name} cards in this period"),
        })
    };
    [
        ("young", words(p.young, stats.cards.young, "young")),
        ("mature", words(p.mature, stats.cards.mature, "mature")),
    ]
}

fn retention(out: &mut Out, stats: &Stats) {
    out.heading(
        "True retention",
        "(review answers not Again; mature: interval of 21 days or more)",
    );
    let (rows, unit): (&[RetentionRow], &str) = match stats.scope.period {
        "day" | "week" => (&stats.retention.daily, "day"),
        "month" => (&stats.retention.weekly, "week"),
        _ => (&stats.retention.monthly, "month"),
    };
    if rows.is_empty() {
        out.block("No answers in this period.");
        return;
    }
    const MAX_ROWS: usize = 24;
    let skipped = rows.len().saturating_sub(MAX_ROWS);
    let mut table_rows: Vec<Vec<String>> = rows[skipped..]
        .iter()
        .map(|r| {
            let mut row = vec![r.label.clone()];
            row.extend(retention_cells(r));
            row
        })
        .collect();
    let p = &stats.period_totals;
    table_rows.push(vec![
        "total".to_string(),
        rate_of(p.young_retention, p.tally.young),
        rate_of(p.mature_retention, p.tally.mature),
        rate_of(p.retention, p.tally.young + p.tally.mature),
        rate_of(p.correct_share, p.tally.scored),
    ]);
    let headers = [unit, "young", "mature", "review", "all answers"];
    let width = out.inner_width();
    let mut text = table::render(&headers, &table_rows, &[1, 2, 3, 4], 40, usize::MAX);
    if text.lines().any(|line| display_width(line) > width) {
        // Too narrow for "85.7% of 1,234": the shares alone.
        for row in &mut table_rows {
            for cell in row.iter_mut().skip(1) {
                if let Some((share, _)) = cell.split_once(" of ") {
                    *cell = share.to_string();
                }
            }
        }
        text = table::render(&headers, &table_rows, &[1, 2, 3, 4], 40, width);
    }
    out.block(&text);
    if skipped > 0 {
        out.block(&format!(
            "(the last {MAX_ROWS} of {} {unit}s; --format json or csv gives all)",
            rows.len()
        ));
    }
    let gaps: Vec<String> = empty_series(stats)
        .into_iter()
        .filter_map(|(name, words)| words.map(|w| format!("{name}: {w}")))
        .collect();
    if !gaps.is_empty() {
        out.block(&format!("({})", gaps.join("; ")));
    }
}

fn cards(out: &mut Out, stats: &Stats) {
    let c = &stats.cards;
    out.heading("Cards", "");
    out.block(&table::render(
        &[
            "new",
            "learning",
            "young",
            "mature",
            "suspended",
            "total",
            "leeches",
        ],
        &[vec![
            thousands(c.new),
            thousands(c.learning),
            thousands(c.young),
            thousands(c.mature),
            thousands(c.suspended),
            thousands(c.total),
            thousands(c.leeches),
        ]],
        &[0, 1, 2, 3, 4, 5, 6],
        20,
        out.inner_width(),
    ));
}

fn forecast(out: &mut Out, stats: &Stats) {
    let f = &stats.forecast;
    let values: Vec<u64> = f.days.iter().map(|d| d.due).collect();
    let total: u64 = values.iter().sum();
    out.heading(
        "Due forecast",
        &format!(
            "(next 30 days: {} reviews, {} overdue; load {:.1} a day)",
            thousands(total),
            thousands(f.overdue),
            f.load
        ),
    );
    if total == 0 {
        out.block("Nothing is due in the next 30 days.");
        return;
    }
    let max = values.iter().copied().max().unwrap_or(0);
    chart(out, &values, max, 2, 7, |i| {
        f.days.get(i).map(|d| d.date.format("%m-%d").to_string())
    });
}

fn heatmap(out: &mut Out, stats: &Stats) {
    let days = &stats.heatmap;
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return;
    };
    let counts: Vec<u64> = days.iter().map(|d| d.answers).collect();
    let total: u64 = counts.iter().sum();
    let active = counts.iter().filter(|&&c| c > 0).count();
    out.heading(
        "Answers per day",
        &format!(
            "(last 365 days: {} answers on {} days)",
            thousands(total),
            thousands(active as u64)
        ),
    );
    let thresholds = shade_thresholds(&counts);
    // Columns are weeks starting on Monday; rows are the days of the week.
    let monday =
        first.date - chrono::Duration::days(i64::from(first.date.weekday().num_days_from_monday()));
    let all_weeks = ((last.date - monday).num_days() / 7 + 1) as usize;
    // The latest weeks that fit beside the day names.
    let weeks = all_weeks.min(out.style.width.saturating_sub(6).max(1));
    let start = monday + chrono::Duration::days(7 * (all_weeks - weeks) as i64);
    let first_shown = first.date.max(start);
    let mut grid = vec![vec![' '; weeks]; 7];
    let mut levels = vec![vec![0usize; weeks]; 7];
    for day in days.iter().filter(|d| d.date >= start) {
        let offset = (day.date - start).num_days();
        let (week, weekday) = ((offset / 7) as usize, (offset % 7) as usize);
        let level = shade_level(day.answers, &thresholds);
        grid[weekday][week] = if level == 0 { '·' } else { SHADES[level - 1] };
        levels[weekday][week] = level;
    }
    out.line(&format!(
        "      {}",
        month_labels(start, first_shown, weeks)
    ));
    for (weekday, row) in grid.iter().enumerate() {
        let name = ["Mon", "", "Wed", "", "Fri", "", "Sun"][weekday];
        let mut line = String::new();
        for (week, &c) in row.iter().enumerate() {
            let cell = c.to_string();
            line.push_str(&match levels[weekday][week] {
                0 => out.style.dim(&cell),
                _ => out.style.green(&cell),
            });
        }
        out.line(&format!("  {name:<3} {}", line.trim_end()));
    }
    let legend = shade_legend(&counts, &thresholds);
    let words = shade_legend_words(&legend, |level| match level {
        0 => "·".to_string(),
        _ => SHADES[level - 1].to_string(),
    });
    for line in wrap_list(&words, out.style.width.saturating_sub(6).max(20)) {
        out.line(&format!("      {line}"));
    }
}

/// Breaks a list written as "a, b, c and d" after its commas into lines of at most `width`
/// characters (a longer item stays whole on its line).
fn wrap_list(words: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    let mut line = String::new();
    let items: Vec<&str> = words.split(", ").collect();
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 < items.len() {
            format!("{item},")
        } else {
            item.to_string()
        };
        let extra = usize::from(!line.is_empty()) + piece.chars().count();
        if !line.is_empty() && line.chars().count() + extra > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    lines.push(line);
    lines
}

/// Month names above the week columns: each over the week in which the month's first day
/// falls, the first column's month only if the next name leaves room for it.
fn month_labels(start: NaiveDate, first: NaiveDate, weeks: usize) -> String {
    let mut places: Vec<(usize, &str)> = vec![];
    for week in 1..weeks {
        let monday = start + chrono::Duration::days(7 * week as i64);
        let sunday = monday + chrono::Duration::days(6);
        if monday.day() == 1 {
            places.push((week, month_name(monday)));
        } else if monday.month() != sunday.month() {
            places.push((week, month_name(sunday)));
        }
    }
    if places.first().is_none_or(|&(week, _)| week >= 4) {
        places.insert(0, (0, month_name(first)));
    }
    let mut line = String::new();
    for (week, name) in places {
        let have = line.chars().count();
        if week >= have && week + name.len() <= weeks {
            line.push_str(&" ".repeat(week - have));
            line.push_str(name);
            line.push(' ');
        }
    }
    line.trim_end().to_string()
}

fn month_name(date: NaiveDate) -> &'static str {
    [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][date.month0() as usize % 12]
}

fn distributions(out: &mut Out, stats: &Stats) {
    for (name, dist, mean) in [
        (
            "Intervals",
            &stats.intervals,
            stats.intervals.mean.map(|m| format!("mean {m:.1} days")),
        ),
        (
            "Ease",
            &stats.ease,
            stats.ease.mean.map(|m| format!("mean {m:.0}%")),
        ),
    ] {
        out.heading(
            name,
            &format!(
                "(review cards: {}{})",
                thousands(dist.cards),
                mean.map(|m| format!(", {m}")).unwrap_or_default()
            ),
        );
        if dist.cards == 0 {
            out.block("No review cards yet.");
            continue;
        }
        let buckets: Vec<(&str, u64)> = dist.buckets.iter().map(|b| (b.label, b.cards)).collect();
        bucket_bars(out, &buckets, dist.cards);
    }
}

/// Buckets as a table of cards and shares with a bar each.
fn bucket_bars(out: &mut Out, buckets: &[(&str, u64)], total: u64) {
    let max = buckets.iter().map(|b| b.1).max().unwrap_or(0);
    let mut rows: Vec<Vec<String>> = buckets
        .iter()
        .map(|&(label, cards)| {
            vec![
                label.to_string(),
                thousands(cards),
                percent(super::compute::ratio(cards, total)),
            ]
        })
        .collect();
    // The bars take what the other columns leave, up to 40 cells.
    let figures = table::render(&["", "cards", "share"], &rows, &[1, 2], 50, usize::MAX);
    let used = figures.lines().map(display_width).max().unwrap_or(0) + 2;
    let cells = out.inner_width().saturating_sub(used).clamp(1, 40);
    for (row, &(_, cards)) in rows.iter_mut().zip(buckets) {
        row.push(horizontal_bar(cards, max, cells));
    }
    out.block(&table::render(
        &["", "cards", "share", ""],
        &rows,
        &[1, 2],
        50,
        out.inner_width(),
    ));
}

/// FSRS: the retention asked for beside the true retention achieved, and the cards by
/// retrievability now. Nothing when FSRS is not shown.
fn retrievability(out: &mut Out, stats: &Stats) {
    let Some(r) = &stats.retrievability else {
        return;
    };
    let p = &stats.period_totals;
    out.heading(
        "Retrievability",
        &format!(
            "(FSRS's predicted recall now: {} cards{})",
            thousands(r.cards),
            r.mean
                .map(|m| format!(", mean {}", percent(Some(m))))
                .unwrap_or_default()
        ),
    );
    let achieved = match stats.retention.achieved {
        Some(_) => format!(
            " {}",
            rate_of(stats.retention.achieved, p.tally.young + p.tally.mature)
        ),
        None => ": no review answers".to_string(),
    };
    out.block(&format!(
        "Retention: desired {}; true{achieved} ({}).",
        percent(stats.retention.desired),
        period_short(stats)
    ));
    if r.cards == 0 {
        out.block("No card has a memory state yet.");
        return;
    }
    let buckets: Vec<(&str, u64)> = r.buckets.iter().map(|b| (b.label, b.cards)).collect();
    bucket_bars(out, &buckets, r.cards);
}

fn buttons(out: &mut Out, stats: &Stats) {
    out.heading(
        "Answer buttons",
        &format!("(scored answers, {})", period_short(stats)),
    );
    let rows: Vec<Vec<String>> = stats
        .buttons
        .iter()
        .map(|b| {
            let mut row = vec![b.phase.to_string()];
            row.extend(Answer::ALL.iter().map(|&a| percent(b.share(a))));
            row.push(thousands(b.total));
            row
        })
        .collect();
    out.block(&table::render(
        &["phase", "again", "hard", "good", "easy", "answers"],
        &rows,
        &[1, 2, 3, 4, 5],
        20,
        out.inner_width(),
    ));
}

fn hours(out: &mut Out, stats: &Stats) {
    let values: Vec<u64> = stats.hours.iter().map(|h| h.answers).collect();
    let busiest = stats
        .hours
        .iter()
        .max_by_key(|h| (h.answers, std::cmp::Reverse(h.hour)))
        .filter(|h| h.answers > 0);
    out.heading(
        "Answers by hour",
        &match busiest {
            Some(h) => format!(
                "(local time, {}; busiest {:02}:00, correct {})",
                period_short(stats),
                h.hour,
                percent(super::compute::ratio(h.passed, h.scored))
            ),
            None => format!("(local time, {})", period_short(stats)),
        },
    );
    if busiest.is_none() {
        out.block("No answers in this period.");
        return;
    }
    let max = values.iter().copied().max().unwrap_or(0);
    let labels = |i: usize| Some(format!("{i:02}h"));
    chart(out, &values, max, 2, 6, labels);
}

/// A vertical bar chart, `width` characters per value, with the maximum on the axis and the
/// label of every `every`-th value (`label(i)`) under it.
fn chart(
    out: &mut Out,
    values: &[u64],
    max: u64,
    width: usize,
    every: usize,
    label: impl Fn(usize) -> Option<String>,
) {
    let rows = 5;
    let axis = thousands(max);
    let pad = axis.len().max(1);
    // "  {axis} │" comes first; the bars get the rest, narrower (and fewer) when needed.
    let room = out.style.width.saturating_sub(pad + 4).max(1);
    let values = &values[..values.len().min(room)];
    let width = width.min(room / values.len().max(1)).max(1);
    let every = if width == 1 { every.max(7) } else { every };
    for (i, line) in vertical_bars(values, rows, width).iter().enumerate() {
        let tick = if i == 0 { axis.clone() } else { String::new() };
        let bars = out.style.cyan(line);
        out.line(&format!("  {tick:>pad$} │{bars}"));
    }
    out.line(&format!(
        "  {:>pad$} └{}",
        "0",
        "─".repeat(values.len() * width)
    ));
    let mut labels = String::new();
    for i in (0..values.len()).step_by(every.max(1)) {
        if let Some(text) = label(i) {
            let column = i * width;
            let have = labels.chars().count();
            if have < column {
                labels.push_str(&" ".repeat(column - have));
            }
            labels.push_str(&text);
        }
    }
    let labels = truncate(&labels, values.len() * width + 1);
    out.line(&format!("  {:>pad$}  {labels}", ""));
}

fn hardest(out: &mut Out, stats: &Stats) {
    let h = &stats.hardest;
    let rows = |cards: &[super::compute::HardCard], limit: usize| -> Vec<Vec<String>> {
        cards
            .iter()
            .take(limit)
            .map(|c| {
                let side = if c.direction == "reverse" {
                    "rev"
                } else {
                    "fwd"
                };
                vec![
                    c.key.clone(),
                    c.term.clone(),
                    format!("{side}{}", if c.suspended { "*" } else { "" }),
                    c.lapses.to_string(),
                    format!("{}%", c.ease_permille / 10),
                    crate::scheduler::describe_interval_days(c.interval_days),
                ]
            })
            .collect()
    };
    let headers = ["key", "term", "side", "lapses", "ease", "ivl"];
    let right = [3, 4, 5];
    let note = "(* suspended)";
    out.heading("Most lapses", note);
    if h.most_lapses.is_empty() {
        out.block("No card has lapsed yet.");
    } else {
        out.block(&table::render(
            &headers,
            &rows(&h.most_lapses, 10),
            &right,
            24,
            out.inner_width(),
        ));
    }
    out.heading("Lowest ease", note);
    if h.lowest_ease.is_empty() {
        out.block("No card has been reviewed yet.");
    } else {
        out.block(&table::render(
            &headers,
            &rows(&h.lowest_ease, 5),
            &right,
            24,
            out.inner_width(),
        ));
    }
    if h.leech_lapses == 0 {
        return;
    }
    out.heading(
        "Leeches",
        &format!(
            "({} cards with {} lapses or more; * suspended)",
            thousands(stats.cards.leeches),
            h.leech_lapses
        ),
    );
    if h.leeches.is_empty() {
        out.block("None.");
    } else {
        out.block(&table::render(
            &headers,
            &rows(&h.leeches, 10),
            &right,
            24,
            out.inner_width(),
        ));
        if stats.cards.leeches > 10 {
            out.block("(--format json or csv lists up to 100)");
        }
    }
}

#[cfg(test)]
mod tests;
