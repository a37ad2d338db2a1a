//! Open and overdue corrective actions, as the dashboard and the status view count
//! them (from the read each page already makes), linking to the tracker.

use crate::model::actions::{ActionCounts, TRACKER_PATH};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn OpenActions(counts: ActionCounts) -> impl IntoView {
    let ActionCounts { open, overdue } = counts;
    (open > 0).then(|| {
        view! {
            <p class="action-counts" id="action-counts">
                <A href=TRACKER_PATH>{format!("{open} open corrective action{}", if open == 1 { "" } else { "s" })}</A>
                {(overdue > 0).then(|| view! {
                    " · " <A href=TRACKER_PATH attr:class="due due-overdue">{format!("{overdue} overdue")}</A>
                })}
            </p>
        }
    })
}
