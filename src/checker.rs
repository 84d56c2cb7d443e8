//! The domain form and the live check: the URL (`?domain=`) is the state, so back, forward,
//! reload and shared links all run the same check.

use crate::settings;
use mtasts_core::input::normalize_domain;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::url_state;
pub use crate::url_state::Params;

#[derive(Properties, PartialEq)]
pub struct CheckerProps {
    #[prop_or_default]
    pub early: crate::app::Early,
}

#[function_component(Checker)]
pub fn checker(props: &CheckerProps) -> Html {
    let params = url_state::use_params();
    let input = use_state(|| {
        props
            .early
            .typed
            .clone()
            .or_else(|| params.domain.clone())
            .unwrap_or_default()
    });
    let field = use_node_ref();
    {
        let (field, focused) = (field.clone(), props.early.focused);
        use_effect_with((), move |_| {
            if let Some(f) = field.cast::<HtmlInputElement>().filter(|_| focused) {
                let _ = f.focus();
            }
        });
    }
    let error = use_state(|| None::<String>);
    let suggestion = use_state(|| None::<String>);
    let resolver = use_state(settings::own_resolver);
    // What a link suggests, beyond the user's own settings; used only once confirmed.
    let suggested = Suggested::from_link(&params, &resolver);
    let confirmed = use_state(|| None::<Suggested>);
    let accepted = suggested.is_some() && *confirmed == suggested;
    let waiting_for_consent = suggested.is_some() && !accepted;

    let config = match (&suggested, accepted) {
        (Some(s), true) => settings::Config {
            resolver: s.resolver.clone().unwrap_or_else(|| (*resolver).clone()),
            companion: s.companion.clone().unwrap_or_default(),
        },
        _ => settings::Config {
            resolver: (*resolver).clone(),
            companion: String::new(),
        },
    };
    let domain = params.domain.clone().filter(|_| !waiting_for_consent);
    let outcome = use_outcome(domain.clone(), config, &params);
    {
        let (input, error, suggestion) = (input.clone(), error.clone(), suggestion.clone());
        // Text typed into the HTML form while the app loaded wins over the link's domain
        // once: the visitor's work is not overwritten.
        let keep_typed = use_mut_ref(|| props.early.typed.is_some());
        use_effect_with(domain, move |domain| {
            let typed_first = std::mem::take(&mut *keep_typed.borrow_mut());
            match domain.as_deref().map(normalize_domain) {
                // A `?domain=` that is not a domain (the HTML form sends what was typed
                // before the app ran, and links can carry anything) gets the same reason
                // as the app's own form gives.
                Some(Err(e)) => error.set(Some(e.to_string())),
                Some(Ok(d)) => {
                    if !typed_first {
                        input.set(d.unicode.clone().unwrap_or_else(|| d.ascii.clone()));
                    }
                    suggestion.set(d.suggestion.clone());
                }
                None => {}
            }
            || ()
        });
    }

    let on_input = {
        let (input, error, suggestion) = (input.clone(), error.clone(), suggestion.clone());
        Callback::from(move |e: InputEvent| {
            input.set(e.target_unchecked_into::<HtmlInputElement>().value());
            error.set(None);
            suggestion.set(None);
        })
    };
    // A check the user starts uses their own settings: what a link suggested does not
    // carry over.
    let go = move |domain: String| {
        go_check(&Params {
            domain: Some(domain),
            ..Params::default()
        })
    };
    let on_accept = {
        let (confirmed, suggested) = (confirmed.clone(), suggested.clone());
        Callback::from(move |_| confirmed.set(suggested.clone()))
    };
    let on_decline = {
        let domain = params.domain.clone();
        Callback::from(move |_| {
            url_state::replace(&Params {
                domain: domain.clone(),
                ..Params::default()
            })
        })
    };
    let on_submit = {
        let (input, error, suggestion, go) = (input.clone(), error.clone(), suggestion.clone(), go);
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match normalize_domain(&input) {
                // Bad input gets its reason here, and no request leaves the page.
                Err(e) => error.set(Some(e.to_string())),
                Ok(d) => {
                    suggestion.set(d.suggestion.clone());
                    go(d.ascii);
                }
            }
        })
    };
    let on_suggestion = {
        let (suggestion, go) = (suggestion.clone(), go);
        Callback::from(move |_| {
            if let Some(parent) = (*suggestion).clone() {
                suggestion.set(None);
                go(parent);
            }
        })
    };
    let on_resolver = {
        let resolver = resolver.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlSelectElement>().value();
            if value.starts_with("https://") {
                settings::save_resolver(&value);
                resolver.set(value);
            }
        })
    };
    let on_custom = {
        let resolver = resolver.clone();
        Callback::from(move |e: Event| {
            let value = e.target_unchecked_into::<HtmlInputElement>().value();
            if value.starts_with("https://") {
                settings::save_resolver(&value);
                resolver.set(value);
            }
        })
    };

    let notes = params
        .domain
        .as_deref()
        .and_then(|d| normalize_domain(d).ok())
        .map(|d| d.notes)
        .unwrap_or_default();
    let preset = settings::RESOLVERS
        .iter()
        .any(|(_, u)| *u == resolver.as_str());

    html! {
        <section class="checker" aria-labelledby="check-title">
            <h2 id="check-title" class="visually-hidden">{ "Check a domain" }</h2>
            <form class="domain-form" action="/" method="get" onsubmit={on_submit} novalidate=true>
                <label for="domain-input">{ "Domain" }</label>
                <div class="domain-row">
                    <input
                        ref={field}
                        id="domain-input"
                        name="domain"
                        type="text"
                        inputmode="url"
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        placeholder="example.com"
                        aria-describedby="domain-help domain-error"
                        aria-invalid={error.is_some().to_string()}
                        value={(*input).clone()}
                        oninput={on_input}
                    />
                    <button type="submit">{ "Check" }</button>
                </div>
                <p id="domain-help" class="help">{ "A domain, a URL or an e-mail address; Unicode names work too." }</p>
                <p id="domain-error" class="input-error" role="alert">{ (*error).clone().unwrap_or_default() }</p>
                if let Some(parent) = &*suggestion {
                    <p class="suggestion">
                        { "This is the policy host. " }
                        <button type="button" class="link-button" onclick={on_suggestion}>{ format!("Check {parent} instead") }</button>
                    </p>
                }
                <details class="settings">
                    <summary>{ "Resolver" }</summary>
                    <label for="resolver-select">{ "DNS-over-HTTPS resolver" }</label>
                    <select id="resolver-select" onchange={on_resolver}>
                        { for settings::RESOLVERS.iter().map(|(name, url)| html! {
                            <option value={*url} selected={*url == resolver.as_str()}>{ format!("{name} ({url})") }</option>
                        }) }
                        if !preset {
                            <option value={(*resolver).clone()} selected=true>{ format!("Custom ({})", *resolver) }</option>
                        }
                    </select>
                    <label for="resolver-custom">{ "Or a custom resolver URL" }</label>
                    <input id="resolver-custom" type="url" placeholder="https://resolver.example/dns-query" onchange={on_custom} />
                    <p class="help">{ "Remembered in this browser. Cloudflare, Google and Quad9 validate DNSSEC, which the DANE checks need. A link may suggest another resolver; the page asks before it uses one." }</p>
                </details>
            </form>
            if !notes.is_empty() {
                <p class="notes">{ notes.join("; ") }</p>
            }
            if let Some(s) = suggested.as_ref().filter(|_| waiting_for_consent) {
                <div class="link-consent" role="alertdialog" aria-labelledby="consent-title" aria-describedby="consent-text">
                    <h3 id="consent-title">{ "This link wants to use other servers" }</h3>
                    <p id="consent-text">
                        { "Before checking " }<strong>{ params.domain.clone().unwrap_or_default() }</strong>{ ", the link asks this page to send your look-ups to " }
                        { s.describe() }
                        { ". Those servers see which domain you check and decide what this page shows. Use them only if you trust whoever sent the link." }
                    </p>
                    <div class="consent-buttons">
                        <button type="button" id="consent-accept" onclick={on_accept}>{ "Use them for this check" }</button>
                        <button type="button" id="consent-decline" class="link-button" onclick={on_decline}>{ "Check with my settings" }</button>
                    </div>
                </div>
            }
            if let Some(s) = suggested.as_ref().filter(|_| accepted) {
                <p class="notes link-servers">{ format!("This check uses servers chosen by the link you opened: {}.", s.describe_plain()) }</p>
            }
            { outcome }
        </section>
    }
}

