//! `use_check`: the check of the URL's domain as a hook over [`crate::model`]. It starts a
//! check whenever the domain or the servers change and sends every request the reducer
//! queues; the reducer decides what an answer means.

use crate::driver::{perform, Config};
use crate::model::{Action, CheckState};
use mtasts_core::input::normalize_domain;
use yew::prelude::*;

pub fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The check of `domain` (already normalized, A-labels) with `config`; `None` clears it.
#[hook]
pub fn use_check(domain: Option<String>, config: Config) -> UseReducerHandle<CheckState> {
    let state = use_reducer(CheckState::default);
    let generation = use_mut_ref(|| 0u32);
    {
        let (state, generation) = (state.clone(), generation.clone());
        use_effect_with((domain, config.clone()), move |(domain, _)| {
            *generation.borrow_mut() += 1;
            match domain.as_deref().map(normalize_domain) {
                Some(Ok(d)) => state.dispatch(Action::Start {
                    generation: *generation.borrow(),
                    domain: d.ascii,
                    unicode: d.unicode,
                    started: now(),
                }),
                _ => state.dispatch(Action::Clear),
            }
            || ()
        });
    }
    {
        let dispatcher = state.dispatcher();
        let outbox = state.outbox.clone();
        use_effect_with(state.sent, move |_| {
            for (generation, request) in outbox.borrow_mut().drain(..) {
                let (config, dispatcher) = (config.clone(), dispatcher.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let id = request.id();
                    let answer = perform(&config, request).await;
                    dispatcher.dispatch(Action::Answer {
                        generation,
                        id,
                        answer: Box::new(answer),
                        now: now(),
                    });
                });
            }
            || ()
        });
    }
    state
}
