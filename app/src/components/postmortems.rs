//! Postmortems that are overdue or due soon, as the dashboard and the status view flag
//! them (from the incidents they already list).

use crate::{domain::Urgency, model::incidents::IncidentSummary};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn DuePostmortems(incidents: Vec<IncidentSummary>) -> impl IntoView {
    let mut due: Vec<_> = incidents
        .into_iter()
        .filter_map(|i| {
            let d = i.postmortem_due.clone()?;
            (d.urgency != Urgency::OnTime).then_some((i, d))
        })
        .collect();
    due.sort_by(|a, b| a.1.at.iso.cmp(&b.1.at.iso));
    (!due.is_empty()).then(|| {
        view! {
            <section class="due-postmortems" id="due-postmortems" aria-label="Postmortems due">
                <h2>"Postmortems due"</h2>
                <ul>
                    {due.into_iter().map(|(i, d)| {
                        let number = i.number;
                        let state = i.postmortem.map_or("Not started", |s| s.label());
                        view! {
                            <li data-number=number>
                                <A href=format!("/incidents/{number}/postmortem")>{format!("#{number} {}", i.title)}</A>
                                " · " {state} " · "
                                <span class=format!("due due-{}", d.urgency.as_str()) title=d.at.text>{d.words}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}
