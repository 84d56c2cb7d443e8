//! Step 1: the `_mta-sts`, MX and `_smtp._tls` look-ups.

use super::Part;
use yew::prelude::*;

/// A DNSSEC badge: the status of one look-up, `None` until answered.
fn dnssec(status: Option<mtasts_core::dnssec::DnssecStatus>) -> Html {
    let Some(s) = status else { return html! {} };
    let title = match s.as_str() {
        "secure" => "DNSSEC: signed, validated by the resolver",
        "insecure" => "DNSSEC: not signed",
        "bogus" => "DNSSEC: the signature does not validate",
        _ => "DNSSEC: the resolver did not say (it may not validate)",
    };
    html! { <span class={classes!("dnssec", s.as_str())} title={title} data-dnssec={s.as_str()}>{ format!("DNSSEC {}", s.as_str()) }</span> }
}

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
        <>
        <dl class="facts">
            <dt>{ "_mta-sts TXT" }</dt>
            <dd>
                <span class="status">{ status(r.txt.status, seen(r.txt.dns.as_ref())) }</span>{ ttl(r.txt.ttl) }{ dnssec(r.txt.dnssec) }
                if let Some(id) = &r.txt.id { { format!(", id {id}") } }
                if let Some(sha) = &r.policy.sha256 { <div class="small">{ "policy SHA-256 " }<code data-policy-sha256={sha.clone()}>{ sha }</code></div> }
                if !r.txt.cname.is_empty() { <div class="small">{ format!("via CNAME {}", r.txt.cname.join(" → ")) }</div> }
                { for r.txt.records.iter().map(|t| html! { <code class="record">{ t }</code> }) }
            </dd>
            <dt>{ "MX" }</dt>
            <dd>
                if r.mx.is_empty() { { "none" } }{ dnssec(r.dnssec.mx) }
                { for r.mx.iter().map(|m| html! { <code class="record">{ format!("{} {}", m.preference, m.host) }</code> }) }
            </dd>
            <dt>{ "_smtp._tls TXT (TLS-RPT)" }</dt>
            <dd>
                <span class="status">{ status(r.tlsrpt.status, seen(r.tlsrpt.dns.as_ref())) }</span>{ ttl(r.tlsrpt.ttl) }{ dnssec(r.tlsrpt.dnssec) }
                { for r.tlsrpt.records.iter().map(|t| html! { <code class="record">{ t }</code> }) }
            </dd>
        </dl>
        if r.complete && !r.dnssec.resolver_validates {
            <p class="small" data-dnssec-note="">{ "The resolver validated nothing in this check, so signed and unsigned look alike. Cloudflare, Google and Quad9 validate DNSSEC." }</p>
        }
        </>
    }
}
