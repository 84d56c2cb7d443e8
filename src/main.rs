//! The MTA-STS tester in the browser. This first page lints a pasted policy and TXT record
//! with the same core the CLI uses; the full live check grows from here.

mod app;
mod findings;
mod linter;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
