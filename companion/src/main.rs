//! `mtasts`: the command-line tool and companion service of the MTA-STS tester.

mod check_cmd;
mod cli;
mod driver;
mod lint;
mod net;
mod output;
mod serve;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Lint(args) => lint::run_lint(args),
        cli::Command::Match(args) => lint::run_match(args),
        cli::Command::Check(args) => check_cmd::run(args),
        cli::Command::Serve(args) => serve::run(args),
        cli::Command::Schema => {
            let schema = schemars::schema_for!(mtasts_core::Report);
            println!(
                "{}",
                serde_json::to_string_pretty(&schema).expect("a schema serializes")
            );
            ExitCode::SUCCESS
        }
    }
}
