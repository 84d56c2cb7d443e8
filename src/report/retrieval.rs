//! Step 2: the policy fetch, with the facts a browser cannot see.

use super::Part;
use mtasts_core::report::*;
use yew::prelude::*;

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

/// The fetch and the policy host's certificate.
#[function_component(Retrieval)]
pub fn retrieval(p: &Part) -> Html {
    let r = &*p.report;
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
