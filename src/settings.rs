//! Which DNS-over-HTTPS resolver and companion the page uses: the user's choice remembered
//! in localStorage, else the defaults. A link may suggest others (`&resolver=`,
//! `&companion=`), but the page uses them only for the one check the user confirms: a link
//! must not send the domains a visitor checks to a host of its choosing.

pub const RESOLVERS: [(&str, &str); 3] = [
    ("Cloudflare", "https://cloudflare-dns.com/dns-query"),
    ("Google", "https://dns.google/dns-query"),
    ("Quad9", "https://dns.quad9.net/dns-query"),
];

const KEY: &str = "mtasts.resolver";

/// Where the page sends a check's requests (the first page, which runs no check, only
/// chooses it).
#[derive(Clone, PartialEq)]
#[cfg_attr(not(feature = "check"), allow(dead_code))]
pub struct Config {
    pub resolver: String,
    /// Base URL of the companion; empty for the page's own origin.
    pub companion: String,
}

/// This browser's localStorage, when it has one it lets the page use.
pub fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

pub fn saved_resolver() -> Option<String> {
    storage()?
        .get_item(KEY)
        .ok()
        .flatten()
        .filter(|s| s.starts_with("https://"))
}

pub fn save_resolver(url: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(KEY, url);
    }
}

/// The resolver the user chose, or the default.
pub fn own_resolver() -> String {
    saved_resolver().unwrap_or_else(|| RESOLVERS[0].1.to_string())
}

/// A resolver a link suggests: an https URL only.
pub fn link_resolver(from_link: Option<&str>) -> Option<String> {
    from_link
        .filter(|s| s.starts_with("https://"))
        .map(str::to_string)
}

/// A companion a link suggests (its base URL); `None` for the page's own origin.
pub fn link_companion(from_link: Option<&str>) -> Option<String> {
    from_link
        .filter(|s| s.starts_with("https://") || s.starts_with("http://"))
        .map(|s| s.trim_end_matches('/').to_string())
}

/// The host of a URL, as the page shows it when it asks.
pub fn host_of(url: &str) -> String {
    web_sys::Url::new(url)
        .map(|u| u.host())
        .unwrap_or_else(|_| url.to_string())
}
