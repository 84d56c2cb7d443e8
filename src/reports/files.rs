//! Files the visitor drops or picks, read in the page; and the hand-over of those files to
//! the view that compares them with a live check (a new page, because the private view's
//! policy forbids every connection).

use base64::Engine;
use js_sys::Uint8Array;
use mtasts_core::aggregate::MAX_INPUT_BYTES;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// A file as read: its name and at most one byte more than the reader accepts, so that the
/// core refuses a huge file without the page loading it whole.
pub struct Picked {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// The files of a list, taken at once: the list empties when the input is reset.
pub fn take(list: &web_sys::FileList) -> Vec<web_sys::File> {
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

pub async fn read_all(files: Vec<web_sys::File>) -> Vec<Picked> {
    let mut out = Vec::new();
    for file in files {
        let cap = (MAX_INPUT_BYTES + 1) as f64;
        let bytes = match file.slice_with_f64_and_f64(0.0, cap) {
            Ok(blob) => match JsFuture::from(blob.array_buffer()).await {
                Ok(buf) => Uint8Array::new(&buf).to_vec(),
                Err(_) => Vec::new(),
            },
            Err(_) => Vec::new(),
        };
        out.push(Picked {
            name: file.name(),
            bytes,
        });
    }
    out
}

const HANDOVER: &str = "mtasts-reports-handover";
/// sessionStorage holds about 5 MB per origin in Chromium and Firefox; base64 takes 4/3.
pub const HANDOVER_MAX_BYTES: usize = 3 * 1024 * 1024;

fn session() -> Option<web_sys::Storage> {
    web_sys::window()?.session_storage().ok()?
}

/// Keeps the files for the next page of this tab: `name\0base64` lines.
pub fn hand_over(files: &[(String, Vec<u8>)]) -> Result<(), String> {
    let total: usize = files.iter().map(|(_, b)| b.len()).sum();
    if total > HANDOVER_MAX_BYTES {
        return Err(format!(
            "These files are {} KB together, more than the {} KB this browser can carry to the comparison page. Compare fewer files at once.",
            total / 1024,
            HANDOVER_MAX_BYTES / 1024
        ));
    }
    let engine = base64::engine::general_purpose::STANDARD;
    let text: Vec<String> = files
        .iter()
        .map(|(name, bytes)| {
            format!(
                "{}\0{}",
                name.replace(['\0', '\n'], " "),
                engine.encode(bytes)
            )
        })
        .collect();
    session()
        .ok_or("this browser keeps no session storage")?
        .set_item(HANDOVER, &text.join("\n"))
        .map_err(|_| "the browser refused to keep the files for the next page".to_string())
}

/// The files handed over by the private view, taken (so a reload does not see them twice).
pub fn take_handed_over() -> Vec<(String, Vec<u8>)> {
    let Some(storage) = session() else {
        return Vec::new();
    };
    let text = storage
        .get_item(HANDOVER)
        .ok()
        .flatten()
        .unwrap_or_default();
    let _ = storage.remove_item(HANDOVER);
    let engine = base64::engine::general_purpose::STANDARD;
    text.lines()
        .filter_map(|line| {
            let (name, b64) = line.split_once('\0')?;
            Some((name.to_string(), engine.decode(b64).ok()?))
        })
        .collect()
}

/// Forbids every connection from this document from now on: a second policy only narrows
/// the page's own, so the browser itself guarantees that the dropped files go nowhere.
pub fn forbid_connections() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(head) = document.head() else { return };
    if let Ok(meta) = document.create_element("meta") {
        let _ = meta.set_attribute("http-equiv", "Content-Security-Policy");
        let _ = meta.set_attribute("content", "connect-src 'none'; form-action 'none'");
        let _ = meta.set_attribute("id", "reports-csp");
        let _ = head.append_child(meta.unchecked_ref());
    }
}
