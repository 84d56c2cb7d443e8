//! `mtasts scan FILE`: many domains, one JSON report a line on standard output as each
//! check finishes, with the companion's limits (a shared pool of outbound connections, a
//! share of it per check, the probe cache, a deadline per check).

use crate::check_cmd::net_from;
use crate::cli::ScanArgs;
use crate::net::fair::FairPool;
use crate::net::probe_cache::{MemoryStore, ProbeCache};
use mtasts_core::report::Verdict;
use mtasts_core::scan::{entries, Entry};
use std::collections::HashSet;
use std::io::{BufRead as _, IsTerminal as _, Read as _, Write as _};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// The largest list read; a million domains is about 20 MB.
const MAX_LIST_BYTES: u64 = 256 << 20;
/// Probes kept for reuse: as many distinct MX addresses as a large scan meets in the cache's
/// lifetime.
/// lifetime, each a few kilobytes with its transcript: tens of megabytes at most.
const PROBE_CACHE_ENTRIES: usize = 20_000;

/// The error codes of lines that are not reports.
const NOT_A_DOMAIN: &str = "not-a-domain";
const TIMEOUT: &str = "timeout";
const INTERNAL: &str = "internal";

pub fn run(args: ScanArgs) -> ExitCode {
    let usage = |e: &dyn std::fmt::Display| {
        eprintln!("mtasts: {e}");
        ExitCode::from(2)
    };
    let list = match read_list(&args.file) {
        Ok(list) => list,
        Err(e) => return usage(&e),
    };
    let done = match &args.skip_done {
        None => HashSet::new(),
        Some(path) => match read_done(path) {
            Ok(done) => done,
            Err(e) => return usage(&e),
        },
    };
    let concurrency = usize::from(args.concurrency);
    let mut net = match net_from(&args.net, concurrency.clamp(4, 64)) {
        Ok(net) => net,
        Err(e) => return usage(&e),
    };
    net.outbound = Some(FairPool::new(args.max_connections.max(1)));
    if args.probe_cache_secs > 0 {
        net.probe_cache = Some(Arc::new(ProbeCache::new(
            Arc::new(MemoryStore::new(PROBE_CACHE_ENTRIES)),
            Duration::from_secs(args.probe_cache_secs),
        )));
    }
    let todo: Vec<Entry> = entries(&list, |key| {
        args.shard.is_none_or(|s| s.contains(key)) && !done.contains(key)
    });
    drop(list);
    let runtime = match crate::runtime() {
        Ok(r) => r,
        Err(code) => return code,
    };
    let settings = Settings {
        per_check: args.connections_per_check.max(1),
        deadline: Duration::from_secs_f64(args.check_timeout),
        expiry_days: args.expiry_days,
        concurrency,
    };
    let tally = runtime.block_on(scan(net, todo, settings));
    tally.exit_code()
}

struct Settings {
    per_check: usize,
    deadline: Duration,
    expiry_days: i64,
    concurrency: usize,
}

/// Counts of what the lines said, for the progress line and the exit status.
#[derive(Default)]
struct Tally {
    total: usize,
    done: usize,
    failed: usize,
    inconclusive: usize,
    broken_pipe: bool,
}

impl Tally {
    fn count(&mut self, line: &Line) {
        self.done += 1;
        match line {
            Line::Report(r) => match r.verdict {
                Some(Verdict::Pass | Verdict::Warn) => {}
                Some(Verdict::Inconclusive) | None => self.inconclusive += 1,
                Some(Verdict::Fail | Verdict::None) => self.failed += 1,
            },
            Line::Error { code, .. } if *code == NOT_A_DOMAIN => self.failed += 1,
            Line::Error { .. } => self.inconclusive += 1,
        }
    }

