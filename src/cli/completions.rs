//! `jargon completions SHELL`: completion scripts generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;

use super::Cli;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<()> {
    // `generate` panics when its writer fails (a closed pipe): make the script in memory and
    // write it here, where a closed pipe is the usual quiet success.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "jargon", &mut script);
    out.write_all(&script).map_err(Error::Output)?;
    out.flush().map_err(Error::Output)?;
    Ok(())
}
