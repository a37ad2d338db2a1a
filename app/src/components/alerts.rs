//! An alert as one line: state, severity, title (linking to the tool), deliveries, when
//! last seen, and the incident it is attached to.

use crate::{
    components::badges::{AlertStateBadge, SeverityBadge},
    model::alerts::AlertView,
};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn AlertLine(alert: AlertView) -> impl IntoView {
    view! {
        <div class="alert-line">
            <AlertStateBadge state=alert.state />
            {alert.severity.map(|severity| view! { " " <SeverityBadge severity /> })}
            " "
            {match alert.url {
                Some(url) => view! { <a class="alert-title" href=url target="_blank" rel="noopener noreferrer">{alert.title}</a> }.into_any(),
                None => view! { <span class="alert-title">{alert.title}</span> }.into_any(),
            }}
            {(alert.occurrences > 1).then(|| view! { <span class="occurrences" title="deliveries">{format!(" ×{}", alert.occurrences)}</span> })}
            <span class="hint">
                " · " {alert.source} {(!alert.service.is_empty()).then(|| format!(" · {}", alert.service))}
                " · last " <time datetime=alert.last_seen.iso>{alert.last_seen.text}</time>
            </span>
            {alert.incident.map(|n| view! {
                " " <A href=format!("/incidents/{n}") attr:class="attached">{format!("→ #{n}")}</A>
            })}
        </div>
    }
    .into_any()
}
