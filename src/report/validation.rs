//! Step 3: the policy as served, line by line, and which pattern covers each MX.

use super::Part;
use yew::prelude::*;

/// The policy text and the MX matching.
#[function_component(Validation)]
pub fn validation(p: &Part) -> Html {
    let r = &*p.report;
    // The report's own copy (its first 8 KiB), which snapshot links carry too.
    let body = r.policy.body.clone();
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
