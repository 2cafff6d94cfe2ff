//! `jargon report -o report.html`: the statistics as one self-contained HTML page with SVG
//! charts (no network, no JavaScript), written atomically.

use std::io::Write;
use std::path::PathBuf;

use super::Context;
use super::stats::{gather, period_parser};
use crate::error::{Error, Result};
use crate::stats::compute::Period;

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
    let collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let stats = gather(&collection, args.deck.as_deref(), args.period, clock)?;
    let page = crate::stats::html::render(&stats);
    if args.output.as_os_str() == "-" {
        out.write_all(page.as_bytes())?;
        return Ok(());
    }
    let path = &args.output;
    if path.is_dir() {
        return Err(Error::usage(format!(
            "{} is a folder; name the report file, such as {}",
            path.display(),
            path.join("report.html").display()
        )));
    }
    // Write beside the target and rename, so a reader never sees half a report.
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| std::path::Path::new("."));
    let mut file =
        tempfile::NamedTempFile::new_in(folder).map_err(|e| Error::io("write into", folder, e))?;
    file.write_all(page.as_bytes())
        .map_err(|e| Error::io("write", path, e))?;
    file.persist(path)
        .map_err(|e| Error::io("write", path, e.error))?;
    writeln!(
        out,
        "Wrote {} ({} KB).",
        path.display(),
        page.len().div_ceil(1024)
    )?;
    Ok(())
}
