//! `testworld [--dns ADDR:PORT]`: starts the test world and prints where it is, for the
//! browser tests, the benchmarks and people who want to try the tool against it. Stops on
//! SIGTERM, Ctrl-C or when standard input closes.

fn main() {
    // `--dns ADDR:PORT` puts plain DNS on a fixed address, for peers that use the system
    // resolver in the benchmarks.
    let args: Vec<String> = std::env::args().collect();
    let dns = args
        .windows(2)
        .find(|w| w[0] == "--dns")
        .and_then(|w| w[1].parse().ok());
    let world = match testworld::World::start_at(testworld::scenarios::all(), dns) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("testworld: {e}");
            std::process::exit(1);
        }
    };
    // `--third-party` starts unbound and nginx beside the world (the third-party lane).
    let third_party = if args.iter().any(|a| a == "--third-party") {
        match testworld::third_party::ThirdParty::start(&world) {
            Ok(lane) => Some(lane),
            Err(e) => {
                eprintln!("testworld: {e}");
                std::process::exit(1);
            }
        }
    } else {
        None
    };
    let domains: Vec<&str> = world.scenarios.iter().map(|s| s.domain.as_str()).collect();
    println!(
        "{}",
        serde_json::json!({
            "doh": world.doh_url,
            "dns": world.dns_addr.to_string(),
            "ca": world.ca_file,
            "domains": domains,
            "third_party": third_party.as_ref().map(|t| serde_json::json!({
                "doh": t.doh_url,
                "unbound_doh": t.unbound_doh_url,
                "dns": t.dns_addr.to_string(),
            })),
        })
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let stdin_closed = tokio::task::spawn_blocking(|| {
            let mut sink = String::new();
            while std::io::stdin()
                .read_line(&mut sink)
                .map(|n| n > 0)
                .unwrap_or(false)
            {
                sink.clear();
            }
        });
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .expect("signal");
        tokio::select! {
            _ = stdin_closed => {},
            _ = term.recv() => {},
            _ = tokio::signal::ctrl_c() => {},
        }
    });
    drop(third_party);
    drop(world);
    // The thread blocked on stdin would keep a dropped runtime waiting; leave now.
    std::process::exit(0);
}
