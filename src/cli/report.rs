//! `jargon report -o report.html`: the statistics as one self-contained HTML page with SVG
//! charts (no network, no JavaScript), written through `crate::output`.

use std::io::Write;
use std::path::PathBuf;

use super::Context;
use super::stats::period_parser;
use crate::error::{Error, Result};
use crate::outfile::Output;
use crate::stats::compute::Period;
use crate::stats::gather::gather;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The HTML file to write ("-" for standard output)
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: PathBuf,
    /// Only this deck and its sub-decks
    #[arg(long, value_name = "NAME")]
    pub deck: Option<String>,
    /// How far back the answer figures look
    #[arg(long, default_value = "all", value_parser = period_parser())]
    pub period: Period,
}

/// "Your memory": the parameters in force judged on the log of the report's decks, and half a
/// year simulated at the learner's desired retention; a sentence when the log cannot carry it.
fn memory_view(
    collection: &crate::store::Collection,
    config: &crate::config::Config,
    clock: &crate::clock::Clock,
    deck: Option<&str>,
) -> Result<std::result::Result<crate::memory::report::MemoryView, String>> {
    let (answers, _) = super::memory_log::answers(collection, deck)?;
    let parameters = config.scheduling.fsrs_parameters.0;
    let fitted = parameters != crate::scheduler::fsrs::default_parameters();
    let today = clock.today();
    let new_cards = super::memory_log::new_cards(collection, deck, today)?;
    let simulate = crate::memory::SimulateConfig {
        days: crate::memory::report::REPORT_DAYS,
        new_per_day: usize::try_from(config.new_per_day).unwrap_or(usize::MAX),
        new_cards,
        retentions: vec![(config.scheduling.desired_retention_permyriad as f32) / 10_000.0],
        today,
        settings: config.scheduling,
        seed: 42,
    };
    if answers.is_empty() {
        return Ok(Err(
            "No answers yet: your memory shows here once you have reviewed.".to_string(),
        ));
    }
    Ok(
        crate::memory::report::view(&answers, &parameters, fitted, &simulate)
            .map_err(|e| format!("Not shown: {e}.")),
    )
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let output = Output::new(&args.output, "report.html")?;
    let collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let stats = gather(&collection, args.deck.as_deref(), args.period, clock)?;
    let view = memory_view(&collection, &config, &clock, args.deck.as_deref())?;
    let page =
        crate::stats::html::render_with_memory(&stats, view.as_ref().map_err(String::as_str));
    output.write_bytes(page.as_bytes(), out)?;
    if !output.is_stdout() {
        writeln!(
            out,
            "Wrote {} ({} KB).",
            output.path().display(),
            page.len().div_ceil(1024)
        )
        .map_err(Error::Output)?;
    }
    Ok(())
}
