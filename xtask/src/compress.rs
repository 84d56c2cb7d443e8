//! Brotli and gzip copies beside every asset of the built page, so the companion (or any
//! static host with precompression, such as nginx's `gzip_static`/`brotli_static`) sends
//! the compressed bytes without compressing per request. The first visit is mostly the
//! wasm, which brotli shrinks to about a third.

use std::io::Write as _;
use std::path::Path;

/// Files smaller than this are sent as they are: the headers would cost more.
const MIN_BYTES: u64 = 512;

fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "js" | "wasm" | "css" | "svg" | "json" | "txt")
    )
}

/// Writes `<file>.br` and `<file>.gz` for each compressible file of `dist`; returns the
/// (original, brotli) sizes in bytes.
pub fn precompress(dist: &Path) -> Result<Vec<(String, u64, u64)>, String> {
    let mut sizes = Vec::new();
    let entries = std::fs::read_dir(dist).map_err(|e| format!("{}: {e}", dist.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if !path.is_file() || !compressible(&path) {
            continue;
        }
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if (bytes.len() as u64) < MIN_BYTES {
            continue;
        }
        let mut br = Vec::new();
        {
            let params = brotli::enc::BrotliEncoderParams {
                quality: 11,
                lgwin: 22,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut bytes.as_slice(), &mut br, &params)
                .map_err(|e| format!("brotli {}: {e}", path.display()))?;
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&bytes).map_err(|e| e.to_string())?;
        let gz = gz.finish().map_err(|e| e.to_string())?;
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or("a file name that is not UTF-8")?
            .to_string();
        std::fs::write(dist.join(format!("{name}.br")), &br).map_err(|e| e.to_string())?;
        std::fs::write(dist.join(format!("{name}.gz")), &gz).map_err(|e| e.to_string())?;
        sizes.push((name, bytes.len() as u64, br.len() as u64));
    }
    sizes.sort();
    Ok(sizes)
}
