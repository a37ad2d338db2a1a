//! Open and overdue corrective actions, as the dashboard and the status view count
//! them, linking to the tracker.

use crate::{api::actions::read_action_counts, model::actions::TRACKER_PATH};
use leptos::prelude::*;
use leptos_router::components::A;

/// Read again whenever `version` moves (the page's own live-stream bump).
#[component]
pub fn ActionCounts(version: RwSignal<u64>) -> impl IntoView {
    let counts = Resource::new(move || version.get(), |_| read_action_counts());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                counts.await.ok().filter(|c| c.open > 0).map(|c| view! {
                    <p class="action-counts" id="action-counts">
                        <A href=TRACKER_PATH>{format!("{} open corrective action{}", c.open, if c.open == 1 { "" } else { "s" })}</A>
                        {(c.overdue > 0).then(|| view! {
                            " · " <A href=TRACKER_PATH attr:class="due due-overdue">{format!("{} overdue", c.overdue)}</A>
                        })}
                    </p>
                })
            })}
        </Transition>
    }
}
