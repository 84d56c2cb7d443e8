//! Snapshot links: a finished report carried in the link itself, deflated and base64url in
//! the fragment (`/?snapshot#…`), so no server ever sees it; the browser does not send a
//! fragment. The first page makes them; the snapshot build, which `?snapshot` links load,
//! opens them read-only.

use mtasts_core::Report;
use serde::Serialize;

/// The report as a snapshot link of this page. The link carries it without what is long
/// and can be done without (the SMTP transcripts, the certificate digests, the fetch's
/// second copy of the policy); they are taken off the serialized object, which costs the
/// page less than a trimmed copy of the report.
pub async fn link(r: &Report) -> Option<String> {
    use js_sys::Reflect;
    let value = r
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    let remove = |object: &wasm_bindgen::JsValue, path: &[&str]| {
        let mut at = object.clone();
        for key in &path[..path.len() - 1] {
            at = Reflect::get(&at, &(*key).into()).unwrap_or_default();
        }
        if at.is_object() {
            let _ = Reflect::delete_property(&at.into(), &path[path.len() - 1].into());
        }
    };
    let mx = js_sys::Array::from(&Reflect::get(&value, &"mx".into()).ok()?);
    for m in mx.iter() {
        remove(&m, &["tls", "transcript"]);
        remove(&m, &["tls", "chain"]);
    }
    remove(&value, &["policy", "fetch", "body"]);
    remove(&value, &["policy", "fetch", "body_base64"]);
    let json: String = js_sys::JSON::stringify(&value).ok()?.into();
    let data = crate::draft_link::encode_bytes(json.as_bytes()).await?;
    let origin = web_sys::window()?.location().origin().ok()?;
    Some(format!("{origin}/?snapshot#{data}"))
}

/// The largest report a snapshot may inflate to; a real one is tens of kilobytes.
#[cfg(feature = "snapshot")]
const MAX_INFLATED: usize = 2 << 20;

/// The report in a snapshot link's fragment, or why it cannot be shown.
#[cfg(feature = "snapshot")]
pub async fn read(fragment: &str) -> Result<Report, &'static str> {
    if fragment.is_empty() {
        return Err("This snapshot link carries no report: the part after # is missing, perhaps cut off when it was pasted.");
    }
    let bytes = crate::draft_link::decode_bytes(fragment, MAX_INFLATED)
        .await
        .ok_or("This snapshot link is damaged (it does not decode); it may have been cut off when it was pasted.")?;
    if bytes.len() > MAX_INFLATED {
        return Err("This snapshot link inflates to more than 2 MiB, far more than a report; it was not opened.");
    }
    let not_a_report =
        "This snapshot link does not hold a report of this tester (perhaps of a newer version).";
    let text = String::from_utf8(bytes).map_err(|_| not_a_report)?;
    let value = js_sys::JSON::parse(&text).map_err(|_| not_a_report)?;
    serde_wasm_bindgen::from_value(value).map_err(|_| not_a_report)
}

/// A snapshot opened read-only: when it was taken, the report as it was, and a way to run
/// the check again.
#[cfg(feature = "snapshot")]
#[yew::function_component(SnapshotView)]
pub fn snapshot_view() -> yew::Html {
    use std::rc::Rc;
    use yew::prelude::*;
    let state = use_state(|| None::<Result<Rc<Report>, &'static str>>);
    {
        let state = state.clone();
        use_effect_with((), move |_| {
            let fragment = web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .unwrap_or_default();
            wasm_bindgen_futures::spawn_local(async move {
                let read = read(fragment.trim_start_matches('#')).await;
                state.set(Some(read.map(Rc::new)));
            });
        });
    }
    let body = match &*state {
        None => html! { <p class="notes">{ "Opening the snapshot…" }</p> },
        Some(Err(why)) => html! {
            <div class="snapshot-error">
                <p class="input-error" role="alert" data-snapshot-error="">{ *why }</p>
                <p><a href="/">{ "Check a domain" }</a></p>
            </div>
        },
        Some(Ok(r)) => {
            let taken = r.checked_at.clone().unwrap_or_default();
            // The domain comes from the link: encoded, it cannot add parameters of its own.
            let again = format!(
                "/?domain={}",
                String::from(js_sys::encode_uri_component(&r.domain))
            );
            html! {
                <>
                <div class="snapshot-banner" role="note" data-snapshot-taken={taken.clone()}>
                    <p>
                        { "A snapshot of the check of " }<strong>{ &r.domain }</strong>
                        { ", taken " }<time datetime={taken.clone()}>{ crate::history::local_time(&taken) }</time>
                        { ". Read-only: nothing was checked again, the domain may have changed since, and the report is what the link carries, so whoever made the link could have altered it. Run the check again to see the domain as it is now." }
                    </p>
                    <a class="button" id="run-again" href={again}>{ "Run again" }</a>
                </div>
                <crate::report::ReportView report={r.clone()} unicode={None::<String>} />
                </>
            }
        }
    };
    html! { <section class="snapshot">{ body }</section> }
}
