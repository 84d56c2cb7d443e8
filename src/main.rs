//! The MTA-STS tester in the browser: the core's check driven from the page, with a
//! policy linter beside it.

mod app;
mod checker;
mod driver;
mod export;
mod findings;
mod idna;
mod linter;
mod report_view;
mod settings;

fn main() {
    mtasts_core::domain::set_to_ascii(idna::browser_to_ascii);
    yew::Renderer::<app::App>::new().render();
}
