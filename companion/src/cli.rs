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
    /// Check many domains (one a line), printing one JSON report a line as each finishes.
    Scan(ScanArgs),
    /// Propose the records to publish for a domain, from its live MX and their probes.
    Generate(GenerateArgs),
    /// Read TLS-RPT aggregate reports (JSON, .json.gz, or saved e-mails) and explain them.
    Report(ReportArgs),
    /// Serve the web app and its JSON API over HTTP.
    Serve(Box<ServeArgs>),
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

/// Seconds as a flag value: a finite, positive number (so `NaN`, `inf` and `-1` are refused
/// with a message instead of a panic later).
pub fn seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !value.is_finite() || value <= 0.0 || value > 86_400.0 {
        return Err(format!(
            "{text:?} is not a duration: give seconds above 0 and at most 86400"
        ));
    }
    Ok(value)
}

/// A CORS origin: `*` (any origin) or `scheme://host[:port]` with nothing after it.
pub fn origin(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text == "*" {
        return Ok(text.into());
    }
    let (scheme, rest) = text
        .split_once("://")
        .ok_or_else(|| format!("{text:?} is not an origin: give scheme://host[:port] or *"))?;
    if !matches!(scheme, "http" | "https") || rest.is_empty() || rest.contains(['/', '?', '#', ' '])
    {
        return Err(format!(
            "{text:?} is not an origin: give scheme://host[:port] (no path) or *"
        ));
    }
    Ok(text.to_ascii_lowercase())
}

#[derive(Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "MTASTS_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// Folder of the built web app (Trunk's dist/).
    #[arg(long, env = "MTASTS_DIST", default_value = "dist")]
    pub dist: PathBuf,
    /// Serve Prometheus metrics on this separate address (e.g. 127.0.0.1:9090); none when
    /// not given, so the public port never shows them.
    #[arg(long, env = "MTASTS_METRICS_LISTEN", value_name = "ADDR:PORT")]
    pub metrics_listen: Option<SocketAddr>,
    #[command(flatten)]
    pub net: NetArgs,
    /// An origin allowed to call the API from a page elsewhere (CORS), or `*` for any;
    /// same-origin only when none is given. Repeat for several.
    #[arg(
        long,
        env = "MTASTS_CORS_ORIGIN",
        value_name = "ORIGIN",
        value_delimiter = ',',
        value_parser = origin
    )]
    pub cors_origin: Vec<String>,
    /// API requests one client address may make per minute.
    #[arg(long, env = "MTASTS_RATE_PER_MINUTE", default_value_t = 60)]
    pub rate_per_minute: u32,
    /// How many API requests a client may make at once before the per-minute rate applies.
    #[arg(long, env = "MTASTS_RATE_BURST", default_value_t = 20)]
    pub rate_burst: u32,
    /// API requests of one client address in progress at once; more get 429.
    #[arg(long, env = "MTASTS_MAX_REQUESTS_PER_CLIENT", default_value_t = 4)]
    pub max_requests_per_client: usize,
    /// Probes per minute of one MX target, whoever asks: counted by name, by address, and
    /// (four times as many) by /24 or /48 network. Reused probes do not count.
    #[arg(long, env = "MTASTS_PROBES_PER_HOST", default_value_t = 12)]
    pub probes_per_host: u32,
    /// Seconds a probe of an MX address is reused for every client (0: never).
    #[arg(long, env = "MTASTS_PROBE_CACHE_SECS", default_value_t = 60)]
    pub probe_cache_secs: u64,
    /// Behind a reverse proxy: the header that carries the client address (e.g.
    /// X-Forwarded-For). Never set it without a proxy in front.
    #[arg(long, env = "MTASTS_TRUSTED_HEADER", value_name = "NAME")]
    pub trusted_header: Option<String>,
    /// Proxies in front of the service that append to the trusted header: the client is
    /// the entry this many places from the right.
    #[arg(long, env = "MTASTS_TRUSTED_HOPS", default_value_t = 1)]
    pub trusted_hops: usize,
    /// Outbound connections (probes and policy fetches) open at once, for all clients,
    /// shared between them in turn.
    #[arg(long, env = "MTASTS_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Outbound connections one API request may hold at once (a check of 25 MX hosts
    /// queues within its own share).
    #[arg(long, env = "MTASTS_CONNECTIONS_PER_REQUEST", default_value_t = 16)]
    pub connections_per_request: usize,
    /// DNS-over-HTTPS connections open at once.
    #[arg(long, env = "MTASTS_MAX_DOH_CONNECTIONS", default_value_t = 32)]
    pub max_doh_connections: usize,
    /// API requests in progress at once, over all routes; more get 503 and Retry-After.
    #[arg(long, env = "MTASTS_MAX_REQUESTS", default_value_t = 1024)]
    pub max_requests: usize,
    /// Inbound connections open at once; more are closed at once (also kept under half
    /// the process's file-descriptor limit).
    #[arg(long, env = "MTASTS_MAX_INBOUND", default_value_t = 4096)]
    pub max_inbound: usize,
    /// Inbound connections one client address may hold open.
    #[arg(long, env = "MTASTS_MAX_INBOUND_PER_CLIENT", default_value_t = 64)]
    pub max_inbound_per_client: usize,
    /// Seconds a client has to send a request's headers, and to start the next request
    /// on a kept-alive connection.
    #[arg(
        long,
        env = "MTASTS_HEADER_TIMEOUT",
        value_name = "SECS",
        default_value = "10",
        value_parser = seconds
    )]
    pub header_timeout: f64,
    /// Total seconds one request may take, any route.
    #[arg(
        long,
        env = "MTASTS_REQUEST_TIMEOUT",
        value_name = "SECS",
        default_value = "90",
        value_parser = seconds
    )]
    pub request_timeout: f64,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "MTASTS_LOG_JSON")]
    pub log_json: bool,
}

