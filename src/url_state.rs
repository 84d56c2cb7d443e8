//! The page's state is its URL query (`?domain=&resolver=&companion=&draft=&txt=`): back, forward,
//! reload and shared links all show what the URL names. The browser's History API and
//! URLSearchParams do the work; a router crate would add weight for one route.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use yew::prelude::*;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    pub domain: Option<String>,
    pub resolver: Option<String>,
    pub companion: Option<String>,
    /// The workbench's draft policy, deflated and base64url-encoded; present (even empty)
    /// when the workbench is open.
    pub draft: Option<String>,
    /// The draft's `_mta-sts` TXT record, as typed.
    pub txt: Option<String>,
}

/// Fired on the window after the page changes its own URL, which `popstate` does not cover.
const CHANGED: &str = "mtasts-url";

/// The parameters of the current URL.
pub fn read() -> Params {
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let Ok(q) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Params::default();
    };
    Params {
        domain: q.get("domain"),
        resolver: q.get("resolver"),
        companion: q.get("companion"),
        draft: q.get("draft"),
        txt: q.get("txt"),
    }
}

/// `/?domain=…` for the parameters that are set, in a fixed order.
pub fn url_of(p: &Params) -> String {
    let Ok(q) = web_sys::UrlSearchParams::new() else {
        return "/".into();
    };
    for (key, value) in [
        ("domain", &p.domain),
        ("resolver", &p.resolver),
        ("companion", &p.companion),
        ("draft", &p.draft),
        ("txt", &p.txt),
    ] {
        if let Some(v) = value {
            q.append(key, v);
        }
    }
    let query: String = q.to_string().into();
    if query.is_empty() {
        "/".into()
    } else {
        format!("/?{query}")
    }
}

/// A new history entry, as following a link would make.
#[cfg(feature = "check")]
pub fn push(p: &Params) {
    navigate(p, false);
}

/// The current entry rewritten, for a choice that should not add a step to "back".
pub fn replace(p: &Params) {
    navigate(p, true);
}

fn navigate(p: &Params, replace: bool) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(history) = window.history() else {
        return;
    };
    let url = url_of(p);
    let _ = if replace {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    };
    if let Ok(event) = web_sys::Event::new(CHANGED) {
        let _ = window.dispatch_event(&event);
    }
}

/// The current URL's parameters, re-read whenever the URL changes.
#[hook]
pub fn use_params() -> Params {
    let params = use_state(read);
    {
        let params = params.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn Fn()>::new(move || params.set(read()));
            let window = web_sys::window();
            if let Some(w) = &window {
                for event in ["popstate", CHANGED] {
                    let _ = w
                        .add_event_listener_with_callback(event, listener.as_ref().unchecked_ref());
                }
            }
            move || {
                if let Some(w) = &window {
                    for event in ["popstate", CHANGED] {
                        let _ = w.remove_event_listener_with_callback(
                            event,
                            listener.as_ref().unchecked_ref(),
                        );
                    }
                }
            }
        });
    }
    (*params).clone()
}
