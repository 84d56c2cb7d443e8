//! Text in links: deflated by the browser's own `CompressionStream` (no compression code in
//! the wasm) and base64url-encoded. A draft policy fits in a `?draft=` parameter, a finished
//! report in a snapshot link's fragment (`crate::snapshot`).

use base64::Engine as _;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ReadableStream, ReadableWritablePair, Response, WritableStream};

// The streams of the Compression Streams standard, declared here: web-sys has them only
// behind its unstable-API flag.
#[wasm_bindgen]
extern "C" {
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &CompressionStream) -> ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &CompressionStream) -> WritableStream;

    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &DecompressionStream) -> ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &DecompressionStream) -> WritableStream;
}

/// The longest draft a link may carry once inflated: what senders read of a policy.
#[cfg(feature = "workbench")]
const MAX_INFLATED: usize = mtasts_core::policy::MAX_POLICY_BYTES;

/// `text`, deflated and base64url-encoded.
#[cfg_attr(not(feature = "workbench"), allow(dead_code))]
pub async fn encode(text: &str) -> Option<String> {
    encode_bytes(text.as_bytes()).await
}

/// `bytes`, deflated and base64url-encoded.
pub async fn encode_bytes(bytes: &[u8]) -> Option<String> {
    let bytes = through(bytes, true, 0).await?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The bytes of base64url `text` inflated, at most `max` of them; `None` when `text` is
/// not base64url or does not inflate, `Some` of `max + 1` bytes when it inflates to more.
#[cfg_attr(not(feature = "snapshot"), allow(dead_code))]
pub async fn decode_bytes(text: &str, max: usize) -> Option<Vec<u8>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()?;
    through(&bytes, false, max).await
}

/// The text of a `?draft=` parameter, or why it cannot be read.
#[cfg(feature = "workbench")]
pub async fn decode(param: &str) -> Result<String, &'static str> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(param.trim_end_matches('='))
        .map_err(|_| "The draft in this link is damaged (not base64url); it was not loaded.")?;
    let text = through(&bytes, false, MAX_INFLATED)
        .await
        .ok_or("The draft in this link is damaged (it does not inflate); it was not loaded.")?;
    if text.len() > MAX_INFLATED {
        return Err(
            "The draft in this link is larger than a policy can be (64 KiB); it was not loaded.",
        );
    }
    String::from_utf8(text).map_err(|_| "The draft in this link is not text; it was not loaded.")
}

/// Runs `bytes` through a (de)compression stream of the browser; what inflates to more than
/// `max` bytes comes back as `max + 1` zeros.
async fn through(bytes: &[u8], compress: bool, max: usize) -> Option<Vec<u8>> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = Blob::new_with_u8_array_sequence(&parts).ok()?;
    let (readable, writable) = if compress {
        let s = CompressionStream::new("deflate-raw").ok()?;
        (s.readable(), s.writable())
    } else {
        let s = DecompressionStream::new("deflate-raw").ok()?;
        (s.readable(), s.writable())
    };
    let pair = ReadableWritablePair::new(&readable, &writable);
    let stream = blob.stream().pipe_through(&pair);
    let response = Response::new_with_opt_readable_stream(Some(&stream)).ok()?;
    let buffer: JsValue = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    let buffer = buffer.dyn_into::<js_sys::ArrayBuffer>().ok()?;
    // A link is untrusted input: a small parameter that inflates to megabytes stops here
    // (the browser has inflated it by then, but nothing of it is kept).
    if !compress && buffer.byte_length() as usize > max + 1 {
        return Some(vec![0; max + 1]);
    }
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}
