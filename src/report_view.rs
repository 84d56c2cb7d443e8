//! The report: a verdict a manager can read, then the four steps as they complete, what
//! senders do with each MX, and every finding with its fix. Everything from the network is
//! rendered as text, never as HTML.

use crate::export::Export;
use crate::findings::FindingList;
use mtasts_core::report::*;
use mtasts_core::Report;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties)]
pub struct ReportProps {
    pub report: Rc<Report>,
    pub unicode: Option<String>,
}

fn verdict_text(v: Option<Verdict>) -> (&'static str, &'static str) {
    match v {
        Some(Verdict::Pass) => ("Pass", "ok"),
        Some(Verdict::Warn) => ("Works, with warnings", "warn"),
        Some(Verdict::Fail) => ("Fail", "bad"),
        Some(Verdict::None) => ("MTA-STS not deployed", "none"),
        Some(Verdict::Inconclusive) => ("Inconclusive", "inconclusive"),
        None => ("Checking…", "running"),
    }
}

/// The label and style class of a step, from what the core decided.
fn step_label(s: &Step) -> (&'static str, &'static str) {
    match (s.state, s.outcome) {
        (StepProgress::Pending, _) => ("Waiting", "pending"),
        (StepProgress::Running, _) | (_, None) => ("Running", "running"),
        (_, Some(StepOutcome::Ok)) => ("OK", "ok"),
        (_, Some(StepOutcome::Warn)) => ("Warning", "warn"),
        (_, Some(StepOutcome::Fail)) => ("Failed", "failed"),
        (_, Some(StepOutcome::Skipped)) => ("Skipped", "skipped"),
        (_, Some(StepOutcome::Inconclusive)) => ("Could not check", "inconclusive"),
    }
}

#[derive(Properties)]
struct StepProps {
    number: u8,
    title: AttrValue,
    step: Step,
    children: Html,
}

#[function_component(StepItem)]
fn step_item(p: &StepProps) -> Html {
    let s = &p.step;
    let (label, class) = step_label(s);
    let duration = s
        .elapsed_ms
        .map(|ms| format!("{ms} ms"))
        .unwrap_or_default();
    let done = s.state == StepProgress::Done;
    html! {
        <li class={classes!("step", class)} data-step={s.id.as_str()} data-step-state={s.state.as_str()}
            data-outcome={s.outcome.map_or("", |o| o.as_str())}>
            <div class="step-head">
                <h3><span class="step-number">{ p.number }</span>{ p.title.clone() }</h3>
                <span class={classes!("step-state", class)}>{ label }</span>
                <span class="duration">{ duration }</span>
            </div>
            <p class="step-summary">{ &s.summary }</p>
            if done && s.outcome != Some(StepOutcome::Skipped) {
                <div class="step-body">{ p.children.clone() }</div>
            }
        </li>
    }
}

fn titled(id: StepId) -> (u8, &'static str) {
    match id {
        StepId::Lookup => (1, "Lookup"),
        StepId::Retrieval => (2, "Retrieval"),
        StepId::Validation => (3, "Validation"),
        StepId::Tls => (4, "TLS"),
    }
}

#[function_component(ReportView)]
pub fn report_view(p: &ReportProps) -> Html {
    let r = &*p.report;
    let (verdict, class) = verdict_text(r.verdict);
    let state = if r.complete { "done" } else { "running" };
    let verdict_attr = r.verdict.map(|v| v.as_str()).unwrap_or("");
    let domain_label = match &p.unicode {
        Some(u) => format!("{u} ({})", r.domain),
        None => r.domain.clone(),
    };
    html! {
        <section id="report" class="report" data-state={state} data-verdict={verdict_attr} aria-labelledby="report-title">
            <div class={classes!("verdict-banner", class)} role="status" aria-live="polite">
                <h2 id="report-title">
                    <span class="verdict-domain">{ domain_label }</span>
                    <span class="verdict-label">{ verdict }</span>
                </h2>
                <p class="verdict-summary">{ &r.summary }</p>
            </div>
            if r.complete {
                <Export report={p.report.clone()} />
            }
            <ol class="steps">
                { for r.steps.iter().map(|s| {
                    let (number, title) = titled(s.id);
                    let body = match s.id {
                        StepId::Lookup => lookup(r),
                        StepId::Retrieval => retrieval(r),
                        StepId::Validation => validation(r),
                        StepId::Tls => tls(r),
                    };
                    html! { <StepItem number={number} title={title} step={s.clone()}>{ body }</StepItem> }
                }) }
            </ol>
            if !r.senders.is_empty() {
                { senders(r) }
            }
            <section class="all-findings" aria-labelledby="findings-title">
                <h3 id="findings-title">{ "Findings" }</h3>
                <FindingList findings={r.findings.clone()} empty="No findings." />
            </section>
        </section>
    }
}

