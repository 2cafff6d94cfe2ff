//! The CSV export: the statistics as named tables, one header row each (documented in
//! `docs/stats.md`). `jargon stats --format csv --table NAME` prints one; `-o DIR` writes
//! `DIR/NAME.csv` for every table.

use super::compute::{RetentionRow, Stats};
use crate::error::{Error, Result};

/// A named table of text cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// The table names, in the order [`tables`] returns them.
pub const TABLE_NAMES: [&str; 14] = [
    "summary",
    "daily",
    "retention_daily",
    "retention_weekly",
    "retention_monthly",
    "forecast",
    "heatmap",
    "cards",
    "intervals",
    "ease",
    "retrievability",
    "buttons",
    "hours",
    "hardest",
];

/// A rate as its shortest exact decimal, or an empty cell when there was nothing to count.
fn rate(value: Option<f64>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

fn retention_table(name: &'static str, rows: &[RetentionRow]) -> Table {
    Table {
        name,
        headers: vec![
            "label",
            "start",
            "answers",
            "scored",
            "passed",
            "pass_rate",
            "young",
            "young_passed",
            "young_retention",
            "mature",
            "mature_passed",
            "mature_retention",
            "retention",
        ],
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.label.clone(),
                    r.start.to_string(),
                    r.answers.to_string(),
                    r.scored.to_string(),
                    r.passed.to_string(),
                    rate(r.pass_rate),
                    r.young.to_string(),
                    r.young_passed.to_string(),
                    rate(r.young_retention),
                    r.mature.to_string(),
                    r.mature_passed.to_string(),
                    rate(r.mature_retention),
                    rate(r.retention),
                ]
            })
            .collect(),
    }
}

fn summary(stats: &Stats) -> Vec<Vec<String>> {
    let s = &stats.scope;
    let t = &stats.today;
    let p = &stats.period_totals;
    let c = &stats.cards;
    let r = stats.retrievability.as_ref();
    let pairs: Vec<(&str, String)> = vec![
        ("schema_version", stats.schema_version.to_string()),
        ("deck", s.deck.clone().unwrap_or_default()),
        ("period", s.period.to_string()),
        (
            "first_date",
            s.first_date.map(|d| d.to_string()).unwrap_or_default(),
        ),
        ("today", s.today.to_string()),
        ("generated_at", s.generated_at.clone()),
        ("timezone", s.timezone.clone()),
        ("rollover_hour", s.rollover_hour.to_string()),
        ("today_answers", t.answers.to_string()),
        ("today_cards", t.cards.to_string()),
        ("today_new", t.new.to_string()),
        ("today_learning", t.learning.to_string()),
        ("today_review", t.review.to_string()),
        ("today_drill", t.drill.to_string()),
        ("today_again", t.again.to_string()),
        ("today_scored", t.scored.to_string()),
        ("today_passed", t.passed.to_string()),
        ("today_correct_share", rate(t.correct_share)),
        ("today_time_ms", t.time_ms.to_string()),
        ("streak_current_days", stats.streak.current_days.to_string()),
        ("streak_longest_days", stats.streak.longest_days.to_string()),
        ("streak_active_days", stats.streak.active_days.to_string()),
        ("period_answers", p.tally.answers.to_string()),
        ("period_drill", p.tally.drill.to_string()),
        ("period_time_ms", p.tally.time_ms.to_string()),
        ("period_scored", p.tally.scored.to_string()),
        ("period_passed", p.tally.passed.to_string()),
        ("period_again", p.again.to_string()),
        ("period_correct_share", rate(p.correct_share)),
        ("period_young", p.tally.young.to_string()),
        ("period_young_passed", p.tally.young_passed.to_string()),
        ("period_young_retention", rate(p.young_retention)),
        ("period_mature", p.tally.mature.to_string()),
        ("period_mature_passed", p.tally.mature_passed.to_string()),
        ("period_mature_retention", rate(p.mature_retention)),
        ("period_retention", rate(p.retention)),
        ("period_active_days", p.active_days.to_string()),
        ("cards_total", c.total.to_string()),
        ("cards_new", c.new.to_string()),
        ("cards_learning", c.learning.to_string()),
        ("cards_young", c.young.to_string()),
        ("cards_mature", c.mature.to_string()),
        ("cards_suspended", c.suspended.to_string()),
        ("cards_relearning", c.relearning.to_string()),
        ("cards_leeches", c.leeches.to_string()),
        ("forecast_overdue", stats.forecast.overdue.to_string()),
        ("load", stats.forecast.load.to_string()),
        ("interval_mean_days", rate(stats.intervals.mean)),
        ("ease_mean_percent", rate(stats.ease.mean)),
        ("desired_retention", rate(stats.retention.desired)),
        (
            "retrievability_cards",
            r.map(|r| r.cards.to_string()).unwrap_or_default(),
        ),
        ("retrievability_mean", rate(r.and_then(|r| r.mean))),
    ];
    pairs
        .into_iter()
        .map(|(k, v)| vec![k.to_string(), v])
        .collect()
}

