//! Trunk writes an inline module script that loads the wasm; its name carries a content
//! hash, so the script changes with every build. The Content-Security-Policy in index.html
//! allows exactly that script by its SHA-256, filled in here after each build.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::Path;

const PLACEHOLDER: &str = "sha256-LOADER_HASH";

pub fn pin_loader(index: &Path) -> Result<(), String> {
    let html = std::fs::read_to_string(index).map_err(|e| format!("{}: {e}", index.display()))?;
    let open = "<script type=module>";
    let start = html
        .find(open)
        .ok_or("dist/index.html has no inline module script")?
        + open.len();
    let end = start
        + html[start..]
            .find("</script>")
            .ok_or("unterminated script")?;
    if html[end..].contains(open) {
        return Err("dist/index.html has more than one inline script; the CSP allows one".into());
    }
    let hash = base64::engine::general_purpose::STANDARD
        .encode(Sha256::digest(&html.as_bytes()[start..end]));
    if !html.contains(PLACEHOLDER) {
        return Err("the CSP in index.html has no loader-hash placeholder".into());
    }
    std::fs::write(index, html.replace(PLACEHOLDER, &format!("sha256-{hash}")))
        .map_err(|e| e.to_string())
}
