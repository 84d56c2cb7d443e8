//! The state of the check on the page, as a reducer: every change (a new check, an answer,
//! a draft) is one action, the reports are built once per change, and answers of an older
//! check are dropped here, in one place.

use mtasts_core::draft::Draft;
use mtasts_core::{Answer, Check, Report, Request, RequestId};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// A check in progress or done, with its reports.
#[derive(Clone)]
pub struct Run {
    pub generation: u32,
    pub check: Check,
    /// `performance.now()` when it started: answers are timed from here.
    pub started: f64,
    /// When it started, as the report carries it (`checked_at`).
    pub checked_at: String,
    pub unicode: Option<String>,
    /// The report of what is published.
    pub report: Rc<Report>,
    /// The report of the draft, judged in place of the published policy.
    #[cfg_attr(not(feature = "workbench"), allow(dead_code))]
    pub drafted: Option<Rc<Report>>,
}

#[derive(Default)]
pub struct CheckState {
    pub run: Option<Run>,
    /// Requests made by the reducer and not yet sent: the hook's effect sends them.
    pub outbox: Rc<RefCell<Vec<(u32, Request)>>>,
    /// Counts the changes to `outbox`, so the effect runs once per batch.
    pub sent: u32,
    /// The draft, kept across checks of the same domain.
    pub draft: Option<Draft>,
}

pub enum Action {
    Start {
        generation: u32,
        domain: String,
        unicode: Option<String>,
        started: f64,
    },
    /// No check (the URL names no domain, or a bad one).
    Clear,
    Answer {
        generation: u32,
        id: RequestId,
        /// Boxed: an answer (a probe with its chain) is far larger than the other actions.
        answer: Box<Answer>,
        now: f64,
    },
    /// Judge this draft (the workbench build only).
    #[cfg_attr(not(feature = "workbench"), allow(dead_code))]
    Draft(Option<Draft>),
}

impl PartialEq for CheckState {
    fn eq(&self, other: &Self) -> bool {
        self.sent == other.sent
            && self.draft == other.draft
            && self
                .run
                .as_ref()
                .map(|r| (r.generation, Rc::as_ptr(&r.report)))
                == other
                    .run
                    .as_ref()
                    .map(|r| (r.generation, Rc::as_ptr(&r.report)))
    }
}

impl Run {
    fn published(&self) -> Report {
        let mut report = self.check.published_report();
        report.checked_at = Some(self.checked_at.clone());
        report
    }

    /// Both reports, after an answer.
    fn rebuild(&mut self, draft: Option<&Draft>) {
        self.report = Rc::new(self.published());
        self.rejudge(draft);
    }

    /// The draft's report only: the published one is the same for the same answers. Only
    /// the workbench build judges drafts: the first page carries none of that code.
    fn rejudge(&mut self, draft: Option<&Draft>) {
        #[cfg(feature = "workbench")]
        {
            self.drafted = draft.map(|d| Rc::new(self.check.draft_report(d, &self.report)));
        }
        #[cfg(not(feature = "workbench"))]
        let _ = draft;
    }
}

impl Reducible for CheckState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut run = self.run.clone();
        let mut draft = self.draft.clone();
        let mut sent = self.sent;
        match action {
            Action::Start {
                generation,
                domain,
                unicode,
                started,
            } => {
                let mut check = Check::new(&domain);
                let requests = check.poll_requests();
                let same_domain = run.as_ref().is_some_and(|r| r.check.domain() == domain);
                if !same_domain {
                    draft = None;
                }
                let mut fresh = Run {
                    generation,
                    report: Rc::new(check.published_report()),
                    check,
                    started,
                    checked_at: crate::history::now_rfc3339(),
                    unicode,
                    drafted: None,
                };
                fresh.report = Rc::new(fresh.published());
                fresh.rejudge(draft.as_ref());
                run = Some(fresh);
                self.outbox
                    .borrow_mut()
                    .extend(requests.into_iter().map(|r| (generation, r)));
                sent += 1;
            }
            Action::Clear => run = None,
            Action::Answer {
                generation,
                id,
                answer,
                now,
            } => {
                let Some(r) = run.as_mut().filter(|r| r.generation == generation) else {
                    // An answer to an older check (another domain, back, forward).
                    return self;
                };
                let elapsed = (now - r.started).max(0.0).round() as u64;
                if r.check.handle(id, *answer, elapsed).is_err() {
                    return self;
                }
                let follow_ups = r.check.poll_requests();
                if !follow_ups.is_empty() {
                    self.outbox
                        .borrow_mut()
                        .extend(follow_ups.into_iter().map(|q| (generation, q)));
                    sent += 1;
                }
                r.rebuild(draft.as_ref());
            }
            Action::Draft(d) => {
                if d == draft {
                    return self;
                }
                draft = d;
                if let Some(r) = run.as_mut() {
                    r.rejudge(draft.as_ref());
                }
            }
        }
        Rc::new(CheckState {
            run,
            outbox: self.outbox.clone(),
            sent,
            draft,
        })
    }
}
