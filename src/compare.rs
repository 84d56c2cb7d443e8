//! "Compare resolvers" under a finished check: the `_mta-sts` TXT and the MX records asked
//! again of the check's resolver and of others, side by side, with the core's finding when
//! they disagree (a change still propagating, a stale cache, a name server left behind).

use crate::findings::FindingList;
use mtasts_core::dns::RecordType;
use mtasts_core::resolvers::{findings, ResolverView, Seen};
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CompareProps {
    pub domain: String,
    /// The resolver the check used.
    pub resolver: String,
}

async fn view_of(resolver: String, domain: &str) -> ResolverView {
    let sts = format!("_mta-sts.{domain}");
    let txt = crate::driver::doh(&resolver, &sts, RecordType::Txt).await;
    let mx = crate::driver::doh(&resolver, domain, RecordType::Mx).await;
    ResolverView {
        resolver,
        txt: Seen::txt(&txt),
        mx: Seen::mx(&mx),
    }
}

fn shown(seen: &Seen) -> Html {
    if seen.records.is_empty() {
        return html! { <span class="muted">{ seen.dns.describe() }</span> };
    }
    html! { <>{ for seen.records.iter().map(|r| html! { <code class="record">{ r }</code> }) }</> }
}

#[function_component(CompareResolvers)]
pub fn compare_resolvers(p: &CompareProps) -> Html {
    let others = crate::settings::RESOLVERS
        .iter()
        .map(|(_, url)| *url)
        .filter(|url| *url != p.resolver)
        .collect::<Vec<_>>()
        .join(" ");
    // What the visitor typed stays in the field across re-renders.
    let typed = use_state(|| others);
    let views = use_state(|| None::<Rc<Vec<ResolverView>>>);
    let busy = use_state(|| false);
    let on_compare = {
        let (typed, views, busy) = (typed.clone(), views.clone(), busy.clone());
        let (domain, own) = (p.domain.clone(), p.resolver.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let mut urls = vec![own.clone()];
            urls.extend(
                typed
                    .split_whitespace()
                    .filter(|u| u.starts_with("https://") && *u != own)
                    .map(str::to_string),
            );
            let (domain, views, busy) = (domain.clone(), views.clone(), busy.clone());
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                // One after another: a handful of look-ups, and no join combinator to carry.
                let mut seen = Vec::new();
                for url in urls {
                    seen.push(view_of(url, &domain).await);
                }
                views.set(Some(Rc::new(seen)));
                busy.set(false);
            });
        })
    };
    let on_input = {
        let typed = typed.clone();
        Callback::from(move |e: InputEvent| {
            typed.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let result = views.as_ref().map(|v| {
        let found = findings(&p.domain, v);
        html! {
            <>
            <table class="resolver-table">
                <thead><tr><th>{ "Resolver" }</th><th>{ "_mta-sts TXT" }</th><th>{ "MX" }</th></tr></thead>
                <tbody>
                    { for v.iter().map(|r| html! {
                        <tr data-resolver={r.resolver.clone()}>
                            <td>{ crate::settings::host_of(&r.resolver) }</td>
                            <td>{ shown(&r.txt) }</td>
                            <td>{ shown(&r.mx) }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <FindingList findings={found} empty="They agree." />
            </>
        }
    });
    html! {
        <details class="compare-resolvers">
            <summary>{ "Compare resolvers" }</summary>
            <form onsubmit={on_compare}>
                <label for="compare-urls">{ "Ask these DNS-over-HTTPS resolvers too (URLs, separated by spaces)" }</label>
                <input id="compare-urls" type="text" value={(*typed).clone()} oninput={on_input} />
                <button type="submit" disabled={*busy}>{ "Compare" }</button>
            </form>
            { for result }
        </details>
    }
}