/// The check of the URL's domain and its report, or the history when there is none.
/// A new domain in the URL (typed, back, forward, a shared link) starts its check.
#[cfg(feature = "check")]
#[hook]
fn use_outcome(domain: Option<String>, config: settings::Config, params: &Params) -> Html {
    let checked_with = config.resolver.clone();
    let state = crate::use_check::use_check(domain, config);
    use_remember_finished(&state);
    let Some(run) = &state.run else {
        return html! { <crate::history::History /> };
    };
    html! {
        <>
            { workbench(&state, params) }
            <crate::report::ReportView report={run.report.clone()} unicode={run.unicode.clone()} />
            if run.report.complete {
                <crate::compare::CompareResolvers domain={run.report.domain.clone()} resolver={checked_with} />
            }
        </>
    }
}

/// The first page has no check: `index.html`'s loader starts the check's build for
/// `?domain=` links, so only a page built without it (`trunk serve` alone) gets here.
#[cfg(not(feature = "check"))]
#[hook]
fn use_outcome(domain: Option<String>, config: settings::Config, params: &Params) -> Html {
    let _ = (config, params);
    match domain {
        Some(_) => html! {
            <p class="input-error" role="alert">{ "This build of the page cannot run a check: build it with `cargo xtask build`." }</p>
        },
        None => html! { <crate::history::History /> },
    }
}

