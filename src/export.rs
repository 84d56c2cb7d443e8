//! Copy the report as JSON or Markdown, or download the JSON.

use mtasts_core::Report;
use serde::Serialize;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Pretty JSON through the browser's JSON.stringify, so the page carries no JSON library.
pub fn to_json(report: &Report) -> Option<String> {
    let value = report
        .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .ok()?;
    js_sys::JSON::stringify_with_replacer_and_space(&value, &wasm_bindgen::JsValue::NULL, &2.into())
        .ok()?
        .as_string()
}

pub fn copy(text: String, done: UseStateHandle<Option<&'static str>>, what: &'static str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let promise = window.navigator().clipboard().write_text(&text);
    wasm_bindgen_futures::spawn_local(async move {
        let ok = wasm_bindgen_futures::JsFuture::from(promise).await.is_ok();
        done.set(Some(if ok {
            what
        } else {
            "Copying failed: the browser refused clipboard access."
        }));
    });
}

/// Saves `text` as a file called `name`, of media type `mime`.
pub fn download(name: &str, text: &str, mime: &str) -> Option<()> {
    let parts = js_sys::Array::of1(&text.into());
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options).ok()?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).ok()?;
    let document = web_sys::window()?.document()?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").ok()?.dyn_into().ok()?;
    a.set_href(&url);
    a.set_download(name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Some(())
}

#[derive(Properties)]
pub struct ExportProps {
    pub report: Rc<Report>,
}

#[function_component(Export)]
pub fn export(p: &ExportProps) -> Html {
    let done = use_state(|| None::<&'static str>);
    let json = {
        let (r, done) = (p.report.clone(), done.clone());
        Callback::from(move |_| {
            if let Some(text) = to_json(&r) {
                copy(text, done.clone(), "The report was copied as JSON.");
            }
        })
    };
    let markdown = {
        let (r, done) = (p.report.clone(), done.clone());
        Callback::from(move |_| {
            copy(
                mtasts_core::markdown::render(&r),
                done.clone(),
                "The report was copied as Markdown.",
            )
        })
    };
    let save = {
        let r = p.report.clone();
        Callback::from(move |_| {
            if let Some(text) = to_json(&r) {
                download(
                    &format!("mta-sts-{}.json", r.domain),
                    &text,
                    "application/json",
                );
            }
        })
    };
    let shared = use_state(|| None::<String>);
    let share = {
        let (r, done, shared) = (p.report.clone(), done.clone(), shared.clone());
        Callback::from(move |_| {
            let (r, done, shared) = (r.clone(), done.clone(), shared.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match crate::snapshot::link(&r).await {
                    Some(link) => {
                        copy(link.clone(), done, "The snapshot link was copied.");
                        shared.set(Some(link));
                    }
                    None => done.set(Some("This browser cannot make snapshot links.")),
                }
            });
        })
    };
    html! {
        <div class="export" role="group" aria-label="Export the report">
            <button type="button" id="share" onclick={share}>{ "Share this result" }</button>
            <button type="button" onclick={json}>{ "Copy JSON" }</button>
            <button type="button" onclick={markdown}>{ "Copy Markdown" }</button>
            <button type="button" onclick={save}>{ "Download JSON" }</button>
            <span class="export-status" aria-live="polite">{ (*done).unwrap_or("") }</span>
            if let Some(link) = &*shared {
                <label class="snapshot-link">
                    { format!("Snapshot link ({} characters; the report is in it, after the #, which no server sees)", link.len()) }
                    <input type="text" readonly=true value={link.clone()} data-snapshot-link="" />
                </label>
            }
        </div>
    }
}

/// Always re-rendered: a report changes with every answer, and comparing one deeply would
/// cost more code than rendering it again.
impl PartialEq for ExportProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}
