//! The Reports view (`/?reports`): TLS-RPT aggregate reports dropped or picked, read by the
//! core in this page, summarized per reporter, day and MX, and each failure explained. The
//! files never leave the browser: the view forbids itself every connection. Comparing with a
//! live check (`/?reports&live=DOMAIN`) is a new page that the visitor opens on purpose.

mod chart;
mod files;

use crate::findings::FindingList;
use crate::use_check::use_check;
use mtasts_core::aggregate::{correlate, explain, Collection, Input, LiveMatch, Totals};
use mtasts_core::input::normalize_domain;
use mtasts_core::Report;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The domain of `?live=`, when this page compares reports with a live check.
fn live_domain() -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    let q = web_sys::UrlSearchParams::new_with_str(&search).ok()?;
    let d = q.get("live")?;
    normalize_domain(&d).ok().map(|d| d.ascii)
}

#[derive(Clone, Default)]
struct Files {
    collection: Rc<Collection>,
    /// The bytes as dropped, for the hand-over to the comparison page.
    raw: Rc<Vec<(String, Vec<u8>)>>,
}

impl Files {
    fn with(&self, more: Vec<(String, Vec<u8>)>) -> Files {
        let mut collection = (*self.collection).clone();
        let mut raw = (*self.raw).clone();
        for (name, bytes) in more {
            collection.add(&name, &bytes);
            raw.push((name, bytes));
        }
        Files {
            collection: Rc::new(collection),
            raw: Rc::new(raw),
        }
    }
}

#[function_component(Reports)]
pub fn reports() -> Html {
    let live = use_memo((), |_| live_domain());
    let files = use_state(|| {
        let handed = if live.is_some() {
            files::take_handed_over()
        } else {
            Vec::new()
        };
        Files::default().with(handed)
    });
    // Files dropped while earlier ones are still being read join the latest state.
    let latest = use_mut_ref(|| (*files).clone());
    *latest.borrow_mut() = (*files).clone();
    let dragging = use_state(|| false);
    let error = use_state(|| None::<String>);
    {
        let private = live.is_none();
        use_effect_with((), move |_| {
            if private {
                files::forbid_connections();
            }
        });
    }
    let config = crate::driver::Config {
        resolver: crate::settings::own_resolver(),
        companion: String::new(),
    };
    let check = use_check((*live).clone(), config);
    let live_report: Option<Rc<Report>> = check
        .run
        .as_ref()
        .map(|r| r.report.clone())
        .filter(|r| live.is_some() && r.complete);

    let add = {
        let (files, latest) = (files.clone(), latest.clone());
        Rc::new(move |list: Vec<web_sys::File>| {
            let (files, latest) = (files.clone(), latest.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let picked = files::read_all(list).await;
                let next = latest
                    .borrow()
                    .with(picked.into_iter().map(|p| (p.name, p.bytes)).collect());
                *latest.borrow_mut() = next.clone();
                files.set(next);
            });
        })
    };
    let on_pick = {
        let add = add.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(list) = input.files() {
                add(files::take(&list));
            }
            // The same file picked again later is read again.
            input.set_value("");
        })
    };
    let on_drop = {
        let (add, dragging) = (add.clone(), dragging.clone());
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(list) = e.data_transfer().and_then(|d| d.files()) {
                add(files::take(&list));
            }
        })
    };
    let on_over = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_leave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let compare = {
        let (files, error) = (files.clone(), error.clone());
        Callback::from(move |domain: String| match files::hand_over(&files.raw) {
            Ok(()) => {
                if let Some(w) = web_sys::window() {
                    let _ = w.location().set_href(&format!("/?reports&live={domain}"));
                }
            }
            Err(e) => error.set(Some(e)),
        })
    };
    let clear = {
        let files = files.clone();
        Callback::from(move |_: MouseEvent| files.set(Files::default()))
    };

    let collection = files.collection.clone();
    html! {
        <section class="reports" id="reports" aria-labelledby="reports-title">
            <h2 id="reports-title">{ "Your TLS reports, explained" }</h2>
            { privacy(live.as_deref(), &check) }
            <div class={classes!("dropzone", dragging.then_some("dragging"))} id="dropzone"
                ondrop={on_drop} ondragover={on_over} ondragleave={on_leave}>
                <p>{ "Drop TLS-RPT report files here: the .json or .json.gz attachments, or whole saved e-mails (.eml). Many at once is fine." }</p>
                <label class="pick" for="report-files">{ "Choose files" }</label>
                <input id="report-files" class="visually-hidden" type="file" multiple=true
                    accept=".json,.gz,.eml,.txt,application/json,application/gzip,message/rfc822"
                    onchange={on_pick} />
            </div>
            if let Some(e) = (*error).clone() {
                <p class="input-error" role="alert">{ e }</p>
            }
            if !collection.inputs.is_empty() {
                { summary(&collection, live_report.as_deref(), live.is_some(), &compare) }
                <p><button type="button" class="link-button" id="clear-reports" onclick={clear}>{ "Clear the reports" }</button></p>
            }
        </section>
    }
}

