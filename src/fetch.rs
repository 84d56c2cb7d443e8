//! GET requests through the browser's own `fetch`, with `AbortSignal.timeout` as the clock.
//! The browser already has everything a small HTTP client needs; gloo-net and a timer
//! future on top of it cost the page several kilobytes of wasm.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortSignal, Headers, RequestInit, RequestRedirect, Response, Url};

/// What came back: enough for DoH, the companion and the page's own policy fetch.
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text; the companion and policy hosts send UTF-8.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub enum Failure {
    /// No answer, body included, within the time allowed.
    Timeout,
    /// The browser's reason, in its words.
    Network(String),
}

/// One GET.
pub struct Get<'a> {
    pub url: &'a str,
    /// Appended with the URL parser, which encodes them (and adds no stray `&`).
    pub params: &'a [(&'a str, &'a str)],
    pub accept: Option<&'a str>,
    /// Redirects are answered as an opaque response (status 0) instead of followed.
    pub manual_redirect: bool,
    pub timeout_ms: u32,
}

impl Get<'_> {
    pub async fn send(&self) -> Result<Reply, Failure> {
        let window = web_sys::window().ok_or_else(|| network("no window"))?;
        // Relative URLs (the companion on the page's own origin) resolve against the page.
        let base = window.location().href().map_err(reason)?;
        let url = Url::new_with_base(self.url, &base).map_err(reason)?;
        for (name, value) in self.params {
            url.search_params().append(name, value);
        }
        let init = RequestInit::new();
        init.set_method("GET");
        if let Some(accept) = self.accept {
            let headers = Headers::new().map_err(reason)?;
            headers.set("accept", accept).map_err(reason)?;
            init.set_headers(&headers);
        }
        if self.manual_redirect {
            init.set_redirect(RequestRedirect::Manual);
        }
        // The signal also ends reading the body: a server that drips bytes times out.
        init.set_signal(Some(&AbortSignal::timeout_with_u32(self.timeout_ms)));
        let response: Response = JsFuture::from(window.fetch_with_str_and_init(&url.href(), &init))
            .await
            .map_err(failure)?
            .unchecked_into();
        let buffer = JsFuture::from(response.array_buffer().map_err(reason)?)
            .await
            .map_err(failure)?;
        Ok(Reply {
            status: response.status(),
            content_type: response.headers().get("content-type").ok().flatten(),
            body: js_sys::Uint8Array::new(&buffer).to_vec(),
        })
    }
}

fn network(text: &str) -> Failure {
    Failure::Network(text.to_string())
}

fn failure(error: JsValue) -> Failure {
    if field(&error, "name").as_deref() == Some("TimeoutError") {
        Failure::Timeout
    } else {
        reason(error)
    }
}

fn reason(error: JsValue) -> Failure {
    Failure::Network(field(&error, "message").unwrap_or_else(|| "the request failed".into()))
}

fn field(error: &JsValue, name: &str) -> Option<String> {
    js_sys::Reflect::get(error, &name.into()).ok()?.as_string()
}
