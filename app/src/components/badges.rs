use crate::domain::{Severity, Status};
use leptos::prelude::*;

#[component]
pub fn SeverityBadge(severity: Severity) -> impl IntoView {
    view! {
        <span class=format!("badge sev sev-{}", severity.as_str().to_lowercase()) title=severity.meaning()>
            {severity.as_str()}
        </span>
    }
}

#[component]
pub fn StatusBadge(status: Status) -> impl IntoView {
    view! { <span class=format!("badge status status-{}", status.as_str())>{status.label()}</span> }
}

#[component]
pub fn AlertStateBadge(state: crate::domain::AlertState) -> impl IntoView {
    view! { <span class=format!("badge alert-state alert-state-{}", state.as_str())>{state.label()}</span> }
}
