//! The report: a verdict a manager can read, then the four steps as they complete, what
//! senders do with each MX, and every finding with its fix. Everything from the network is
//! rendered as text, never as HTML.

mod lookup;
mod retrieval;
mod senders;
mod tls;
mod validation;

use crate::export::Export;
use crate::findings::FindingList;
use lookup::Lookup;
use mtasts_core::report::*;
use mtasts_core::Report;
use retrieval::Retrieval;
use senders::Senders;
use std::rc::Rc;
use tls::Tls;
use validation::Validation;
use yew::prelude::*;

/// What every part of the report renders from: the report, built once per change, so a
/// part re-renders exactly when its report is a new one.
#[derive(Properties)]
pub struct Part {
    pub report: Rc<Report>,
}

impl PartialEq for Part {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.report, &other.report)
    }
}

#[derive(Properties)]
pub struct ReportProps {
    pub report: Rc<Report>,
    pub unicode: Option<String>,
}

fn verdict_text(v: Option<Verdict>) -> (&'static str, &'static str) {
    match v {
        Some(Verdict::Pass) => ("Pass", "ok"),
        Some(Verdict::Warn) => ("Works, with warnings", "warn"),
        Some(Verdict::Fail) => ("Fail", "bad"),
        Some(Verdict::None) => ("MTA-STS not deployed", "none"),
        Some(Verdict::Inconclusive) => ("Inconclusive", "inconclusive"),
        None => ("Checking…", "running"),
    }
}

/// The label and style class of a step, from what the core decided.
fn step_label(s: &Step) -> (&'static str, &'static str) {
    match (s.state, s.outcome) {
        (StepProgress::Pending, _) => ("Waiting", "pending"),
        (StepProgress::Running, _) | (_, None) => ("Running", "running"),
        (_, Some(StepOutcome::Ok)) => ("OK", "ok"),
        (_, Some(StepOutcome::Warn)) => ("Warning", "warn"),
        (_, Some(StepOutcome::Fail)) => ("Failed", "failed"),
        (_, Some(StepOutcome::Skipped)) => ("Skipped", "skipped"),
        (_, Some(StepOutcome::Inconclusive)) => ("Could not check", "inconclusive"),
    }
}

#[derive(Properties)]
struct StepProps {
    number: u8,
    title: AttrValue,
    step: Step,
    children: Html,
}

#[function_component(StepItem)]
fn step_item(p: &StepProps) -> Html {
    let s = &p.step;
    let (label, class) = step_label(s);
    let duration = s
        .elapsed_ms
        .map(|ms| format!("{ms} ms"))
        .unwrap_or_default();
    let done = s.state == StepProgress::Done;
    html! {
        <li class={classes!("step", class)} data-step={s.id.as_str()} data-step-state={s.state.as_str()}
            data-outcome={s.outcome.map_or("", |o| o.as_str())}>
            <div class="step-head">
                <h3><span class="step-number">{ p.number }</span>{ p.title.clone() }</h3>
                <span class={classes!("step-state", class)}>{ label }</span>
                <span class="duration">{ duration }</span>
            </div>
            <p class="step-summary">{ &s.summary }</p>
            if done && s.outcome != Some(StepOutcome::Skipped) {
                <div class="step-body">{ p.children.clone() }</div>
            }
        </li>
    }
}

fn titled(id: StepId) -> (u8, &'static str) {
    match id {
        StepId::Lookup => (1, "Lookup"),
        StepId::Retrieval => (2, "Retrieval"),
        StepId::Validation => (3, "Validation"),
        StepId::Tls => (4, "TLS"),
    }
}

#[function_component(ReportView)]
pub fn report_view(p: &ReportProps) -> Html {
    let r = &*p.report;
    let (verdict, class) = verdict_text(r.verdict);
    let state = if r.complete { "done" } else { "running" };
    let verdict_attr = r.verdict.map(|v| v.as_str()).unwrap_or("");
    let domain_label = match &p.unicode {
        Some(u) => format!("{u} ({})", r.domain),
        None => r.domain.clone(),
    };
    html! {
        <section id="report" class="report" data-state={state} data-verdict={verdict_attr} aria-labelledby="report-title">
            <div class={classes!("verdict-banner", class)} role="status" aria-live="polite">
                <h2 id="report-title">
                    <span class="verdict-domain">{ domain_label }</span>
                    <span class="verdict-label">{ verdict }</span>
                </h2>
                <p class="verdict-summary">{ &r.summary }</p>
            </div>
            if r.complete {
                <Export report={p.report.clone()} />
            }
            <ol class="steps">
                { for r.steps.iter().map(|s| {
                    let (number, title) = titled(s.id);
                    let report = p.report.clone();
                    let body = match s.id {
                        StepId::Lookup => html! { <Lookup report={report} /> },
                        StepId::Retrieval => html! { <Retrieval report={report} /> },
                        StepId::Validation => html! { <Validation report={report} /> },
                        StepId::Tls => html! { <Tls report={report} /> },
                    };
                    html! { <StepItem number={number} title={title} step={s.clone()}>{ body }</StepItem> }
                }) }
            </ol>
            if !r.senders.is_empty() {
                <Senders report={p.report.clone()} />
            }
            <section class="all-findings" aria-labelledby="findings-title">
                <h3 id="findings-title">{ "Findings" }</h3>
                <FindingList findings={r.findings.clone()} empty="No findings." />
            </section>
        </section>
    }
}

/// Always re-rendered: a report changes with every answer, and comparing one deeply would
/// cost more code than rendering it again.
impl PartialEq for ReportProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}

/// Always re-rendered: a report changes with every answer, and comparing one deeply would
/// cost more code than rendering it again.
impl PartialEq for StepProps {
    fn eq(&self, _: &Self) -> bool {
        false
    }
}
