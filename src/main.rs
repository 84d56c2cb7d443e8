//! The MTA-STS tester in the browser. This first page lints a pasted policy and TXT record
//! with the same core the CLI uses; the full live check grows from here.

mod app;
mod findings;
mod idna;
mod linter;

fn main() {
    mtasts_core::domain::set_to_ascii(idna::browser_to_ascii);
    yew::Renderer::<app::App>::new().render();
}
