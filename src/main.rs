//! The MTA-STS tester in the browser: the core's check driven from the page, with a
//! policy linter beside it.

mod app;
mod checker;
#[cfg(feature = "check")]
mod compare;
#[cfg(feature = "check")]
mod draft_link;
#[cfg(feature = "check")]
mod driver;
#[cfg(feature = "check")]
mod export;
#[cfg(feature = "check")]
mod fetch;
#[cfg(feature = "check")]
mod findings;
mod history;
mod idna;
#[cfg(feature = "workbench")]
mod linter;
#[cfg(feature = "check")]
mod model;
#[cfg(feature = "check")]
mod report;
#[cfg(feature = "reports")]
mod reports;
mod settings;
#[cfg(feature = "check")]
mod snapshot;
mod url_state;
#[cfg(feature = "check")]
mod use_check;
#[cfg(feature = "workbench")]
mod workbench;

use wasm_bindgen::JsCast;

// The page is single-threaded: no atomics, so the lock-free variant applies.
#[cfg(all(not(target_feature = "atomics"), target_family = "wasm"))]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

fn main() {
    mtasts_core::domain::set_to_ascii(idna::browser_to_ascii);
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    // index.html shows the form before the wasm arrives; what the visitor typed into it
    // meanwhile, and where the focus was, carry over into the app's own form.
    let field = document
        .get_element_by_id("domain-input")
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
    let early = app::Early {
        typed: field
            .as_ref()
            .map(|f| f.value())
            .filter(|v| !v.trim().is_empty()),
        focused: field.as_ref().is_some_and(|f| {
            document.active_element().as_ref() == Some(f.unchecked_ref::<web_sys::Element>())
        }),
    };
    let root: web_sys::Element = match (document.get_element_by_id("app"), document.body()) {
        (Some(root), _) => {
            // Cleared and rendered in one task, so no frame shows an empty page.
            root.set_inner_html("");
            root
        }
        (None, Some(body)) => body.into(),
        (None, None) => return,
    };
    yew::Renderer::<app::App>::with_root_and_props(root, early).render();
}
