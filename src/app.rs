use crate::checker::Checker;
use crate::linter::Linter;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Clone, Routable, PartialEq)]
pub enum Route {
    #[at("/")]
    Home,
    #[not_found]
    #[at("/404")]
    NotFound,
}

#[function_component(App)]
pub fn app() -> Html {
    html! {
        <BrowserRouter>
            <a class="skip" href="#domain-input">{ "Skip to the domain field" }</a>
            <header class="site-header">
                <h1><a href="/">{ "MTA-STS tester" }</a></h1>
                <p class="tagline">
                    { "Can senders deliver to your domain over verified TLS? Enter a domain to see what RFC 8461 senders will do, step by step." }
                </p>
            </header>
            <main id="main">
                <Switch<Route> render={switch} />
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
        </BrowserRouter>
    }
}

fn switch(route: Route) -> Html {
    match route {
        Route::Home | Route::NotFound => html! {
            <>
                <Checker />
                <Linter />
            </>
        },
    }
}