/// Every table, in [`TABLE_NAMES`] order.
pub fn tables(stats: &Stats) -> Vec<Table> {
    vec![
        Table {
            name: "summary",
            headers: vec!["metric", "value"],
            rows: summary(stats),
        },
        daily_table(stats),
        retention_table("retention_daily", &stats.retention.daily),
        retention_table("retention_weekly", &stats.retention.weekly),
        retention_table("retention_monthly", &stats.retention.monthly),
        Table {
            name: "forecast",
            headers: vec!["date", "offset", "due"],
            rows: stats
                .forecast
                .days
                .iter()
                .map(|d| vec![d.date.to_string(), d.offset.to_string(), d.due.to_string()])
                .collect(),
        },
        Table {
            name: "heatmap",
            headers: vec!["date", "answers"],
            rows: stats
                .heatmap
                .iter()
                .map(|d| vec![d.date.to_string(), d.answers.to_string()])
                .collect(),
        },
        cards_table(stats),
        bucket_table(
            "intervals",
            vec!["label", "low_days", "high_days", "cards"],
            &stats.intervals.buckets,
        ),
        bucket_table(
            "ease",
            vec!["label", "low_percent", "high_percent", "cards"],
            &stats.ease.buckets,
        ),
        retrievability_table(stats),
        buttons_table(stats),
        hours_table(stats),
        hardest_table(stats),
    ]
}

fn daily_table(stats: &Stats) -> Table {
    Table {
        name: "daily",
        headers: vec![
            "date",
            "answers",
            "drill",
            "time_ms",
            "scored",
            "passed",
            "again",
            "correct_share",
            "new",
            "learning",
            "review",
            "young",
            "young_passed",
            "mature",
            "mature_passed",
        ],
        rows: stats
            .daily
            .iter()
            .map(|d| {
                let t = &d.tally;
                vec![
                    d.date.to_string(),
                    t.answers.to_string(),
                    t.drill.to_string(),
                    t.time_ms.to_string(),
                    t.scored.to_string(),
                    t.passed.to_string(),
                    d.again.to_string(),
                    rate(d.correct_share),
                    t.new.to_string(),
                    t.learning.to_string(),
                    t.review.to_string(),
                    t.young.to_string(),
                    t.young_passed.to_string(),
                    t.mature.to_string(),
                    t.mature_passed.to_string(),
                ]
            })
            .collect(),
    }
}

fn cards_table(stats: &Stats) -> Table {
    let c = &stats.cards;
    Table {
        name: "cards",
        headers: vec!["category", "cards"],
        rows: [
            ("new", c.new),
            ("learning", c.learning),
            ("young", c.young),
            ("mature", c.mature),
            ("suspended", c.suspended),
            ("total", c.total),
            ("relearning", c.relearning),
            ("leeches", c.leeches),
        ]
        .iter()
        .map(|(k, v)| vec![k.to_string(), v.to_string()])
        .collect(),
    }
}

fn bucket_table(
    name: &'static str,
    headers: Vec<&'static str>,
    buckets: &[super::compute::Bucket],
) -> Table {
    Table {
        name,
        headers,
        rows: buckets
            .iter()
            .map(|b| {
                vec![
                    b.label.to_string(),
                    b.low.to_string(),
                    b.high.map(|h| h.to_string()).unwrap_or_default(),
                    b.cards.to_string(),
                ]
            })
            .collect(),
    }
}

