//! `jargon backup [PATH]`: a consistent copy of the collection, safe while it is in use,
//! written beside the target under a hidden name and linked into place when complete.

use std::io::Write;
use std::path::PathBuf;

use super::Context;
use crate::error::{Error, Result};
use crate::outfile::Output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to write the copy (default: backups/ beside the collection, named by the time)
    pub path: Option<PathBuf>,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let target = match &args.path {
        Some(path) => path.clone(),
        None => {
            let now = crate::clock::now_from_env()?;
            let folder = context
                .db
                .parent()
                .map(|p| p.join("backups"))
                .unwrap_or_else(|| PathBuf::from("backups"));
            std::fs::create_dir_all(&folder)
                .map_err(|e| crate::error::Error::io("create the folder", &folder, e))?;
            folder.join(format!("collection-{}.sqlite", now.format("%Y%m%d-%H%M%S")))
        }
    };
    // Through the output rules (links followed, a folder is a usage error), but a backup
    // only ever makes a new file: an existing path is refused, never replaced.
    Output::new(&target, "collection.sqlite")?
        .create_new_with(|hidden| collection.backup_to(hidden))?;
    writeln!(out, "Backed up to {}.", target.display()).map_err(Error::Output)?;
    Ok(())
}
