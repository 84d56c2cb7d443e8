//! `mtasts`: the command-line tool and companion service of the MTA-STS tester.

mod cli;
mod lint;
mod output;
mod serve;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Lint(args) => lint::run_lint(args),
        cli::Command::Match(args) => lint::run_match(args),
        cli::Command::Serve(args) => serve::run(args),
    }
}
