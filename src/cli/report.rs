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

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let output = Output::new(&args.output, "report.html")?;
    let collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let stats = gather(&collection, args.deck.as_deref(), args.period, clock)?;
    let page = crate::stats::html::render(&stats);
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
