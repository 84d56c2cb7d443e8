//! Which DNS-over-HTTPS resolver and companion the page uses: from the link (`&resolver=`,
//! `&companion=`), else the user's choice remembered in localStorage, else the defaults.

pub const RESOLVERS: [(&str, &str); 3] = [
    ("Cloudflare", "https://cloudflare-dns.com/dns-query"),
    ("Google", "https://dns.google/dns-query"),
    ("Quad9", "https://dns.quad9.net/dns-query"),
];

const KEY: &str = "mtasts.resolver";

fn storage() -> Option<web_sys::Storage> {
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

pub fn resolver(from_link: Option<&str>) -> String {
    from_link
        .filter(|s| s.starts_with("https://"))
        .map(str::to_string)
        .or_else(saved_resolver)
        .unwrap_or_else(|| RESOLVERS[0].1.to_string())
}

/// The companion's base URL; empty means the page's own origin.
pub fn companion(from_link: Option<&str>) -> String {
    from_link
        .filter(|s| s.starts_with("https://") || s.starts_with("http://"))
        .map(|s| s.trim_end_matches('/').to_string())
        .unwrap_or_default()
}
