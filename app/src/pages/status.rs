//! The read-only status view for executives, product leaders and marketing: what is
//! broken right now, how badly, since when.

use crate::{
    api::incidents::status_view,
    components::{
        email::delivery,
        incidents::IncidentTable,
        live::{debounced_bump, LiveBadge, LiveLink, LiveMessage, QUIET},
    },
    domain::Severity,
    model::live::LiveChange,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn StatusPage() -> impl IntoView {
    let version = RwSignal::new(0u64);
    let view_data = Resource::new(move || version.get(), |_| status_view());
    let link = LiveLink::new();
    let changed = debounced_bump(version, QUIET);
    Effect::new(move |_| {
        let Some(Ok(read)) = view_data.get() else {
            return;
        };
        let changed = changed.clone();
        link.follow(read.cursor, move |message| match message {
            LiveMessage::Batch(batch) => {
                if batch
                    .changes
                    .iter()
                    .any(|c| matches!(c, LiveChange::Incident(_)))
                {
                    changed();
                }
            }
            LiveMessage::Resync => changed(),
        });
    });
    view! {
        <Title text="Status" />
        <section class="page" id="status-view">
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match view_data.await {
                        Ok(read) => {
                            let open: Vec<_> = read.incidents.into_iter().filter(|i| i.status.is_open()).collect();
                            let headline = headline(&open.iter().map(|i| i.severity).collect::<Vec<_>>());
                            let quiet = open.is_empty();
                            let communications: Vec<_> = read.communications.into_iter().filter_map(|e| {
                                open.iter().find(|i| i.number == e.incident).map(|i| (i.number, i.title.clone(), e))
                            }).collect();
                            view! {
                                <h1>"Status " <LiveBadge link /></h1>
                                <p class=if quiet { "status-headline quiet" } else { "status-headline" } id="status-headline">
                                    {headline}
                                </p>
                                {(!quiet).then(|| view! { <IncidentTable id="status-incidents" rows=open /> })}
                                {(!communications.is_empty()).then(|| view! {
                                    <h2>"Latest communication"</h2>
                                    <ul class="communications" id="status-communications">
                                        {communications.into_iter().map(|(number, title, e)| {
                                            let subject = e.subject.clone();
                                            view! {
                                            <li data-number=number>
                                                <strong>{format!("#{number} {title}: ")}</strong>
                                                <A href=format!("/emails/{}", e.id)>{subject}</A>
                                                <span class="hint">{format!(" · {} · {}", e.queued.text, delivery(&e))}</span>
                                                <p class="excerpt">{e.excerpt.clone()}</p>
                                            </li>
                                        }}).collect_view()}
                                    </ul>
                                })}
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// "2 open incidents: 1 SEV1, 1 SEV3", or that all is quiet.
fn headline(open: &[Severity]) -> String {
    if open.is_empty() {
        return "No open incidents: everything is working normally.".into();
    }
    let counts: Vec<String> = Severity::ALL
        .into_iter()
        .map(|s| (s, open.iter().filter(|o| **o == s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let noun = if open.len() == 1 {
        "incident"
    } else {
        "incidents"
    };
    format!("{} open {noun}: {}", open.len(), counts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_headline_counts_open_incidents_by_severity() {
        assert_eq!(
            headline(&[Severity::Sev3, Severity::Sev1, Severity::Sev3]),
            "3 open incidents: 1 SEV1, 2 SEV3"
        );
        assert!(headline(&[]).starts_with("No open incidents"));
    }
}
