//! Paste a policy (and optionally the `_mta-sts` TXT record) and see findings as you type.

use crate::findings::FindingList;
use mtasts_core::{check_policy, check_sts_records, RecordStatus, Severity, TxtRecord};
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

const EXAMPLE_POLICY: &str =
    "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmax_age: 604800\n";
const EXAMPLE_TXT: &str = "v=STSv1; id=20240101T000000";

#[function_component(Linter)]
pub fn linter() -> Html {
    let policy = use_state(String::new);
    let txt = use_state(String::new);

    let on_policy = {
        let policy = policy.clone();
        Callback::from(move |e: InputEvent| {
            policy.set(e.target_unchecked_into::<HtmlTextAreaElement>().value());
        })
    };
    let on_txt = {
        let txt = txt.clone();
        Callback::from(move |e: InputEvent| {
            txt.set(e.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let on_example = {
        let (policy, txt) = (policy.clone(), txt.clone());
        Callback::from(move |_| {
            policy.set(EXAMPLE_POLICY.to_string());
            txt.set(EXAMPLE_TXT.to_string());
        })
    };

    // A textarea turns every line ending into LF, so the finding about line endings would
    // describe the browser, not the served file: leave it out here.
    let policy_check = (!policy.is_empty()).then(|| {
        let mut check = check_policy(policy.as_bytes());
        check
            .findings
            .retain(|f| f.code != mtasts_core::rules::POLICY_LINE_ENDINGS.code);
        check
    });
    let txt_check =
        (!txt.trim().is_empty()).then(|| check_sts_records(&[TxtRecord::from_text(&txt)]));
    let lines = policy.split('\n').count().max(1);

    html! {
        <section class="linter" aria-labelledby="linter-title">
            <h2 id="linter-title">{ "Lint a policy" }</h2>
            <p class="hint">
                { "Paste the file served at " }
                <code>{ "https://mta-sts.<your-domain>/.well-known/mta-sts.txt" }</code>
                { ". Findings update as you type. " }
                <button type="button" class="link-button" onclick={on_example}>{ "Try an example" }</button>
            </p>
            <div class="inputs">
                <div class="field">
                    <label for="policy-input">{ "Policy file" }</label>
                    <div class="editor">
                        <pre class="gutter" aria-hidden="true">{ gutter(lines, policy_check.as_ref()) }</pre>
                        <textarea
                            id="policy-input"
                            spellcheck="false"
                            autocomplete="off"
                            // Grows with the text, so the line numbers beside it stay aligned.
                            rows={(lines + 1).clamp(8, 400).to_string()}
                            placeholder={EXAMPLE_POLICY}
                            value={(*policy).clone()}
                            oninput={on_policy}
                        />
                    </div>
                </div>
                <div class="field">
                    <label for="txt-input">{ "TXT record at " }<code>{ "_mta-sts.<your-domain>" }</code>{ " (optional)" }</label>
                    <input
                        id="txt-input"
                        type="text"
                        spellcheck="false"
                        autocomplete="off"
                        placeholder={EXAMPLE_TXT}
                        value={(*txt).clone()}
                        oninput={on_txt}
                    />
                </div>
            </div>
            <div class="results" aria-live="polite">
                if let Some(check) = &txt_check {
                    <section class="result" id="txt-result" data-status={check.status.as_str()}>
                        <h3>
                            { "TXT record: " }
                            <span class={classes!("verdict", status_class(check.status))}>{ txt_verdict(check) }</span>
                        </h3>
                        <FindingList findings={check.findings.clone()} empty="No findings." />
                    </section>
                }
                if let Some(check) = &policy_check {
                    <section class="result" id="policy-result" data-valid={check.valid.to_string()}>
                        <h3>
                            { "Policy: " }
                            <span class={classes!("verdict", if check.valid { "ok" } else { "bad" })}>
                                { if check.valid { "valid" } else { "invalid" } }
                            </span>
                        </h3>
                        if let Some(p) = &check.policy {
                            <p class="summary">
                                { format!("Mode {}, cached for up to {}, ", p.mode.as_str(), human_duration(p.max_age)) }
                                { if p.mx.is_empty() { "no mx patterns.".to_string() } else { format!("mx: {}.", p.mx.join(", ")) } }
                            </p>
                        }
                        <FindingList findings={check.findings.clone()} empty="No findings: senders will accept this policy." />
                    </section>
                } else {
                    <p class="placeholder">{ "Findings for your policy appear here." }</p>
                }
            </div>
        </section>
    }
}

/// Line numbers, each marked with the most severe finding on its line.
fn gutter(lines: usize, check: Option<&mtasts_core::PolicyCheck>) -> Html {
    let worst = |n: usize| {
        check
            .into_iter()
            .flat_map(|c| &c.findings)
            .filter(|f| f.line == Some(n as u32))
            .map(|f| f.severity)
            .min()
    };
    (1..=lines)
        .map(|n| {
            let class = match worst(n) {
                Some(Severity::Error) => "ln error",
                Some(Severity::Warning) => "ln warning",
                _ => "ln",
            };
            html! { <span class={class}>{ n }{ "\n" }</span> }
        })
        .collect()
}

fn status_class(status: RecordStatus) -> &'static str {
    match status {
        RecordStatus::Valid => "ok",
        _ => "bad",
    }
}

fn txt_verdict(check: &mtasts_core::StsRecordCheck) -> String {
    match (&check.status, &check.id) {
        (RecordStatus::Valid, Some(id)) => format!("valid, id {id}"),
        (status, _) => status.as_str().to_string(),
    }
}

/// "1 week", "1 year", "86400 seconds", for the policy summary.
fn human_duration(seconds: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (31_557_600, "year"),
        (604_800, "week"),
        (86_400, "day"),
        (3_600, "hour"),
    ];
    for (size, name) in UNITS {
        if seconds >= size && seconds.is_multiple_of(size) {
            let n = seconds / size;
            return format!("{n} {name}{}", if n == 1 { "" } else { "s" });
        }
    }
    format!("{seconds} seconds")
}
