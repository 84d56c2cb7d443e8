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
