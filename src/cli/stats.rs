//! `jargon stats`: review statistics in the terminal, as JSON, or as CSV tables.
//!
//! The figures come from [`crate::stats::gather::gather`], which `jargon report` and the
//! benchmark call too; this file parses the arguments and prints.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::Context;
use crate::error::{Error, Result};
use crate::repl::render::Style;
use crate::stats::compute::{Period, Stats};
use crate::stats::gather::gather;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables and charts for the terminal
    Text,
    /// One JSON object (schema in docs/stats.md)
    Json,
    /// CSV tables (with --table NAME or -o DIR)
    Csv,
}

/// `--period`, shared with `jargon report`.
pub fn period_parser() -> impl TypedValueParser<Value = Period> {
    // The possible-values parser only lets the five names through, so parse never fails.
    PossibleValuesParser::new(Period::NAMES).map(|name| Period::parse(&name).unwrap_or(Period::All))
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this deck and its sub-decks
    #[arg(long, value_name = "NAME")]
    pub deck: Option<String>,
    /// How far back the answer figures look (the streak, heatmap, cards and forecast do not
    /// depend on it)
    #[arg(long, default_value = "month", value_parser = period_parser())]
    pub period: Period,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// With --format csv: print only this table (summary, daily, retention_daily,
    /// retention_weekly, retention_monthly, forecast, heatmap, cards, intervals, ease,
    /// buttons, hours, hardest)
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// With --format csv: write every table to DIR/NAME.csv
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    if args.format != Format::Csv && (args.table.is_some() || args.output.is_some()) {
        return Err(Error::usage(
            "--table and -o go with --format csv (try `jargon stats --format csv --table daily`)",
        ));
    }
    if args.format == Format::Csv && args.table.is_some() && args.output.is_some() {
        return Err(Error::usage(
            "choose one of --table NAME (one table to standard output) and -o DIR (every table to files)",
        ));
    }
    if let Some(name) = &args.table
        && !crate::stats::csv::TABLE_NAMES.contains(&name.as_str())
    {
        return Err(Error::usage(format!(
            "there is no statistics table '{name}' (tables: {})",
            crate::stats::csv::TABLE_NAMES.join(", ")
        )));
    }
    if args.format == Format::Csv && args.table.is_none() && args.output.is_none() {
        return Err(Error::usage(format!(
            "--format csv needs --table NAME or -o DIR (tables: {})",
            crate::stats::csv::TABLE_NAMES.join(", ")
        )));
    }
    let collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let stats = gather(&collection, args.deck.as_deref(), args.period, clock)?;
    match args.format {
        Format::Text => {
            let style = Style::for_terminal(std::io::stdout().is_terminal());
            out.write_all(crate::stats::terminal::render(&stats, &style).as_bytes())
                .map_err(Error::Output)?;
        }
        Format::Json => out
            .write_all(crate::stats::json::render(&stats)?.as_bytes())
            .map_err(Error::Output)?,
        Format::Csv => match (&args.table, &args.output) {
            (Some(name), _) => {
                let table = crate::stats::csv::table(&stats, name)?;
                out.write_all(crate::stats::csv::write(&table)?.as_bytes())
                    .map_err(Error::Output)?;
            }
            (None, Some(dir)) => {
                let written = write_tables(&stats, dir)?;
                writeln!(
                    out,
                    "Wrote {written} tables to {} (one NAME.csv each).",
                    dir.display()
                )
                .map_err(Error::Output)?;
            }
            (None, None) => {}
        },
    }
    Ok(())
}

/// Writes every table to `dir/NAME.csv`, creating the folder; returns how many.
fn write_tables(stats: &Stats, dir: &Path) -> Result<usize> {
    // Every table is made before the first file is written, so a failure writes nothing.
    let tables = crate::stats::csv::tables(stats);
    let written = tables
        .iter()
        .map(|table| Ok((table.name, crate::stats::csv::write(table)?)))
        .collect::<Result<Vec<_>>>()?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create the folder", dir, e))?;
    for (name, text) in &written {
        let file = format!("{name}.csv");
        // Each file by the output rules: links written through, modes kept, replaced whole.
        crate::outfile::Output::new(&dir.join(&file), &file)?
            .write_bytes(text.as_bytes(), &mut std::io::sink())?;
    }
    Ok(written.len())
}
