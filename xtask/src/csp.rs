//! Trunk writes an inline module script that loads the wasm; its name carries a content
//! hash, so the script changes with every build. The Content-Security-Policy in index.html
//! allows exactly that script by its SHA-256, filled in here after each build.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::Path;

const PLACEHOLDER: &str = "sha256-LOADER_HASH";

const OPEN: &str = "<script type=module>";

/// Where the one inline module script (Trunk's loader) stands in `html`: its text is
/// `html[start..end]`.
pub fn loader_span(html: &str) -> Result<(usize, usize), String> {
    let start = html
        .find(OPEN)
        .ok_or("dist/index.html has no inline module script")?
        + OPEN.len();
    let end = start
        + html[start..]
            .find("</script>")
            .ok_or("unterminated script")?;
    if html[end..].contains(OPEN) {
        return Err("dist/index.html has more than one inline script; the CSP allows one".into());
    }
    Ok((start, end))
}

pub fn pin_loader(index: &Path) -> Result<(), String> {
    let html = std::fs::read_to_string(index).map_err(|e| format!("{}: {e}", index.display()))?;
    let (start, end) = loader_span(&html)?;
    let hash = base64::engine::general_purpose::STANDARD
        .encode(Sha256::digest(&html.as_bytes()[start..end]));
    if !html.contains(PLACEHOLDER) {
        return Err("the CSP in index.html has no loader-hash placeholder".into());
    }
    std::fs::write(index, html.replace(PLACEHOLDER, &format!("sha256-{hash}")))
        .map_err(|e| e.to_string())
}
