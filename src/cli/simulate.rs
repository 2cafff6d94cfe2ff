//! `jargon simulate`: the next days played on the learner's own cards under each scheduler
//! (sm2, anki, and fsrs at several desired retentions), one fitted memory model judging them
//! all ([`crate::memory::simulate`]): reviews and minutes, cards remembered at the end, a chart
//! of daily minutes, and the retention that costs least time per remembered card.

use std::io::{IsTerminal, Write};

use super::Context;
use super::args::TextOrJson;
use super::memory_log::{answers, error, new_cards};
use crate::error::{Error, Result};
use crate::memory::simulate::{DEFAULT_RETENTIONS, Simulation};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Days to play (1 to 3650)
    #[arg(long, default_value_t = 365, value_name = "N")]
    pub days: usize,
    /// New cards introduced a day (default: the new_per_day setting), out of the collection's
    /// new cards
    #[arg(long, value_name = "N")]
    pub new_per_day: Option<usize>,
    /// A desired retention for fsrs (0.70 to 0.97); repeat it for several (default: 0.75,
    /// 0.80, 0.85, 0.90, 0.93, 0.95)
    #[arg(long = "retention", value_name = "R")]
    pub retentions: Vec<f32>,
    /// Only this deck's cards and log (with its sub-decks)
    #[arg(long, value_name = "NAME")]
    pub deck: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let (log, _) = answers(&collection, args.deck.as_deref())?;
    let today = clock.today();
    let new_cards = new_cards(&collection, args.deck.as_deref(), today)?;
    let simulate_config = crate::memory::SimulateConfig {
        days: args.days,
        new_per_day: args
            .new_per_day
            .unwrap_or(usize::try_from(config.new_per_day).unwrap_or(usize::MAX)),
        new_cards,
        retentions: if args.retentions.is_empty() {
            DEFAULT_RETENTIONS.to_vec()
        } else {
            args.retentions.clone()
        },
        today,
        settings: config.scheduling,
        seed: 42,
    };
    let parameters = config.scheduling.fsrs_parameters.0;
    let simulation = crate::memory::simulate(&log, &parameters, &simulate_config).map_err(error)?;
    if args.format == TextOrJson::Json {
        let json = simulation.to_json().to_string();
        return writeln!(out, "{json}").map_err(Error::Output);
    }
    let fitted =
        config.scheduling.fsrs_parameters.0 != crate::scheduler::fsrs::default_parameters();
    let width = crate::repl::render::terminal_width(std::io::stdout().is_terminal());
    out.write_all(super::memory_log::fit_to_screen(&text(&simulation, fitted, width)).as_bytes())
        .map_err(Error::Output)
}

/// A run's name in the table and the chart: `sm2`, `anki`, `fsrs 0.85`.
fn label(run: &crate::memory::Run) -> String {
    match run.desired_retention {
        Some(r) => format!("fsrs {r:.2}"),
        None => run.scheduler.name().to_string(),
    }
}

/// The runs as a table (60 columns), the chart of daily minutes (as wide as `width` allows),
/// and the best retention.
fn text(simulation: &Simulation, fitted: bool, width: usize) -> String {
    let mut text = format!(
        "{} days on your cards, judged by {} FSRS-6 model{}\n\n",
        simulation.days,
        if fitted { "your fitted" } else { "the default" },
        if fitted {
            ":"
        } else {
            "\n(`jargon optimize` fits yours):"
        }
    );
    text.push_str("  run          rev/day  min/day  remembered  rev/remembered\n");
    let days = simulation.days.max(1) as f64;
    for run in &simulation.runs {
        text.push_str(&format!(
            "  {:<11}  {:>7.1}  {:>7.1}  {:>10.1}  {:>14.2}\n",
            label(run),
            run.reviews as f64 / days,
            run.minutes / days,
            run.memorized,
            run.reviews_per_memorized()
        ));
    }
    text.push_str("\nMinutes a day:\n");
    text.push_str(&chart(simulation, width));
    if let Some(best) = simulation.best_retention {
        text.push_str(&format!(
            "\nThe least time per remembered card: fsrs at {best:.2}\n(`jargon config set desired_retention {best:.2}`).\n"
        ));
    }
    text
}

/// One line per run: its daily minutes in eight-level bars over up to 52 columns (the days
/// grouped evenly; fewer on a narrow screen), with the peak.
fn chart(simulation: &Simulation, width: usize) -> String {
    const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    // The label (2 + 11 + 1) and " 999 max" take 22 columns.
    let columns_wide = width.saturating_sub(22).clamp(8, 52);
    let mut peak: f64 = 0.0;
    let mut lines = vec![];
    for run in &simulation.runs {
        let days = run.per_day.len().max(1);
        let width = days.min(columns_wide);
        let columns: Vec<f64> = (0..width)
            .map(|c| {
                let (from, to) = (
                    c * days / width,
                    ((c + 1) * days / width).max(c * days / width + 1),
                );
                let slice = &run.per_day[from.min(run.per_day.len())..to.min(run.per_day.len())];
                slice.iter().map(|d| d.minutes).sum::<f64>() / slice.len().max(1) as f64
            })
            .collect();
        peak = columns.iter().copied().fold(peak, f64::max);
        lines.push((run, columns));
    }
    let mut text = String::new();
    for (run, columns) in lines {
        let bars: String = columns
            .iter()
            .map(|&m| {
                let level = if peak > 0.0 { m / peak * 7.0 } else { 0.0 };
                // 0..=7 after the clamp: the cast cannot overflow.
                LEVELS[level.round().clamp(0.0, 7.0) as usize]
            })
            .collect();
        let max = columns.iter().copied().fold(0.0, f64::max);
        text.push_str(&format!("  {:<11} {bars} {max:.0} max\n", label(run)));
    }
    text
}
