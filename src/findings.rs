//! A list of findings: severity, plain words, the fix and the RFC section, linked.

use mtasts_core::{Finding, Severity};
use yew::prelude::*;

#[derive(Properties)]
pub struct FindingListProps {
    pub findings: Vec<Finding>,
    /// Shown when there is nothing to report.
    #[prop_or_default]
    pub empty: AttrValue,
}

#[function_component(FindingList)]
pub fn finding_list(props: &FindingListProps) -> Html {
    if props.findings.is_empty() {
        return html! { <p class="no-findings">{ props.empty.clone() }</p> };
    }
    let mut sorted: Vec<&Finding> = props.findings.iter().collect();
    mtasts_core::order::stable_sort_by_key(&mut sorted, |f| f.severity);
    html! {
        <ul class="findings">
            { for sorted.into_iter().map(finding_item) }
        </ul>
    }
}

fn finding_item(f: &Finding) -> Html {
    let (class, label) = match f.severity {
        Severity::Error => ("finding error", "Error"),
        Severity::Warning => ("finding warning", "Warning"),
        Severity::Info => ("finding info", "Info"),
    };
    let place = match (f.line, f.column) {
        (Some(l), Some(c)) => format!("line {l}, column {c}"),
        (Some(l), None) => format!("line {l}"),
        _ => String::new(),
    };
    let rfc = match mtasts_core::finding::rfc_url(&f.rfc) {
        Some(url) => {
            html! { <a class="rfc" href={url} rel="noopener noreferrer">{ f.rfc.to_string() }</a> }
        }
        None => html! { <span class="rfc">{ f.rfc.to_string() }</span> },
    };
    html! {
        <li class={class} data-code={f.code.to_string()}>
            <div class="finding-head">
                <span class="badge">{ label }</span>
                <code class="code">{ f.code.to_string() }</code>
                if !place.is_empty() { <span class="place">{ place }</span> }
                if f.tolerated { <span class="tolerated" title="Strict senders reject this; lenient ones accept it.">{ "tolerated by lenient senders" }</span> }
            </div>
            <p class="message">{ &f.message }</p>
            if let Some(fix) = &f.fix {
                <p class="fix"><strong>{ "Fix: " }</strong>{ fix }</p>
            }
            <p class="source">{ rfc }</p>
        </li>
    }
}

/// Always re-rendered: a report changes with every answer, and comparing one deeply would
/// cost more code than rendering it again.
impl PartialEq for FindingListProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}
