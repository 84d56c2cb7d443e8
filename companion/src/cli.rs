//! The command-line interface. Option names here are a contract (acceptance tests and
//! scripts call them), so change them only with care.

use clap::{Args, Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "mtasts",
    version,
    about = "Check MTA-STS (RFC 8461) and TLS-RPT (RFC 8460) set-ups."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand)]
pub enum Command {
    /// Check a record or policy you paste, without any network access.
    #[command(subcommand)]
    Lint(LintCommand),
    /// Tell whether an MX host is covered by policy mx patterns (RFC 8461 §4.1).
    Match(MatchArgs),
    /// Serve the web app (and, later, its API) over HTTP.
    Serve(ServeArgs),
}

#[derive(Subcommand)]
pub enum LintCommand {
    /// The TXT records found at _mta-sts.<domain>, one argument each (none: none found).
    Txt(RecordArgs),
    /// A policy body, bytes as served ("-" reads standard input).
    Policy(PolicyArgs),
    /// The TXT records found at _smtp._tls.<domain>, one argument each.
    Tlsrpt(RecordArgs),
}

#[derive(Args)]
pub struct RecordArgs {
    /// Print one JSON object instead of a readable report.
    #[arg(long)]
    pub json: bool,
    /// Each TXT record, its strings already joined. Put `--` before records that start with `-`.
    #[arg(value_name = "RECORD")]
    pub records: Vec<String>,
}

#[derive(Args)]
pub struct PolicyArgs {
    /// Print one JSON object instead of a readable report.
    #[arg(long)]
    pub json: bool,
    /// The policy file, or "-" for standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Args)]
pub struct MatchArgs {
    /// Print one JSON object instead of a readable report.
    #[arg(long)]
    pub json: bool,
    /// The MX host name, as the MX record names it.
    #[arg(long, value_name = "HOST")]
    pub host: String,
    /// The policy's mx patterns.
    #[arg(value_name = "PATTERN")]
    pub patterns: Vec<String>,
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "MTASTS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Folder of the built web app (Trunk's dist/).
    #[arg(long, env = "MTASTS_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "MTASTS_LOG_JSON")]
    pub log_json: bool,
}