fn privacy(live: Option<&str>, check: &crate::model::CheckState) -> Html {
    match live {
        None => html! {
            <p class="privacy" id="privacy">
                <strong>{ "Nothing is uploaded." }</strong>
                { " The files are read by this page, in your browser, and this view has told your browser to refuse it every connection (Content-Security-Policy: connect-src 'none'), so it could not send them anywhere if it tried." }
            </p>
        },
        Some(domain) => {
            let state = match check.run.as_ref() {
                Some(r) if r.report.complete => "done".to_string(),
                Some(_) => "running…".to_string(),
                None => "starting…".to_string(),
            };
            html! {
                <p class="privacy live" id="privacy">
                    <strong>{ format!("Compared with a live check of {domain} ({state}).") }</strong>
                    { " This page sends that check's DNS look-ups and probes, as the check page does; the reports themselves stay in your browser. " }
                    <a href="/?reports">{ "Back to the private view" }</a>
                </p>
            }
        }
    }
}

fn summary(
    c: &Collection,
    live: Option<&Report>,
    live_mode: bool,
    compare: &Callback<String>,
) -> Html {
    let t: Totals = c.totals();
    let reports = c.reports();
    let all = t.successful.saturating_add(t.failed);
    let rate = if all == 0 {
        "no sessions".to_string()
    } else {
        format!("{:.1}% failed", t.failed as f64 * 100.0 / all as f64)
    };
    let mut domains: Vec<String> = reports
        .iter()
        .flat_map(|r| r.domains())
        .map(str::to_ascii_lowercase)
        .collect();
    domains.sort();
    domains.dedup();
    let headline_class = if t.failed == 0 { "ok" } else { "warn" };
    html! {
        <div class="reports-summary" id="reports-summary">
            <div class={classes!("verdict-banner", headline_class)}>
                <h3 id="reports-headline">{ format!(
                    "{} report{} from {} reporter{}: {} sessions succeeded, {} failed ({rate})",
                    reports.len(), plural(reports.len()), t.by_reporter.len(), plural(t.by_reporter.len()),
                    t.successful, t.failed) }</h3>
                <p class="verdict-summary">
                    { for domains.iter().map(|d| html! {
                        <span class="domain-links">
                            <a href={format!("/?domain={d}")}>{ format!("Check {d}") }</a>
                            if !live_mode {
                                { " · " }
                                <button type="button" class="link-button compare" onclick={
                                    let (compare, d) = (compare.clone(), d.clone());
                                    Callback::from(move |_: MouseEvent| compare.emit(d.clone()))
                                }>{ format!("Compare these reports with a live check of {d}") }</button>
                            }
                        </span>
                    }) }
                </p>
            </div>
            <h3>{ "By reporter" }</h3>
            <table class="counts" id="by-reporter">
                <thead><tr><th>{ "Reporter" }</th><th>{ "Reports" }</th><th>{ "Successful" }</th><th>{ "Failed" }</th></tr></thead>
                <tbody>
                    { for t.by_reporter.iter().map(|(name, n)| html! {
                        <tr><td>{ name }</td><td>{ n.reports }</td><td>{ n.successful }</td><td>{ n.failed }</td></tr>
                    }) }
                </tbody>
            </table>
            <h3>{ "By day" }</h3>
            { chart::by_day(&t.by_day) }
            <table class="counts" id="by-day">
                <thead><tr><th>{ "Day (UTC)" }</th><th>{ "Successful" }</th><th>{ "Failed" }</th></tr></thead>
                <tbody>
                    { for t.by_day.iter().map(|(day, n)| html! {
                        <tr><td>{ day }</td><td>{ n.successful }</td><td>{ n.failed }</td></tr>
                    }) }
                </tbody>
            </table>
            <h3>{ "By MX" }</h3>
            <table class="counts" id="by-mx">
                <thead><tr><th>{ "MX host" }</th><th>{ "Successful" }</th><th>{ "Failed" }</th></tr></thead>
                <tbody>
                    { for t.by_mx.iter().map(|(host, n)| html! {
                        <tr><td><code>{ host }</code></td><td>{ n.successful }</td><td>{ n.failed }</td></tr>
                    }) }
                </tbody>
            </table>
            <p class="help">{ "Reports give successful sessions per policy, not per MX: they are shown per MX only when the policy names that one host." }</p>
            { failures(c, live, live_mode) }
            <h3>{ "Files" }</h3>
            <ul class="report-files" id="report-files-list">
                { for c.inputs.iter().map(file_item) }
            </ul>
        </div>
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One failure detail with where it came from.
struct Row<'a> {
    domain: &'a str,
    reporter: &'a str,
    detail: &'a mtasts_core::aggregate::FailureDetail,
}

fn failures(c: &Collection, live: Option<&Report>, live_mode: bool) -> Html {
    let reports = c.reports();
    let mut rows: Vec<Row> = Vec::new();
    for r in &reports {
        for p in &r.policies {
            for d in &p.failure_details {
                rows.push(Row {
                    domain: &p.policy.policy_domain,
                    reporter: &r.organization_name,
                    detail: d,
                });
            }
        }
    }
    if rows.is_empty() {
        return html! {
            <>
                <h3>{ "Failures" }</h3>
                <p class="no-findings" id="no-failures">{ "No failed sessions in these reports: every sender that reported negotiated verified TLS." }</p>
            </>
        };
    }
    let mut types: Vec<&str> = rows.iter().map(|r| r.detail.result_type.as_str()).collect();
    types.sort_unstable();
    types.dedup();
    html! {
        <>
            <h3>{ "Failures, by result type" }</h3>
            <ul class="result-types" id="result-types">
                { for types.into_iter().map(|kind| {
                    let e = explain(kind);
                    let mine: Vec<&Row> = rows.iter().filter(|r| r.detail.result_type == kind).collect();
                    let total: u64 = mine.iter().map(|r| r.detail.failed_session_count).fold(0, u64::saturating_add);
                    html! {
                        <li class="result-type finding warning" data-result-type={kind.to_string()}>
                            <div class="finding-head">
                                <span class="badge">{ format!("{total} failed") }</span>
                                <strong>{ e.title }</strong>
                                <code class="code">{ kind }</code>
                            </div>
                            <p>{ e.meaning }</p>
                            <p><strong>{ "Fix: " }</strong>{ e.fix }</p>
                            <table class="counts failure-rows">
                                <thead><tr><th>{ "MX" }</th><th>{ "Sessions" }</th><th>{ "Reporter" }</th><th>{ "Reason given" }</th><th>{ "Live check" }</th></tr></thead>
                                <tbody>
                                    { for mine.iter().map(|r| row(r, live, live_mode)) }
                                </tbody>
                            </table>
                        </li>
                    }
                }) }
            </ul>
        </>
    }
}

fn row(r: &Row, live: Option<&Report>, live_mode: bool) -> Html {
    let d = r.detail;
    let mx = d.receiving_mx_hostname.as_deref();
    let same_domain = live.filter(|l| {
        l.domain
            .eq_ignore_ascii_case(r.domain.trim_end_matches('.'))
    });
    let cell = match (same_domain, live_mode) {
        (Some(l), _) => match correlate(&d.result_type, mx, l) {
            Some(LiveMatch { mx, finding }) => html! {
                <td class="live-seen">
                    <strong>{ "Seen now: " }</strong>
                    <a href={format!("/?domain={}", l.domain)}><code>{ finding.code.to_string() }</code></a>
                    { mx.map(|m| format!(" on {m}")).unwrap_or_default() }
                    { ": " }{ finding.message.clone() }
                </td>
            },
            None => {
                html! { <td class="live-unseen">{ "Not seen now: fixed since, intermittent, or seen only from the sender's network." }</td> }
            }
        },
        (None, true) => html! { <td>{ "—" }</td> },
        (None, false) => {
            html! { <td><a href={format!("/?domain={}", r.domain)}>{ format!("Check {}", r.domain) }</a></td> }
        }
    };
    html! {
        <tr>
            <td><code>{ mx.unwrap_or("not given") }</code></td>
            <td>{ d.failed_session_count }</td>
            <td>{ r.reporter }</td>
            <td>{ d.failure_reason_code.clone().unwrap_or_default() }</td>
            { cell }
        </tr>
    }
}

fn file_item(input: &Input) -> Html {
    let valid = input.readings.iter().all(|r| r.is_valid());
    let findings: Vec<mtasts_core::Finding> = input
        .readings
        .iter()
        .flat_map(|r| r.findings.iter().cloned())
        .collect();
    let what = input
        .readings
        .iter()
        .filter_map(|r| r.report.as_ref())
        .map(|r| format!("{} report {}", r.organization_name, r.report_id))
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        <li class={classes!("report-file", if valid { "valid" } else { "invalid" })}>
            <strong>{ input.name.clone() }</strong>
            { if valid { format!(": {what}") } else { ": not read as a valid TLS report".to_string() } }
            if !findings.is_empty() {
                <FindingList findings={findings} />
            }
        </li>
    }
}