/// Opens the check of `params`: in the check's build a new history entry the app follows;
/// on the first page a navigation, which makes `index.html` load the check's build.
#[cfg(feature = "check")]
fn go_check(params: &Params) {
    url_state::push(params);
}

#[cfg(not(feature = "check"))]
fn go_check(params: &Params) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(&url_state::url_of(params));
    }
}

/// Adds each check to the history once it is finished, with its snapshot link.
#[cfg(feature = "check")]
#[hook]
fn use_remember_finished(state: &crate::model::CheckState) {
    let finished = state
        .run
        .as_ref()
        .filter(|r| r.report.complete)
        .map(|r| r.report.clone());
    let key = finished.as_ref().map(|r| r.checked_at.clone());
    use_effect_with(key, move |_| {
        if let Some(report) = finished {
            wasm_bindgen_futures::spawn_local(async move {
                crate::history::remember(crate::history::Entry {
                    domain: report.domain.clone(),
                    verdict: report.verdict.map_or("", |v| v.as_str()).to_string(),
                    checked_at: report.checked_at.clone().unwrap_or_default(),
                    link: crate::snapshot::link(&report).await,
                });
            });
        }
    });
}

/// Servers a link suggests beyond the user's own settings.
#[derive(Clone, Debug, PartialEq)]
struct Suggested {
    resolver: Option<String>,
    companion: Option<String>,
}

impl Suggested {
    /// `None` when the link suggests nothing the user does not already use.
    fn from_link(params: &Params, own_resolver: &str) -> Option<Suggested> {
        let resolver =
            settings::link_resolver(params.resolver.as_deref()).filter(|r| r != own_resolver);
        let companion = settings::link_companion(params.companion.as_deref());
        (resolver.is_some() || companion.is_some()).then_some(Suggested {
            resolver,
            companion,
        })
    }

    fn parts(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(r) = &self.resolver {
            parts.push(format!("the DNS resolver {}", settings::host_of(r)));
        }
        if let Some(c) = &self.companion {
            parts.push(format!("the companion service {}", settings::host_of(c)));
        }
        parts
    }

    fn describe(&self) -> Html {
        let parts = self.parts();
        html! { <strong class="suggested-hosts">{ parts.join(" and ") }</strong> }
    }

    fn describe_plain(&self) -> String {
        self.parts().join(" and ")
    }
}

/// The draft workbench: its own build (`workbench` feature) that `index.html` loads for
/// `?draft=` links, so the first page does not carry it; here only a link to it.
#[cfg(all(feature = "check", not(feature = "workbench")))]
fn workbench(_: &UseReducerHandle<crate::model::CheckState>, params: &Params) -> Html {
    open_workbench(params)
}

#[cfg(feature = "workbench")]
fn workbench(state: &UseReducerHandle<crate::model::CheckState>, params: &Params) -> Html {
    if params.draft.is_none() {
        return open_workbench(params);
    }
    html! { <crate::workbench::Workbench state={state.clone()} params={params.clone()} /> }
}

#[cfg(feature = "check")]
fn open_workbench(params: &Params) -> Html {
    let href = url_state::url_of(&Params {
        draft: Some(String::new()),
        ..params.clone()
    });
    html! {
        <p class="workbench-open">
            <a id="open-workbench" href={href}>{ "Try a draft policy" }</a>
            { " — edit a policy and see what senders would do with it, before you publish it." }
        </p>
    }
}
