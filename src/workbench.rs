//! "Try a draft": a policy edited beside the report and judged on every keystroke against
//! the live MX (no request is repeated: the core re-judges the answers it has), the records
//! the generator proposes, and the files to publish.

use crate::draft_link;
use crate::export::{copy, download};
use crate::findings::FindingList;
use crate::model::{Action, CheckState};
use crate::url_state::{self, Params};
use mtasts_core::draft::{Draft, DraftReport, TxtSource};
use mtasts_core::generate::{propose, zone_records};
use mtasts_core::report::Verdict;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct WorkbenchProps {
    pub state: UseReducerHandle<CheckState>,
    pub params: Params,
}

/// A policy id from the browser's clock, as `mtasts generate` makes one: `20261201T120000`.
fn fresh_id() -> String {
    let d = js_sys::Date::new_0();
    // The Date getters are in range (month 0-11, the others as on a clock).
    mtasts_core::generate::policy_id(
        d.get_utc_full_year() as i32,
        d.get_utc_month() as u8 + 1,
        d.get_utc_date() as u8,
        d.get_utc_hours() as u8,
        d.get_utc_minutes() as u8,
        d.get_utc_seconds() as u8,
    )
}

const TEMPLATE: &str = "version: STSv1\nmode: testing\nmx: mail.example.com\nmax_age: 86400\n";

