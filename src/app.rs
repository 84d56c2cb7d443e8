use crate::linter::Linter;
use yew::prelude::*;

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <>
            <header class="site-header">
                <h1>{ "MTA-STS tester" }</h1>
                <p class="tagline">
                    { "Can senders deliver to your domain over verified TLS? Paste your policy and records to see what RFC 8461 senders will make of them." }
                </p>
            </header>
            <main id="main">
                <Linter />
            </main>
            <footer class="site-footer">
                <p>
                    { "Checks follow " }
                    <a href="https://www.rfc-editor.org/rfc/rfc8461" rel="noopener noreferrer">{ "RFC 8461" }</a>
                    { " (MTA-STS) and " }
                    <a href="https://www.rfc-editor.org/rfc/rfc8460" rel="noopener noreferrer">{ "RFC 8460" }</a>
                    { " (TLS-RPT). Everything runs in your browser; nothing you paste leaves this page." }
                </p>
            </footer>
        </>
    }
}
