//! `jargon evaluate`: how well each scheduler predicts this learner's recall
//! ([`crate::memory::evaluate`]: a time-series split, log loss, RMSE(bins), AUC), as a table
//! or as JSON (`docs/memory.md`).

use std::io::Write;

use super::Context;
use super::args::TextOrJson;
use super::memory_log::{advance, answers, error, progress_bar};
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this deck's log (with its sub-decks)
    #[arg(long, value_name = "NAME")]
    pub deck: Option<String>,
    /// Time-series splits: the log is cut into this many + 1 segments by time, and each
    /// segment is predicted by what was fitted on the segments before it
    #[arg(long, default_value_t = crate::memory::evaluate::DEFAULT_SPLITS, value_name = "N")]
    pub splits: usize,
    /// Output format
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let config = collection.config()?;
    let (log, _) = answers(&collection, args.deck.as_deref())?;
    let bar = progress_bar("evaluating");
    let result = crate::memory::evaluate(&log, &config.scheduling, args.splits, &mut |f| {
        advance(&bar, f)
    });
    bar.finish_and_clear();
    let evaluation = result.map_err(error)?;
    if args.format == TextOrJson::Json {
        let json = evaluation.to_json().to_string();
        return writeln!(out, "{json}").map_err(Error::Output);
    }
    let mut text = format!(
        "{} reviews; each model predicts {} of them from what came before (lower log loss and RMSE, higher AUC are better):\n\n",
        evaluation.reviews,
        evaluation.models.first().map_or(0, |m| m.predictions)
    );
    text.push_str("  model           log loss  RMSE(bins)    AUC\n");
    for m in &evaluation.models {
        let auc = m.auc.map_or("   -".to_string(), |a| format!("{a:.3}"));
        text.push_str(&format!(
            "  {:<15} {:>8.4}  {:>10.4}  {:>5}\n",
            m.name, m.log_loss, m.rmse_bins, auc
        ));
    }
    text.push_str(
        "\nsm2 and anki predict 90% recall at the interval they scheduled (docs/memory.md).\n",
    );
    out.write_all(super::memory_log::fit_to_screen(&text).as_bytes())
        .map_err(Error::Output)
}
