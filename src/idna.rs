//! IDNA through the browser's own URL parser (WHATWG host parsing applies UTS 46 ToASCII),
//! so the page does not ship the mapping tables.

/// The A-label form of `name`, or `None` when the browser rejects it as a host.
pub fn browser_to_ascii(name: &str) -> Option<String> {
    if name.contains(['/', '?', '#', '@', ':', '\\', '%']) {
        return None;
    }
    let url = web_sys::Url::new(&format!("http://{name}/")).ok()?;
    Some(url.hostname())
}