/// How `check` prints its report.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable text for a terminal.
    Text,
    /// One JSON object on one line (the schema `mtasts schema` prints).
    Json,
    /// Markdown, for a ticket or a chat.
    Markdown,
}

#[derive(Args)]
pub struct CheckArgs {
    /// Print the report as one JSON object (the same as --format json).
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    /// How to print the report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub net: NetArgs,
    /// Compare with an earlier report of the same domain (the output of --format json):
    /// adds "changes", and the error txt.id.not_updated when the policy text changed but
    /// the TXT id did not.
    #[arg(long, value_name = "OLD.json")]
    pub baseline: Option<PathBuf>,
    /// Also ask this DNS-over-HTTPS resolver for the _mta-sts TXT and the MX records, and
    /// show them beside the check's own (dns.resolvers.differ when they disagree). Repeat
    /// for several.
    #[arg(long, value_name = "URL")]
    pub compare_doh: Vec<String>,
    /// Judge this policy file (not yet published) in place of the published policy; the
    /// published one is still fetched, for comparison.
    #[arg(long, value_name = "FILE")]
    pub draft_policy: Option<PathBuf>,
    /// The _mta-sts TXT record to publish with the draft (default: the published one).
    #[arg(long, value_name = "RECORD", requires = "draft_policy")]
    pub draft_txt: Option<String>,
    /// Warn about certificates of the policy host and of every MX host that expire within
    /// this many days (policy.certificate.expiring, mx.certificate.expiring).
    #[arg(long, value_name = "N", default_value_t = 14, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub expiry_days: i64,
    /// The domain: a name, a URL or an e-mail address.
    #[arg(value_name = "DOMAIN")]
    pub domain: String,
}

#[derive(Args)]
pub struct ScanArgs {
    /// Checks in progress at once.
    #[arg(long, value_name = "N", default_value_t = 16, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub concurrency: u16,
    /// Check only part K of N of the list (K from 0), by a stable hash of each domain, so
    /// N machines split one list without coordination.
    #[arg(long, value_name = "K/N", value_parser = mtasts_core::scan::Shard::parse)]
    pub shard: Option<mtasts_core::scan::Shard>,
    /// Skip the domains that already have a line in this earlier output (to resume).
    #[arg(long, value_name = "OUT.jsonl")]
    pub skip_done: Option<PathBuf>,
    /// Outbound connections (probes and policy fetches) open at once, for all checks.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,
    /// Outbound connections one check may hold at once.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub connections_per_check: usize,
    /// Seconds one whole check may take; a check that takes longer gets an error line.
    #[arg(long, value_name = "SECS", default_value = "90", value_parser = seconds)]
    pub check_timeout: f64,
    /// Seconds a probe of an MX address is reused for the other domains that share it
    /// (0: never), so a large provider's MX is probed once, not once per customer.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub probe_cache_secs: u64,
    /// Warn about certificates that expire within this many days (as `check`).
    #[arg(long, value_name = "N", default_value_t = 14, value_parser = clap::value_parser!(i64).range(0..=3650))]
    pub expiry_days: i64,
    #[command(flatten)]
    pub net: NetArgs,
    /// The list: one domain a line (# comments and blank lines skipped); "-" reads
    /// standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

#[derive(Args)]
pub struct ReportArgs {
    /// Print one JSON object: {"reports", "totals", "findings", "inputs", "result_types"}.
    #[arg(long)]
    pub json: bool,
    /// Report files (.json, .json.gz, .eml) or folders of them; "-" reads standard input.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
}

#[derive(Args)]
pub struct GenerateArgs {
    /// Print one JSON object: {"domain", "txt", "policy", "tlsrpt", "notes", "findings"}.
    #[arg(long)]
    pub json: bool,
    /// Where TLS reports go: a mailto: or https: URI, or an e-mail address.
    #[arg(long, value_name = "URI")]
    pub rua: Option<String>,
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
        default_value = "10",
        value_parser = seconds
    )]
    pub timeout: f64,
}
