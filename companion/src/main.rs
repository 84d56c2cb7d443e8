//! `mtasts`: the command-line tool and companion service of the MTA-STS tester.

mod check_cmd;
mod cli;
mod driver;
mod generate_cmd;
mod lint;
mod net;
mod output;
mod report_cmd;
mod scan_cmd;
mod serve;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli.command {
        cli::Command::Lint(args) => lint::run_lint(args),
        cli::Command::Match(args) => lint::run_match(args),
        cli::Command::Check(args) => check_cmd::run(args),
        cli::Command::Scan(args) => scan_cmd::run(args),
        cli::Command::Generate(args) => generate_cmd::run(args),
        cli::Command::Report(args) => report_cmd::run(args),
        cli::Command::Serve(args) => serve::run(*args),
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

/// The async runtime for `check` and `serve`, or the exit code when it cannot start.
fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Runtime::new().map_err(|e| {
        eprintln!("mtasts: cannot start the runtime: {e}");
        ExitCode::from(1)
    })
}
