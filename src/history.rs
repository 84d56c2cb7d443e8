//! The last checks made in this browser, kept in localStorage (never sent anywhere): the
//! domain, the verdict, when, and a snapshot link of the finished report. Read and written
//! as plain JavaScript objects, so the first page carries no JSON parser.

use js_sys::{Array, Reflect, JSON};
use wasm_bindgen::JsValue;

const KEY: &str = "mtasts.history";
/// Checks kept, the latest first; each domain once.
pub const KEEP: usize = 10;

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub domain: String,
    pub verdict: String,
    /// RFC 3339, UTC.
    pub checked_at: String,
    /// The snapshot link of the report, when the browser could make one.
    pub link: Option<String>,
}

fn text(o: &JsValue, key: &str) -> Option<String> {
    Reflect::get(o, &key.into()).ok()?.as_string()
}

/// The saved checks, the latest first; what cannot be read is left out.
pub fn read() -> Vec<Entry> {
    let Some(saved) = crate::settings::storage().and_then(|s| s.get_item(KEY).ok().flatten())
    else {
        return Vec::new();
    };
    let Ok(list) = JSON::parse(&saved) else {
        return Vec::new();
    };
    if !Array::is_array(&list) {
        return Vec::new();
    }
    Array::from(&list)
        .iter()
        .filter_map(|o| {
            Some(Entry {
                domain: text(&o, "domain")?,
                verdict: text(&o, "verdict")?,
                checked_at: text(&o, "checked_at")?,
                link: text(&o, "link"),
            })
        })
        .take(KEEP)
        .collect()
}

#[cfg(feature = "check")]
/// Puts `entry` first, dropping an older check of the same domain and the oldest beyond
/// [`KEEP`]. A full or disabled storage loses the entry, nothing else.
pub fn remember(entry: Entry) {
    let mut all = read();
    all.retain(|e| e.domain != entry.domain);
    all.insert(0, entry);
    all.truncate(KEEP);
    write(&all);
}

pub fn clear() {
    if let Some(s) = crate::settings::storage() {
        let _ = s.remove_item(KEY);
    }
}

#[cfg(feature = "check")]
fn write(entries: &[Entry]) {
    let list = Array::new();
    for e in entries {
        let o = js_sys::Object::new();
        let set = |k: &str, v: &str| {
            let _ = Reflect::set(&o, &k.into(), &v.into());
        };
        set("domain", &e.domain);
        set("verdict", &e.verdict);
        set("checked_at", &e.checked_at);
        if let Some(link) = &e.link {
            set("link", link);
        }
        list.push(&o);
    }
    if let (Some(s), Ok(json)) = (crate::settings::storage(), JSON::stringify(&list)) {
        let _ = s.set_item(KEY, &String::from(json));
    }
}

/// `checked_at` in the reader's own words and time zone.
pub fn local_time(rfc3339: &str) -> String {
    let date = js_sys::Date::new(&JsValue::from_str(rfc3339));
    if date.get_time().is_nan() {
        return rfc3339.to_string();
    }
    date.to_locale_string("default", &JsValue::UNDEFINED).into()
}

#[cfg(feature = "check")]
/// The time now as reports carry it: RFC 3339 in UTC, to the second.
pub fn now_rfc3339() -> String {
    let iso: String = js_sys::Date::new_0().to_iso_string().into();
    // "2026-12-03T13:05:12.345Z": the milliseconds say nothing to a reader.
    match iso.split_once('.') {
        Some((seconds, _)) => format!("{seconds}Z"),
        None => iso,
    }
}

/// The saved checks under the form, when no check is shown.
#[yew::function_component(History)]
pub fn history() -> yew::Html {
    use yew::prelude::*;
    let entries = use_state(read);
    if entries.is_empty() {
        return html! {};
    }
    let on_clear = {
        let entries = entries.clone();
        Callback::from(move |_| {
            clear();
            entries.set(Vec::new());
        })
    };
    html! {
        <section class="history" aria-labelledby="history-title">
            <h2 id="history-title">{ "Your recent checks" }</h2>
            <ul>
                { for entries.iter().map(|e| html! {
                    <li data-history={e.domain.clone()}>
                        <a href={format!("/?domain={}", String::from(js_sys::encode_uri_component(&e.domain)))}>{ &e.domain }</a>
                        <span class={classes!("history-verdict", e.verdict.clone())}>{ &e.verdict }</span>
                        <time datetime={e.checked_at.clone()}>{ local_time(&e.checked_at) }</time>
                        if let Some(link) = &e.link {
                            <a class="history-snapshot" href={link.clone()}>{ "the result then" }</a>
                        }
                    </li>
                }) }
            </ul>
            <button type="button" class="link-button" id="clear-history" onclick={on_clear}>{ "Forget these checks" }</button>
            <p class="help">{ "Kept in this browser only." }</p>
        </section>
    }
}