/// The retrievability buckets; no rows when FSRS is not shown.
fn retrievability_table(stats: &Stats) -> Table {
    Table {
        name: "retrievability",
        headers: vec!["label", "low", "high", "cards"],
        rows: stats
            .retrievability
            .iter()
            .flat_map(|r| &r.buckets)
            .map(|b| {
                vec![
                    b.label.to_string(),
                    b.low.to_string(),
                    b.high.to_string(),
                    b.cards.to_string(),
                ]
            })
            .collect(),
    }
}

fn buttons_table(stats: &Stats) -> Table {
    Table {
        name: "buttons",
        headers: vec!["phase", "again", "hard", "good", "easy", "total"],
        rows: stats
            .buttons
            .iter()
            .map(|b| {
                vec![
                    b.phase.to_string(),
                    b.again.to_string(),
                    b.hard.to_string(),
                    b.good.to_string(),
                    b.easy.to_string(),
                    b.total.to_string(),
                ]
            })
            .collect(),
    }
}

fn hours_table(stats: &Stats) -> Table {
    Table {
        name: "hours",
        headers: vec!["hour", "answers", "scored", "passed"],
        rows: stats
            .hours
            .iter()
            .map(|h| {
                vec![
                    h.hour.to_string(),
                    h.answers.to_string(),
                    h.scored.to_string(),
                    h.passed.to_string(),
                ]
            })
            .collect(),
    }
}

/// The three hardest lists in one table, the list named in each row.
fn hardest_table(stats: &Stats) -> Table {
    let mut rows = vec![];
    for (list, cards) in [
        ("most_lapses", &stats.hardest.most_lapses),
        ("lowest_ease", &stats.hardest.lowest_ease),
        ("leeches", &stats.hardest.leeches),
    ] {
        for c in cards {
            rows.push(vec![
                list.to_string(),
                c.card_id.to_string(),
                c.deck.clone(),
                c.key.clone(),
                c.term.clone(),
                c.direction.clone(),
                c.phase.to_string(),
                c.lapses.to_string(),
                c.ease_permille.to_string(),
                c.interval_days.to_string(),
                c.suspended.to_string(),
            ]);
        }
    }
    Table {
        name: "hardest",
        headers: vec![
            "list",
            "card_id",
            "deck",
            "key",
            "term",
            "direction",
            "phase",
            "lapses",
            "ease_permille",
            "interval_days",
            "suspended",
        ],
        rows,
    }
}

/// One table by name; a usage error listing the names otherwise.
pub fn table(stats: &Stats, name: &str) -> Result<Table> {
    tables(stats)
        .into_iter()
        .find(|t| t.name == name)
        .ok_or_else(|| {
            Error::usage(format!(
                "there is no statistics table '{name}' (tables: {})",
                TABLE_NAMES.join(", ")
            ))
        })
}

/// A table as RFC 4180 CSV with a header row.
pub fn write(table: &Table) -> Result<String> {
    let failed = |e: &dyn std::fmt::Display| {
        Error::failed(format!("cannot write the table {} as CSV: {e}", table.name))
    };
    let mut writer = ::csv::Writer::from_writer(vec![]);
    writer
        .write_record(&table.headers)
        .map_err(|e| failed(&e))?;
    for row in &table.rows {
        writer.write_record(row).map_err(|e| failed(&e))?;
    }
    let bytes = writer.into_inner().map_err(|e| failed(&e))?;
    String::from_utf8(bytes).map_err(|e| failed(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::compute::sample::sample_stats;

    #[test]
    fn every_table_is_listed_under_its_name_with_rows_as_wide_as_the_header() {
        let stats = sample_stats();
        let all = tables(&stats);
        let names: Vec<&str> = all.iter().map(|t| t.name).collect();
        assert_eq!(names, TABLE_NAMES);
        for t in &all {
            for row in &t.rows {
                assert_eq!(row.len(), t.headers.len(), "table {}", t.name);
            }
        }
    }

    #[test]
    fn cells_with_commas_and_quotes_are_quoted() {
        let stats = sample_stats();
        let text = write(&table(&stats, "hardest").unwrap()).unwrap();
        assert!(text.starts_with("list,card_id,deck,key,term,"));
        assert!(text.contains("\"<b>bold</b>, \"\"quoted\"\"\""), "{text}");
    }

    #[test]
    fn an_unknown_table_is_a_usage_error_naming_the_tables() {
        let err = table(&sample_stats(), "nope").unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("retention_monthly"));
    }
}
