use crate::checker::Checker;
use yew::prelude::*;

/// What the visitor did in the HTML form before the app took over.
#[derive(Clone, Debug, Default, PartialEq, Properties)]
pub struct Early {
    pub typed: Option<String>,
    pub focused: bool,
}

#[function_component(App)]
pub fn app(early: &Early) -> Html {
    // Tells the visitor's browser tools and the tests that the form is now the app's.
    use_effect_with((), |_| {
        if let Some(html) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.document_element())
        {
            let _ = html.set_attribute("data-app-ready", "true");
        }
    });
    let early = early.clone();
    html! {
        <>
            <a class="skip" href="#domain-input">{ "Skip to the domain field" }</a>
            <header class="site-header">
                <h1><a href="/">{ "MTA-STS tester" }</a></h1>
                <p class="tagline">
                    { "Can senders deliver to your domain over verified TLS? Enter a domain to see what RFC 8461 senders will do, step by step." }
                </p>
            </header>
            <main id="main">
                { body(early) }
            </main>
            <footer class="site-footer">
                <p>
                    { "Checks follow " }
                    <a href="https://www.rfc-editor.org/rfc/rfc8461" rel="noopener noreferrer">{ "RFC 8461" }</a>
                    { " (MTA-STS) and " }
                    <a href="https://www.rfc-editor.org/rfc/rfc8460" rel="noopener noreferrer">{ "RFC 8460" }</a>
                    { " (TLS-RPT). DNS is resolved from your browser over DNS-over-HTTPS; the policy fetch and the STARTTLS probes run on the companion service." }
                </p>
            </footer>
        </>
    }
}

/// The Reports build shows the Reports view for `?reports` links, the snapshot build a
/// snapshot for `?snapshot` links; every build shows the check otherwise.
fn body(early: Early) -> Html {
    #[cfg(any(feature = "reports", feature = "snapshot"))]
    {
        let query = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .and_then(|s| web_sys::UrlSearchParams::new_with_str(&s).ok());
        #[cfg(feature = "snapshot")]
        if query.as_ref().is_some_and(|q| q.has("snapshot")) {
            return html! { <crate::snapshot::SnapshotView /> };
        }
        #[cfg(feature = "reports")]
        if query.is_some_and(|q| q.has("reports")) {
            return html! { <crate::reports::Reports /> };
        }
    }
    html! { <><Checker early={early} />{ linter() }</> }
}

/// The linter for pasted records and policies lives in the workbench build (`?draft=`), so
/// the first page links to it instead of carrying it.
#[cfg(feature = "workbench")]
fn linter() -> Html {
    html! { <crate::linter::Linter /> }
}

#[cfg(not(feature = "workbench"))]
fn linter() -> Html {
    html! {
        <p class="linter-open">
            { "No domain yet? " }
            <a id="open-linter" href="/?draft=">{ "Check a policy or TXT record you paste" }</a>
            { ", without any network access, or " }
            <a id="open-reports" href="/?reports">{ "read your TLS reports" }</a>
            { " in this browser." }
        </p>
    }
}