/// An icon and style class per outcome, so the table reads at a glance (and without colour).
fn outcome_badge(o: mtasts_core::profiles::Outcome) -> (&'static str, &'static str, &'static str) {
    use mtasts_core::profiles::Outcome::*;
    match o {
        DeliverVerified => ("✓", "ok", "delivers over verified TLS"),
        DeliverUnverified => ("!", "warn", "delivers without verification"),
        Defer => ("⏸", "warn", "defers (retries later)"),
        Bounce => ("✗", "bad", "bounces"),
    }
}

fn senders(r: &Report) -> Html {
    html! {
        <section class="senders" aria-labelledby="senders-title">
            <h3 id="senders-title">{ "Senders" }</h3>
            <p class="small">{ "What each mail server implementation does with this domain, from its source code or documentation. Rows marked \"differs\" do something else than the strict RFC 8461 reading." }</p>
            <div class="table-wrap">
                <table class="senders-table">
                    <caption class="visually-hidden">{ "Outcome of a message from each sender implementation" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Sender" }</th>
                            <th scope="col">{ "Applies" }</th>
                            <th scope="col">{ "Outcome" }</th>
                            <th scope="col">{ "Mail goes to" }</th>
                            <th scope="col">{ "Why" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for r.senders.iter().map(|s| {
                            let (icon, class, words) = outcome_badge(s.outcome);
                            html! {
                                <tr data-sender={s.id.clone()} data-outcome={s.outcome.as_str()} class={classes!(s.differs_from_rfc.then_some("differs"))}>
                                    <th scope="row">
                                        { &s.name }
                                        if !s.version.is_empty() { <span class="small">{ format!(" {}", s.version) }</span> }
                                        if s.differs_from_rfc { <span class="differs-badge">{ "differs" }</span> }
                                        <div class="small evidence">{ format!("{}: {}", s.evidence_label(), s.reference) }</div>
                                    </th>
                                    <td data-label="Applies: ">{ s.policy.map_or("unknown", |p| p.as_str()) }</td>
                                    <td data-label="Outcome: " class={classes!("outcome", class)}>
                                        <span aria-hidden="true" class="icon">{ icon }</span>{ " " }{ words }
                                    </td>
                                    <td data-label="Mail goes to: ">{ s.mx.clone().unwrap_or_else(|| "—".into()) }</td>
                                    <td data-label="Why: ">{ &s.why }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}

fn ttl(t: Option<u32>) -> String {
    t.map(|t| format!(" (TTL {t} s)")).unwrap_or_default()
}

fn lookup(r: &Report) -> Html {
    // A look-up the resolver failed says nothing about the record: "not seen", not "error".
    let seen = |dns: Option<&mtasts_core::dns::DnsOutcome>| !dns.is_some_and(|d| d.tester_side());
    let status = |s: Option<mtasts_core::RecordStatus>, seen: bool| {
        if seen {
            s.map_or("…", |s| s.as_str())
        } else {
            "not seen"
        }
    };
    html! {
        <dl class="facts">
            <dt>{ "_mta-sts TXT" }</dt>
            <dd>
                <span class="status">{ status(r.txt.status, seen(r.txt.dns.as_ref())) }</span>{ ttl(r.txt.ttl) }
                if let Some(id) = &r.txt.id { { format!(", id {id}") } }
                if !r.txt.cname.is_empty() { <div class="small">{ format!("via CNAME {}", r.txt.cname.join(" → ")) }</div> }
                { for r.txt.records.iter().map(|t| html! { <code class="record">{ t }</code> }) }
            </dd>
            <dt>{ "MX" }</dt>
            <dd>
                if r.mx.is_empty() { { "none" } }
                { for r.mx.iter().map(|m| html! { <code class="record">{ format!("{} {}", m.preference, m.host) }</code> }) }
            </dd>
            <dt>{ "_smtp._tls TXT (TLS-RPT)" }</dt>
            <dd>
                <span class="status">{ status(r.tlsrpt.status, seen(r.tlsrpt.dns.as_ref())) }</span>{ ttl(r.tlsrpt.ttl) }
                { for r.tlsrpt.records.iter().map(|t| html! { <code class="record">{ t }</code> }) }
            </dd>
        </dl>
    }
}

fn certificate(c: &Certificate) -> Html {
    html! {
        <>
            <dt>{ "Certificate" }</dt>
            <dd>
                { format!("for {}; issued by {}", c.sans.join(", "), c.issuer) }
                <div class="small">{ format!("valid until {} ({} days left), {} certificate(s) sent", c.not_after, c.days_left, c.chain_len) }</div>
            </dd>
        </>
    }
}

fn retrieval(r: &Report) -> Html {
    let Some(f) = &r.policy.fetch else {
        return html! {};
    };
    html! {
        <>
            <p class="small">{ "The policy is fetched by the companion service: a browser cannot see the certificate or redirects, and most policy hosts send no CORS headers." }</p>
            <dl class="facts">
                <dt>{ "URL" }</dt><dd><code>{ &f.url }</code></dd>
                <dt>{ "Result" }</dt><dd><span class="status">{ f.status.as_str() }</span>{ f.error.as_deref().map(|e| format!(" — {e}")).unwrap_or_default() }</dd>
                if let Some(s) = f.http_status { <dt>{ "HTTP status" }</dt><dd>{ s }</dd> }
                if let Some(to) = &f.redirect_to { <dt>{ "Redirects to" }</dt><dd><code>{ to }</code>{ " (not followed)" }</dd> }
                if let Some(ct) = &f.content_type { <dt>{ "Content-Type" }</dt><dd><code>{ ct }</code></dd> }
                if let Some(b) = f.bytes { <dt>{ "Size" }</dt><dd>{ format!("{b} bytes") }</dd> }
                if let Some(c) = &f.certificate { { certificate(c) } }
            </dl>
        </>
    }
}

fn validation(r: &Report) -> Html {
    let body = r.policy.fetch.as_ref().and_then(|f| f.body.clone());
    let by_line = |n: usize| {
        r.policy
            .findings
            .iter()
            .filter(|f| f.line == Some(n as u32))
            .map(|f| f.severity)
            .min()
    };
    let unused = &r.policy.unused_patterns;
    html! {
        <>
            if let Some(body) = body {
                <div class="policy-text" aria-label="The policy as served, with line numbers">
                    { for body.lines().take(200).enumerate().map(|(i, line)| {
                        let class = match by_line(i + 1) {
                            Some(mtasts_core::Severity::Error) => "pline error",
                            Some(mtasts_core::Severity::Warning) => "pline warning",
                            _ => "pline",
                        };
                        html! { <div class={class}><span class="ln">{ i + 1 }</span><code>{ line }</code></div> }
                    }) }
                </div>
            }
            <ul class="matches">
                { for r.mx.iter().map(|m| html! {
                    <li>
                        <code>{ &m.host }</code>
                        { match &m.pattern { Some(p) => html! { <>{ " is covered by " }<code>{ p }</code></> }, None => html! { <strong>{ " is covered by no pattern" }</strong> } } }
                    </li>
                }) }
                { for unused.iter().map(|p| html! { <li><code>{ p.as_str() }</code>{ " covers no MX host" }</li> }) }
            </ul>
        </>
    }
}

fn tls(r: &Report) -> Html {
    html! {
        <div class="table-wrap">
            <table class="mx-table">
                <caption class="visually-hidden">{ "STARTTLS probe and sender behaviour per MX host" }</caption>
                <thead>
                    <tr>
                        <th scope="col">{ "MX host" }</th>
                        <th scope="col">{ "STARTTLS / TLS" }</th>
                        <th scope="col">{ "Certificate" }</th>
                        <th scope="col">{ "Senders will" }</th>
                        <th scope="col">{ "TLS-RPT result" }</th>
                    </tr>
                </thead>
                <tbody>
                    { for r.mx.iter().map(mx_row) }
                </tbody>
            </table>
        </div>
    }
}

fn mx_row(m: &MxReport) -> Html {
    let tls_status = m.tls.as_ref().map_or("running", |t| t.status.as_str());
    let sender_class = m.sender.map_or("unknown", |s| s.as_str());
    html! {
        <tr data-mx={m.host.clone()} data-matched={m.matched.to_string()} data-tls={tls_status}>
            <th scope="row"><span class="pref">{ m.preference }</span>{ " " }{ &m.host }
                <div class="small">{ m.addresses.join(", ") }</div>
            </th>
            <td data-label="STARTTLS / TLS: ">
                <span class={classes!("status", if tls_status == "ok" { "ok" } else { "bad" })}>{ tls_status }</span>
                if let Some(t) = &m.tls {
                    <div class="small">{ [t.version.clone(), t.cipher.clone()].into_iter().flatten().collect::<Vec<_>>().join(", ") }</div>
                    if !t.transcript.is_empty() {
                        <details class="transcript">
                            <summary>{ "SMTP transcript" }</summary>
                            <pre>{ t.transcript.join("\n") }</pre>
                        </details>
                    }
                }
            </td>
            <td data-label="Certificate: ">
                if let Some(c) = m.tls.as_ref().and_then(|t| t.cert.as_ref()) {
                    { c.sans.join(", ") }
                    <div class="small">{ format!("{} days left", c.days_left) }</div>
                }
            </td>
            <td class={classes!("sender", sender_class)} data-sender={sender_class} data-label="Senders will: ">{ &m.senders_will }</td>
            <td data-label="TLS-RPT result: ">{ m.tlsrpt_result.map_or("—", |t| t.as_str()) }</td>
        </tr>
    }
}

/// Always re-rendered: a report changes with every answer, and comparing one deeply would
/// cost more code than rendering it again.
impl PartialEq for ReportProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

/// Always re-rendered: a report changes with every answer, and comparing one deeply would
/// cost more code than rendering it again.
impl PartialEq for StepProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}