#[function_component(Workbench)]
pub fn workbench(p: &WorkbenchProps) -> Html {
    let open = p.params.draft.is_some();
    let text = use_state(|| None::<String>);
    let txt = use_state(|| p.params.txt.clone().unwrap_or_default());
    let rua = use_state(String::new);
    let generated = use_state(|| false);
    let status = use_state(|| None::<&'static str>);
    let link_error = use_state(|| None::<&'static str>);
    let new_id = use_state(fresh_id);
    let run = p.state.run.as_ref();
    let published_body = run
        .and_then(|r| r.report.policy.fetch.as_ref())
        .filter(|f| f.status == mtasts_core::report::FetchStatus::Ok)
        .and_then(|f| f.body.clone());
    let complete = run.is_some_and(|r| r.report.complete);

    // The text starts as the link's draft, else the published policy once it arrives (or a
    // template when nothing is published).
    {
        let (text, link_error) = (text.clone(), link_error.clone());
        let link = p.params.draft.clone().filter(|d| !d.is_empty());
        use_effect_with(link, move |link| {
            if let Some(param) = link.clone() {
                wasm_bindgen_futures::spawn_local(async move {
                    match draft_link::decode(&param).await {
                        Ok(t) => text.set(Some(t)),
                        Err(e) => link_error.set(Some(e)),
                    }
                });
            }
            || ()
        });
    }
    {
        let text = text.clone();
        let linked = p.params.draft.as_ref().is_some_and(|d| !d.is_empty());
        use_effect_with(
            (open, published_body.clone(), complete),
            move |(open, body, complete)| {
                if *open && text.is_none() && !linked {
                    match body {
                        Some(b) => text.set(Some(b.clone())),
                        None if *complete => text.set(Some(TEMPLATE.to_string())),
                        None => {}
                    }
                }
                || ()
            },
        );
    }
    // Every change of the draft is judged at once; closing the workbench drops it.
    {
        let state = p.state.clone();
        let draft = (*text).clone().filter(|_| open).map(|policy| Draft {
            policy,
            txt: Some(txt.trim().to_string()).filter(|t| !t.is_empty()),
            new_id: (*new_id).clone(),
        });
        use_effect_with(draft, move |draft| {
            state.dispatch(Action::Draft(draft.clone()));
            || ()
        });
    }

    let params = p.params.clone();
    let Some(run) = run else { return html! {} };
    let domain = run.report.domain.clone();
    let proposal = generated.then(|| {
        propose(
            &run.report,
            &new_id,
            Some(rua.trim()).filter(|r| !r.is_empty()),
        )
    });

    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            text.set(Some(
                e.target_unchecked_into::<HtmlTextAreaElement>().value(),
            ))
        })
    };
    let on_txt = {
        let txt = txt.clone();
        Callback::from(move |e: InputEvent| {
            txt.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_rua = {
        let rua = rua.clone();
        Callback::from(move |e: InputEvent| {
            rua.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let on_generate = {
        let (text, txt, generated, report, new_id, rua) = (
            text.clone(),
            txt.clone(),
            generated.clone(),
            run.report.clone(),
            new_id.clone(),
            rua.clone(),
        );
        Callback::from(move |_| {
            let proposal = propose(&report, &new_id, Some(rua.trim()).filter(|r| !r.is_empty()));
            if !proposal.policy.is_empty() {
                text.set(Some(proposal.policy));
                txt.set(proposal.txt);
            }
            generated.set(true);
        })
    };
    let on_close = {
        let params = params.clone();
        Callback::from(move |_| {
            url_state::push(&Params {
                draft: None,
                txt: None,
                ..params.clone()
            })
        })
    };
    let policy_text = (*text).clone().unwrap_or_default();
    let on_download_policy = {
        let policy = policy_text.clone();
        Callback::from(move |_| {
            download("mta-sts.txt", &policy, "text/plain");
        })
    };
    let drafted = run.drafted.clone();
    let records = {
        // The record to publish: the draft's own, else one with a fresh id when senders
        // must be told of the change.
        let txt_record = drafted
            .as_ref()
            .and_then(|r| r.draft.as_ref())
            .map(|d| match d.txt_source {
                TxtSource::Published if d.txt_id_must_change => format!("v=STSv1; id={}", *new_id),
                _ => d.txt.clone(),
            })
            .unwrap_or_default();
        let tlsrpt = proposal.as_ref().map_or_else(
            || {
                run.report
                    .tlsrpt
                    .records
                    .first()
                    .cloned()
                    .unwrap_or_default()
            },
            |p| p.tlsrpt.clone(),
        );
        zone_records(&domain, &txt_record, &tlsrpt)
    };
    let on_download_zone = {
        let (records, domain) = (records.clone(), domain.clone());
        Callback::from(move |_| {
            download(&format!("{domain}.zone"), &records, "text/plain");
        })
    };
    let on_copy_records = {
        let (records, status) = (records.clone(), status.clone());
        Callback::from(move |_| {
            copy(
                records.clone(),
                status.clone(),
                "The DNS records were copied.",
            )
        })
    };
    let on_copy_policy = {
        let (policy, status) = (policy_text.clone(), status.clone());
        Callback::from(move |_| copy(policy.clone(), status.clone(), "The policy was copied."))
    };
    let on_link = {
        let (policy, txt, status, params) =
            (policy_text.clone(), (*txt).clone(), status.clone(), params);
        Callback::from(move |_| {
            let (policy, txt, status, params) =
                (policy.clone(), txt.clone(), status.clone(), params.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let Some(encoded) = draft_link::encode(&policy).await else {
                    status.set(Some("This browser cannot compress the draft for a link."));
                    return;
                };
                let linked = Params {
                    draft: Some(encoded),
                    txt: Some(txt.trim().to_string()).filter(|t| !t.is_empty()),
                    ..params
                };
                url_state::replace(&linked);
                let href = web_sys::window().and_then(|w| w.location().href().ok());
                if let Some(href) = href {
                    copy(href, status, "A link to this draft was copied.");
                }
            });
        })
    };

    html! {
        <section id="workbench" class="workbench" aria-labelledby="workbench-title">
            <div class="workbench-head">
                <h2 id="workbench-title">{ format!("Try a draft for {domain}") }</h2>
                <button type="button" class="link-button" id="close-workbench" onclick={on_close}>{ "Close" }</button>
            </div>
            <p class="help">{ "The draft is judged as if it were published: against the live MX, their TLS and every sender profile. Nothing is published; the published policy is still fetched for comparison." }</p>
            if let Some(e) = *link_error {
                <p class="input-error" role="alert">{ e }</p>
            }
            <div class="workbench-grid">
                <div class="draft-editor">
                    <label for="draft-policy">{ "Draft policy (mta-sts.txt)" }</label>
                    <textarea id="draft-policy" rows="8" spellcheck="false" value={policy_text.clone()} oninput={on_text} />
                    <label for="draft-txt">{ "TXT record to publish with it (optional)" }</label>
                    <input id="draft-txt" type="text" spellcheck="false" autocomplete="off" placeholder="v=STSv1; id=… (default: the published record)" value={(*txt).clone()} oninput={on_txt} />
                    <div class="export" role="group" aria-label="Draft actions">
                        <button type="button" id="generate" onclick={on_generate} disabled={!complete}
                            title="Propose records from the live MX and their probes">{ "Generate" }</button>
                        <button type="button" id="draft-link" onclick={on_link}>{ "Copy link to this draft" }</button>
                        <button type="button" id="download-policy" onclick={on_download_policy}>{ "Download mta-sts.txt" }</button>
                        <button type="button" id="copy-policy" onclick={on_copy_policy}>{ "Copy policy" }</button>
                        <span class="export-status" aria-live="polite">{ (*status).unwrap_or("") }</span>
                    </div>
                </div>
                <div class="draft-result">
                    if let Some(r) = &drafted {
                        if let Some(d) = &r.draft {
                            { draft_summary(r.verdict, d) }
                            <h3>{ "Findings for the draft" }</h3>
                            <FindingList findings={r.findings.clone()} empty="Nothing to fix in the draft." />
                        }
                    } else {
                        <p class="help">{ "Waiting for the published policy…" }</p>
                    }
                </div>
            </div>
            if let Some(p) = &proposal {
                <div id="proposal" class="proposal">
                    <h3>{ "Proposed records" }</h3>
                    <ul class="notes-list">{ for p.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
                    if !p.findings.is_empty() {
                        <FindingList findings={p.findings.clone()} />
                    }
                    <label for="rua-input">{ "Where should TLS reports go? (an e-mail address or mailto:/https: URI)" }</label>
                    <input id="rua-input" type="text" autocomplete="email" placeholder={format!("tlsrpt@{domain}")} value={(*rua).clone()} oninput={on_rua} />
                </div>
            }
            <div class="records">
                <h3>{ "DNS records (zone-file syntax)" }</h3>
                <pre id="zone-records">{ &records }</pre>
                <div class="export" role="group" aria-label="DNS records">
                    <button type="button" id="copy-records" onclick={on_copy_records}>{ "Copy records" }</button>
                    <button type="button" id="download-zone" onclick={on_download_zone}>{ "Download records" }</button>
                </div>
            </div>
            <details class="hosting">
                <summary>{ "How to host the policy" }</summary>
                <p>{ format!("Any static web host works. Serve the file at https://mta-sts.{domain}/.well-known/mta-sts.txt with a certificate valid for mta-sts.{domain} from a public CA, status 200, Content-Type text/plain, and no redirect (senders do not follow them). Then check here that it is served, and only then publish the TXT record with its new id.") }</p>
            </details>
        </section>
    }
}

fn draft_summary(verdict: Option<Verdict>, d: &DraftReport) -> Html {
    let (label, class) = match verdict {
        Some(Verdict::Pass) => ("The draft passes", "ok"),
        Some(Verdict::Warn) => ("The draft works, with warnings", "warn"),
        Some(Verdict::Fail) => ("The draft fails", "bad"),
        Some(Verdict::None) => ("The draft would not be used", "none"),
        Some(Verdict::Inconclusive) => ("The draft could not be judged fully", "inconclusive"),
        None => ("Judging the draft…", "running"),
    };
    let changes = d.diff.lines();
    html! {
        <div id="draft-result" data-verdict={verdict.map_or("", |v| v.as_str())}
            data-txt-id-must-change={d.txt_id_must_change.to_string()}>
            <p class={classes!("draft-verdict", class)} role="status">{ label }</p>
            <p class="draft-id">{
                if d.txt_id_must_change {
                    format!("The TXT id must change: publish {} after the new policy is served.", d.txt)
                } else {
                    "Senders see no change, so the TXT id need not change.".to_string()
                }
            }</p>
            if !changes.is_empty() {
                <ul class="draft-diff">{ for changes.iter().map(|c| html! { <li>{ c }</li> }) }</ul>
            }
            if !d.effects.is_empty() {
                <ul class="draft-effects">{ for d.effects.iter().map(|e| html! { <li>{ e }</li> }) }</ul>
            }
            <h3>{ "Roll-out, in this order" }</h3>
            <ol class="rollout">{ for d.rollout.iter().map(|s| html! { <li>{ s }</li> }) }</ol>
        </div>
    }
}
