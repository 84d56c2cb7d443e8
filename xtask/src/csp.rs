//! Trunk writes an inline module script that loads the wasm; its name carries a content
//! hash, so the script changes with every build. The Content-Security-Policy in index.html
//! allows exactly that script by its SHA-256, filled in here after each build.

use base64::Engine as _;
use sha2::{Digest, Sha256};
use std::path::Path;

const PLACEHOLDER: &str = "sha256-LOADER_HASH";

/// How Trunk opens its loader, a module script.
const TRUNK_OPEN: &str = "<script type=module>";
/// How the loader that replaces it opens (`workbench::choose_in_loader`), a classic script.
pub const OPEN: &str = "<script>";

/// Where the one inline script (Trunk's loader, or ours in its place) stands in `html`:
/// its text is `html[start..end]`.
pub fn loader_span(html: &str) -> Result<(usize, usize), String> {
    let (at, open) = [TRUNK_OPEN, OPEN]
        .into_iter()
        .find_map(|open| html.find(open).map(|at| (at, open)))
        .ok_or("dist/index.html has no inline script")?;
    let start = at + open.len();
    let end = start
        + html[start..]
            .find("</script>")
            .ok_or("unterminated script")?;
    if html[end..].contains(TRUNK_OPEN) || html[end..].contains(OPEN) {
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
