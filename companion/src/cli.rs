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
    /// Check a domain end to end: DNS, policy fetch, STARTTLS probe of every MX.
    Check(CheckArgs),
    /// Serve the web app (and, later, its API) over HTTP.
    Serve(ServeArgs),
    /// Print the JSON Schema of the report that `check --json` prints.
    Schema,
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
    #[command(flatten)]
    pub net: NetArgs,
    /// An origin allowed to call the API from a page elsewhere (CORS); same-origin only
    /// when none is given. Repeat for several.
    #[arg(
        long,
        env = "MTASTS_CORS_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origin: Vec<String>,
    /// API requests one client address may make per minute.
    #[arg(long, env = "MTASTS_RATE_PER_MINUTE", default_value_t = 60)]
    pub rate_per_minute: u32,
    /// How many API requests a client may make at once before the per-minute rate applies.
    #[arg(long, env = "MTASTS_RATE_BURST", default_value_t = 20)]
    pub rate_burst: u32,
    /// Probes of one MX host per minute, whoever asks.
    #[arg(long, env = "MTASTS_PROBES_PER_HOST", default_value_t = 12)]
    pub probes_per_host: u32,
    /// Behind a reverse proxy: the header that carries the client address
    /// (e.g. X-Forwarded-For; its rightmost address is used). Never set it without a proxy.
    #[arg(long, env = "MTASTS_TRUSTED_HEADER", value_name = "NAME")]
    pub trusted_header: Option<String>,
    /// Outbound connections (probes and policy fetches) open at once, for all clients.
    #[arg(long, env = "MTASTS_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// API requests in progress at once; more get 503 and Retry-After.
    #[arg(long, env = "MTASTS_MAX_REQUESTS", default_value_t = 1024)]
    pub max_requests: usize,
    /// Total seconds one API request may take.
    #[arg(
        long,
        env = "MTASTS_REQUEST_TIMEOUT",
        value_name = "SECS",
        default_value_t = 90.0
    )]
    pub request_timeout: f64,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "MTASTS_LOG_JSON")]
    pub log_json: bool,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Print the report as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub net: NetArgs,
    /// The domain: a name, a URL or an e-mail address.
    #[arg(value_name = "DOMAIN")]
    pub domain: String,
}

/// How the tool reaches the network; the same for `check` and `serve`.
#[derive(Args, Clone)]
pub struct NetArgs {
    /// DNS-over-HTTPS resolver URL (RFC 8484) [default: https://cloudflare-dns.com/dns-query]
    #[arg(long, env = "MTASTS_DOH", value_name = "URL")]
    pub doh: Option<String>,
    /// Plain DNS server instead of DoH: IP[:PORT] (UDP, TCP on truncation).
    #[arg(
        long,
        env = "MTASTS_DNS",
        value_name = "IP[:PORT]",
        conflicts_with = "doh"
    )]
    pub dns: Option<String>,
    /// Extra trust anchor (PEM) for every TLS connection, beside the public roots.
    #[arg(long, env = "MTASTS_CA", value_name = "FILE", value_delimiter = ',')]
    pub ca: Vec<PathBuf>,
    /// Allow loopback, private and other special-purpose target addresses.
    #[arg(long, env = "MTASTS_ALLOW_PRIVATE")]
    pub allow_private: bool,
    /// Deadline in seconds for each phase of each connection (resolve, connect, greeting,
    /// handshake, headers, body).
    #[arg(
        long,
        env = "MTASTS_TIMEOUT",
        value_name = "SECS",
        default_value_t = 10.0
    )]
    pub timeout: f64,
}
