//! Sessions per day as an SVG bar chart: one bar per day, its height the day's sessions, the
//! failed part in red on top. The table beside it carries the exact numbers.

use mtasts_core::aggregate::Counts;
use std::collections::BTreeMap;
use yew::prelude::*;

const HEIGHT: f64 = 120.0;
const BAR: f64 = 18.0;
const GAP: f64 = 6.0;

pub fn by_day(days: &BTreeMap<String, Counts>) -> Html {
    let most = days
        .values()
        .map(|c| c.successful.saturating_add(c.failed))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let width = (days.len() as f64 * (BAR + GAP)).max(BAR + GAP);
    let bars = days.iter().enumerate().map(|(i, (day, c))| {
        let x = i as f64 * (BAR + GAP);
        let total = c.successful.saturating_add(c.failed) as f64;
        let h_total = total / most * HEIGHT;
        // A few failed sessions among thousands would vanish; they stay visible.
        let h_failed = if c.failed > 0 {
            (c.failed as f64 / most * HEIGHT).max(3.0).min(h_total.max(3.0))
        } else {
            0.0
        };
        let h_ok = (h_total - h_failed).max(0.0);
        let label = format!("{day}: {} successful, {} failed", c.successful, c.failed);
        html! {
            <g class="day">
                <title>{ label }</title>
                <rect class="ok" x={x.to_string()} y={(HEIGHT - h_ok).to_string()} width={BAR.to_string()} height={h_ok.to_string()} />
                <rect class="failed" x={x.to_string()} y={(HEIGHT - h_ok - h_failed).to_string()} width={BAR.to_string()} height={h_failed.to_string()} />
                <text x={(x + BAR / 2.0).to_string()} y={(HEIGHT + 14.0).to_string()} text-anchor="middle">{ day.get(8..10).unwrap_or(day) }</text>
            </g>
        }
    });
    html! {
        <figure class="day-chart">
            <svg viewBox={format!("0 0 {width} {}", HEIGHT + 18.0)} role="img" aria-label="Successful and failed sessions per day">
                { for bars }
            </svg>
            <figcaption>
                <span class="key ok">{ "successful" }</span>
                <span class="key failed">{ "failed" }</span>
                { " sessions per UTC day (day of the month below each bar)" }
            </figcaption>
        </figure>
    }
}
