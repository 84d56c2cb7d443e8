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
    let bytes = deflate(bytes).await?;
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The bytes of base64url `text` inflated, at most `max` of them; `None` when `text` is
/// not base64url or does not inflate, `Some` of `max + 1` bytes when it inflates to more.
#[cfg_attr(not(feature = "snapshot"), allow(dead_code))]
pub async fn decode_bytes(text: &str, max: usize) -> Option<Vec<u8>> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .ok()?;
    inflate(&bytes, max).await
}

/// The text of a `?draft=` parameter, or why it cannot be read.
#[cfg(feature = "workbench")]
pub async fn decode(param: &str) -> Result<String, &'static str> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(param.trim_end_matches('='))
        .map_err(|_| "The draft in this link is damaged (not base64url); it was not loaded.")?;
    let text = inflate(&bytes, MAX_INFLATED)
        .await
        .ok_or("The draft in this link is damaged (it does not inflate); it was not loaded.")?;
    if text.len() > MAX_INFLATED {
        return Err(
            "The draft in this link is larger than a policy can be (64 KiB); it was not loaded.",
        );
    }
    String::from_utf8(text).map_err(|_| "The draft in this link is not text; it was not loaded.")
}

/// `bytes` through the browser's `deflate-raw` compression stream.
async fn deflate(bytes: &[u8]) -> Option<Vec<u8>> {
    let s = CompressionStream::new("deflate-raw").ok()?;
    let pair = ReadableWritablePair::new(&s.readable(), &s.writable());
    let stream = blob_of(bytes)?.stream().pipe_through(&pair);
    let response = Response::new_with_opt_readable_stream(Some(&stream)).ok()?;
    let buffer: JsValue = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    let buffer = buffer.dyn_into::<js_sys::ArrayBuffer>().ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// `bytes` inflated, read chunk by chunk: a link is untrusted input, and a small one can
/// inflate to gigabytes, so reading stops (and the stream is cancelled) past `max` bytes,
/// which come back as `max + 1` zeros. `None` when the data does not inflate.
#[cfg_attr(
    not(any(feature = "workbench", feature = "snapshot")),
    allow(dead_code)
)]
async fn inflate(bytes: &[u8], max: usize) -> Option<Vec<u8>> {
    let s = DecompressionStream::new("deflate-raw").ok()?;
    let pair = ReadableWritablePair::new(&s.readable(), &s.writable());
    let stream = blob_of(bytes)?.stream().pipe_through(&pair);
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut out = Vec::new();
    loop {
        let step = JsFuture::from(reader.read()).await.ok()?;
        let done = js_sys::Reflect::get(&step, &"done".into()).ok()?;
        if done.as_bool() != Some(false) {
            return Some(out);
        }
        let chunk: js_sys::Uint8Array = js_sys::Reflect::get(&step, &"value".into())
            .ok()?
            .dyn_into()
            .ok()?;
        if out.len() + chunk.length() as usize > max {
            let _ = reader.cancel();
            return Some(vec![0; max + 1]);
        }
        out.extend(chunk.to_vec());
    }
}

fn blob_of(bytes: &[u8]) -> Option<Blob> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).ok()
}
