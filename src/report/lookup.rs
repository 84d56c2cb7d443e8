//! Step 1: the `_mta-sts`, MX and `_smtp._tls` look-ups.

use super::Part;
use yew::prelude::*;

fn ttl(t: Option<u32>) -> String {
    t.map(|t| format!(" (TTL {t} s)")).unwrap_or_default()
}

/// The records found.
#[function_component(Lookup)]
pub fn lookup(p: &Part) -> Html {
    let r = &*p.report;
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
