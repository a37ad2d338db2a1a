//! Postmortems that are overdue or due soon, as the dashboard and the status view flag
//! them.

use crate::{domain::Urgency, model::postmortems::PostmortemDue};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn DuePostmortems(rows: Vec<PostmortemDue>) -> impl IntoView {
    (!rows.is_empty()).then(|| {
        view! {
            <section class="due-postmortems" id="due-postmortems" aria-label="Postmortems due">
                <h2>"Postmortems due"</h2>
                <ul>
                    {rows.into_iter().map(|d| {
                        let number = d.number;
                        let state = match d.status {
                            Some(s) => s.label(),
                            None => "Not started",
                        };
                        let class = match d.due.urgency {
                            Urgency::Overdue => "due due-overdue",
                            _ => "due due-due-soon",
                        };
                        view! {
                            <li data-number=number>
                                <A href=format!("/incidents/{number}/postmortem")>{format!("#{number} {}", d.title)}</A>
                                " · " {state} " · "
                                <span class=class title=d.due.at.text.clone()>{d.due.words}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        }
    })
}
