//! Trunk's JS minifier gives up on wasm-bindgen's glue (`Failed to minify JS`, at its
//! `export default`) and ships it as written: 45 KB raw where terser makes 20 KB. So the
//! glue goes through terser (pinned in package-lock.json) after the build, and the
//! subresource-integrity hashes in index.html follow the new bytes. The file keeps its
//! name: its hash is Trunk's, of the unminified glue, which the minified text is a
//! function of.

use base64::Engine as _;
use sha2::{Digest, Sha384};
use std::path::Path;

fn integrity(bytes: &[u8]) -> String {
    format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha384::digest(bytes))
    )
}

pub fn glue(sh: &crate::shell::Shell, dist: &Path) -> Result<(), String> {
    let index = dist.join("index.html");
    let mut html =
        std::fs::read_to_string(&index).map_err(|e| format!("{}: {e}", index.display()))?;
    let terser = crate::shell::root().join("node_modules/.bin/terser");
    let terser = terser.to_str().ok_or("path")?;
    for entry in std::fs::read_dir(dist).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.extension().and_then(|e| e.to_str()) != Some("js") {
            continue;
        }
        let before = std::fs::read(&path).map_err(|e| e.to_string())?;
        let file = path.to_str().ok_or("path")?;
        sh.run(
            terser,
            &[file, "--module", "--compress", "--mangle", "--output", file],
        )?;
        let after = std::fs::read(&path).map_err(|e| e.to_string())?;
        let (old, new) = (integrity(&before), integrity(&after));
        if html.contains(&old) {
            html = html.replace(&old, &new);
        } else {
            return Err(format!(
                "{file}: index.html carries no integrity hash of it to update"
            ));
        }
    }
    std::fs::write(&index, html).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_integrity_value_is_the_sri_form_of_sha384() {
        // `printf abc | openssl dgst -sha384 -binary | base64`
        assert_eq!(
            super::integrity(b"abc"),
            "sha384-ywB1P0WjXou1oD1pmsZQBycsMqsO3tFjGotgWkP/W+2AhgcroefMI1i67KE0yCWn"
        );
    }
}
