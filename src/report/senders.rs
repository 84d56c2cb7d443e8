//! What each sender implementation does with the domain.

use super::Part;
use yew::prelude::*;

/// An icon and style class per outcome, so the table reads at a glance (and without colour).
fn outcome_badge(o: mtasts_core::profiles::Outcome) -> (&'static str, &'static str, &'static str) {
    use mtasts_core::profiles::Outcome::*;
    match o {
        DeliverVerified => ("✓", "ok", "delivers over verified TLS"),
        DeliverUnverified => ("!", "warn", "delivers without verification"),
        Defer => ("⏸", "warn", "defers (retries later)"),
        Bounce => ("✗", "bad", "bounces"),
    }
}

/// The senders table.
#[function_component(Senders)]
pub fn senders(p: &Part) -> Html {
    let r = &*p.report;
    html! {
        <section class="senders" aria-labelledby="senders-title">
            <h3 id="senders-title">{ "Senders" }</h3>
            <p class="small">{ "What each mail server implementation does with this domain, from its source code or documentation. Rows marked \"differs\" do something else than the strict RFC 8461 reading." }</p>
            <div class="table-wrap">
                <table class="senders-table">
                    <caption class="visually-hidden">{ "Outcome of a message from each sender implementation" }</caption>
                    <thead>
                        <tr>
                            <th scope="col">{ "Sender" }</th>
                            <th scope="col">{ "Applies" }</th>
                            <th scope="col">{ "Outcome" }</th>
                            <th scope="col">{ "Mail goes to" }</th>
                            <th scope="col">{ "Why" }</th>
                        </tr>
                    </thead>
                    <tbody>
                        { for r.senders.iter().map(|s| {
                            let (icon, class, words) = outcome_badge(s.outcome);
                            html! {
                                <tr data-sender={s.id.clone()} data-outcome={s.outcome.as_str()} class={classes!(s.differs_from_rfc.then_some("differs"))}>
                                    <th scope="row">
                                        { &s.name }
                                        if !s.version.is_empty() { <span class="small">{ format!(" {}", s.version) }</span> }
                                        if s.differs_from_rfc { <span class="differs-badge">{ "differs" }</span> }
                                        <div class="small evidence">{ format!("{}: {}", s.evidence_label(), s.reference) }</div>
                                    </th>
                                    <td data-label="Applies: ">{ s.policy.map_or("unknown", |p| p.as_str()) }</td>
                                    <td data-label="Outcome: " class={classes!("outcome", class)}>
                                        <span aria-hidden="true" class="icon">{ icon }</span>{ " " }{ words }
                                    </td>
                                    <td data-label="Mail goes to: ">{ s.mx.clone().unwrap_or_else(|| "—".into()) }</td>
                                    <td data-label="Why: ">{ &s.why }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        </section>
    }
}
