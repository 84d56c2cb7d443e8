//! Step 4: the STARTTLS probe of each MX and what senders will do.

use super::Part;
use mtasts_core::report::*;
use yew::prelude::*;

/// One row per MX host.
#[function_component(Tls)]
pub fn tls(p: &Part) -> Html {
    let r = &*p.report;
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

/// DANE for the host: its TLSA records, their DNSSEC status and what matched.
fn dane_line(m: &MxReport) -> Html {
    use mtasts_core::dane::DaneStatus;
    let Some(d) = &m.dane else { return html! {} };
    if d.tlsa.is_empty() && d.status == Some(DaneStatus::None) {
        return html! { <div class="small dane" data-dane="none">{ "DANE: no TLSA records" }</div> };
    }
    let status = d.status.map_or("not judged", |s| s.as_str());
    let good = d.status == Some(DaneStatus::Ok);
    let matched = d.matched.first().map(|x| {
        let which = if x.certificate == 0 {
            "the server's certificate".to_string()
        } else {
            format!("the issuer {}", x.subject)
        };
        format!(
            " — {} matches {which}",
            x.record.split(' ').take(3).collect::<Vec<_>>().join(" ")
        )
    });
    html! {
        <div class="dane" data-dane={status}>
            <span class={classes!("status", if good { "ok" } else { "bad" })}>{ format!("DANE {status}") }</span>
            <span class="small">{ format!(" TLSA {}", d.dnssec.as_str()) }{ matched.unwrap_or_default() }</span>
            <details class="transcript">
                <summary>{ format!("TLSA records at _25._tcp.{}", m.host) }</summary>
                <pre>{ d.tlsa.iter().map(|r| r.to_string()).collect::<Vec<_>>().join("\n") }</pre>
                <p class="small">{ "DANE senders (Postfix, Exim, Microsoft 365) use these records first when the zone is DNSSEC-signed. Running Exim? glibc hands it the AD bit only when resolv.conf says \"options trust-ad\"; without that line Exim silently skips DANE." }</p>
            </details>
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
                { dane_line(m) }
            </td>
            <td class={classes!("sender", sender_class)} data-sender={sender_class} data-label="Senders will: ">{ &m.senders_will }</td>
            <td data-label="TLS-RPT result: ">{ m.tlsrpt_result.map_or("—", |t| t.as_str()) }</td>
        </tr>
    }
}
