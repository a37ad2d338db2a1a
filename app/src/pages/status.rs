//! The read-only status view for executives, product leaders and marketing: what is
//! broken right now, how badly, since when.

use crate::{
    api::incidents::status_view,
    components::{
        actions::OpenActions,
        badges::{SeverityBadge, StatusBadge},
        email::delivery,
        live::{debounced_bump, LiveBadge, LiveLink, LiveMessage, QUIET},
        postmortems::DuePostmortems,
        resource::resource,
    },
    domain::Severity,
    model::incidents::{StatusIncident, RESOLVED_DAYS},
    model::live::LiveChange,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn StatusPage() -> impl IntoView {
    let version = RwSignal::new(0u64);
    let view_data = resource(move || version.get(), |_| status_view());
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
                            let headline = headline(&read.current.iter().map(|i| i.incident.severity).collect::<Vec<_>>());
                            let quiet = read.current.is_empty();
                            view! {
                                <h1>"Status " <LiveBadge link /></h1>
                                <p class=if quiet { "status-headline quiet" } else { "status-headline" } id="status-headline">
                                    {headline}
                                </p>
                                {(!quiet).then(|| view! {
                                    <div class="status-cards" id="status-incidents">
                                        {read.current.into_iter().map(|i| view! { <Current incident=i /> }).collect_view()}
                                    </div>
                                })}
                                <DuePostmortems incidents=read.resolved.iter().map(|r| r.incident.clone()).collect() />
                                <OpenActions counts=read.actions />
                                <h2>{format!("Resolved in the last {RESOLVED_DAYS} days")}</h2>
                                {if read.resolved.is_empty() {
                                    view! { <p class="hint" id="status-resolved">"None."</p> }.into_any()
                                } else {
                                    view! { <Resolved rows=read.resolved /> }.into_any()
                                }}
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

/// A current incident, as a card: everything a viewer needs, nothing to explain.
#[component]
fn Current(incident: StatusIncident) -> impl IntoView {
    let StatusIncident {
        incident: i,
        leader,
        duration,
        impact,
        latest_email,
    } = incident;
    let number = i.number;
    let title = i.title.clone();
    let counts = format!("{} orgs, {} apps", i.customers.orgs, i.customers.apps);
    view! {
        <article class="status-card" data-number=number>
            <h2>
                <SeverityBadge severity=i.severity /> " " <StatusBadge status=i.status /> " "
                <A href=format!("/incidents/{number}")>{title}</A>
            </h2>
            <p class="impact">{impact}</p>
            <dl class="facts">
                <dt>"Services"</dt><dd>{i.services.join(", ")}</dd>
                <dt>"Ongoing for"</dt><dd class="duration">{duration}{format!(" (since {})", i.started.text)}</dd>
                <dt>"Affected customers"</dt>
                <dd><A href=format!("/incidents/{number}/customers")>{counts}</A></dd>
                <dt>"Incident Leader"</dt>
                <dd>{leader.map(|l| format!("@{l}")).unwrap_or_else(|| "Nobody yet".into())}</dd>
                <dt>"Latest communication"</dt>
                <dd class="communication">
                    {match latest_email {
                        Some(e) => {
                            let subject = e.subject.clone();
                            view! {
                                <A href=format!("/emails/{}", e.id)>{subject}</A>
                                <span class="hint">{format!(" · {} · {}", e.queued.text, delivery(&e))}</span>
                            }.into_any()
                        }
                        None => view! { <span class="hint">"No email yet."</span> }.into_any(),
                    }}
                </dd>
            </dl>
        </article>
    }
    .into_any()
}

/// Incidents resolved lately: how long each lasted and what was said.
#[component]
fn Resolved(rows: Vec<StatusIncident>) -> impl IntoView {
    view! {
        <table class="incidents" id="status-resolved">
            <thead>
                <tr><th>"#"</th><th>"Severity"</th><th>"Title"</th><th>"Lasted"</th><th>"Resolved"</th><th>"Latest communication"</th><th>"Postmortem"</th></tr>
            </thead>
            <tbody>
                {rows.into_iter().map(|r| {
                    let number = r.incident.number;
                    let title = r.incident.title.clone();
                    let resolved = r.incident.resolved.as_ref().map(|s| s.text.clone()).unwrap_or_default();
                    let email = r.latest_email.map(|e| {
                        let subject = e.subject.clone();
                        view! { <A href=format!("/emails/{}", e.id)>{subject}</A> }
                    });
                    let postmortem = match r.incident.postmortem {
                        Some(crate::domain::PostmortemStatus::Published) => view! {
                            <A href=format!("/incidents/{number}/postmortem") attr:class="read-postmortem">"Read the postmortem"</A>
                        }.into_any(),
                        Some(s) => view! { <span class="hint">{s.label()}</span> }.into_any(),
                        None => view! { <span class="hint">"Not started"</span> }.into_any(),
                    };
                    view! {
                        <tr data-number=number>
                            <td class="number">{format!("#{number}")}</td>
                            <td><SeverityBadge severity=r.incident.severity /></td>
                            <td class="title"><A href=format!("/incidents/{number}")>{title}</A></td>
                            <td>{r.duration.clone()}</td>
                            <td>{resolved}</td>
                            <td>{email}</td>
                            <td>{postmortem}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
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