    /// The worst line decides, as `check` decides for one domain: 1 when some domain
    /// failed, is not deployed or is not a domain; else 3 when some check could not see
    /// what it needed or ran out of time; else 0.
    fn exit_code(&self) -> ExitCode {
        if self.broken_pipe || self.failed > 0 {
            ExitCode::from(1)
        } else if self.inconclusive > 0 {
            ExitCode::from(3)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// One line of output.
enum Line {
    Report(Box<mtasts_core::Report>),
    Error {
        domain: String,
        line: usize,
        code: &'static str,
        message: String,
    },
}

impl Line {
    fn json(&self) -> String {
        match self {
            Line::Report(r) => serde_json::to_string(r).unwrap_or_else(|e| {
                serde_json::json!({ "domain": r.domain, "error": { "code": "internal", "message": e.to_string() } })
                    .to_string()
            }),
            Line::Error {
                domain,
                line,
                code,
                message,
            } => serde_json::json!({
                "domain": domain,
                "line": line,
                "error": { "code": code, "message": message },
            })
            .to_string(),
        }
    }
}

async fn scan(net: crate::net::Net, todo: Vec<Entry>, s: Settings) -> Tally {
    let mut tally = Tally {
        total: todo.len(),
        ..Tally::default()
    };
    let progress = Progress::new(std::io::stderr().is_terminal());
    let mut pending = todo.into_iter();
    let mut running = JoinSet::new();
    // Which domain each task checks, so that a task that fails still gets its line.
    let mut names = std::collections::HashMap::new();
    let mut stdout = std::io::stdout().lock();
    loop {
        while running.len() < s.concurrency {
            let Some(entry) = pending.next() else { break };
            let net = net.for_request(net.client, s.per_check);
            let (deadline, expiry) = (s.deadline, s.expiry_days);
            let name = (entry.key().to_string(), entry.line);
            let task = running.spawn(async move { check_one(&net, entry, deadline, expiry).await });
            names.insert(task.id(), name);
        }
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        let line = match joined {
            Ok((id, line)) => {
                names.remove(&id);
                line
            }
            Err(e) => {
                let (domain, line) = names.remove(&e.id()).unwrap_or_default();
                Line::Error {
                    domain,
                    line,
                    code: INTERNAL,
                    message: format!(
                        "the check failed inside the tool ({e}); --skip-done retries it"
                    ),
                }
            }
        };
        tally.count(&line);
        if writeln!(stdout, "{}", line.json())
            .and_then(|_| stdout.flush())
            .is_err()
        {
            // The reader went away (`| head`): stop checking for nobody.
            tally.broken_pipe = true;
            running.abort_all();
            break;
        }
        progress.show(&tally);
    }
    progress.finish(&tally);
    tally
}

async fn check_one(net: &crate::net::Net, entry: Entry, deadline: Duration, expiry: i64) -> Line {
    let domain = match entry.domain {
        Ok(d) => d.ascii,
        Err(e) => {
            return Line::Error {
                domain: entry.input,
                line: entry.line,
                code: NOT_A_DOMAIN,
                message: e.to_string(),
            }
        }
    };
    let check = crate::driver::run_check_with(net, &domain, None, Some(expiry));
    match tokio::time::timeout(deadline, check).await {
        Ok(report) => Line::Report(Box::new(report)),
        Err(_) => Line::Error {
            domain,
            line: entry.line,
            code: TIMEOUT,
            message: format!(
                "the check took longer than {} s and was stopped; --skip-done retries it",
                deadline.as_secs_f64()
            ),
        },
    }
}

/// A progress line on a terminal, redrawn at most a few times a second.
struct Progress {
    on: bool,
    started: Instant,
    last: std::cell::Cell<Option<Instant>>,
}

impl Progress {
    fn new(on: bool) -> Progress {
        Progress {
            on,
            started: Instant::now(),
            last: std::cell::Cell::new(None),
        }
    }

    fn line(&self, t: &Tally) -> String {
        let secs = self.started.elapsed().as_secs_f64().max(0.001);
        format!(
            "scan: {}/{} domains, {:.1}/s, {} failed, {} inconclusive",
            t.done,
            t.total,
            t.done as f64 / secs,
            t.failed,
            t.inconclusive
        )
    }

    fn show(&self, t: &Tally) {
        if !self.on {
            return;
        }
        let now = Instant::now();
        if self
            .last
            .get()
            .is_some_and(|l| now - l < Duration::from_millis(200))
        {
            return;
        }
        self.last.set(Some(now));
        eprint!("\r\x1b[2K{}", self.line(t));
    }

    fn finish(&self, t: &Tally) {
        if self.on {
            eprintln!("\r\x1b[2K{}", self.line(t));
        }
    }
}

fn read_list(path: &Path) -> Result<String, String> {
    let shown = path.display();
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin()
            .lock()
            .take(MAX_LIST_BYTES + 1)
            .read_to_end(&mut bytes)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_LIST_BYTES + 1).read_to_end(&mut bytes))
    };
    read.map_err(|e| format!("{shown}: {e}"))?;
    if bytes.len() as u64 > MAX_LIST_BYTES {
        return Err(format!(
            "{shown}: larger than 256 MiB; split the list, or give each machine a --shard"
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "{shown}: not UTF-8 text at byte {}; give one domain a line",
            e.utf8_error().valid_up_to()
        )
    })
}

/// The domains an earlier run finished: complete reports and inputs that are not domains
/// (a timeout is tried again). A last line cut short by a killed run is not counted.
fn read_done(path: &Path) -> Result<HashSet<String>, String> {
    let shown = path.display();
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        // Resuming a run that has not started yet: nothing is done.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(HashSet::new()),
        Err(e) => return Err(format!("--skip-done {shown}: {e}")),
    };
    let mut done = HashSet::new();
    for line in std::io::BufReader::new(file).split(b'\n') {
        let line = line.map_err(|e| format!("--skip-done {shown}: {e}"))?;
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(&line) else {
            continue;
        };
        let finished = v["complete"] == true || v["error"]["code"] == NOT_A_DOMAIN;
        if let (true, Some(domain)) = (finished, v["domain"].as_str()) {
            done.insert(domain.to_string());
        }
    }
    Ok(done)
}
