//! An incident: its facts and controls, its channel (the official record, with a
//! message box), its postmortem discussion, and its alerts, all kept live.

mod discussion;
mod timeline;

use crate::{
    api::{
        channel::{ChallengePost, EditPost, PostDiscussion, PostMessage},
        incidents::{get_incident, ChangeSeverity, ChangeStatus, LeadIncident},
    },
    components::{
        alerts::AlertLine,
        badges::{SeverityBadge, StatusBadge},
        email::{TeamEditor, Thread},
        form::{action_error, FieldMessage, FormMessage, PostForm},
        incidents::incident_number,
        layout::{can, user, Missing},
        live::{debounced_bump, touches_incident, LiveBadge, LiveLink, LiveMessage, QUIET},
        resource::resource,
    },
    domain::{AppError, Permission, Severity, Status},
    model::incidents::IncidentDetail,
};
use discussion::Discussion;
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::components::A;
use timeline::{MessageBox, Timeline};

#[component]
pub fn IncidentPage() -> impl IntoView {
    let number = incident_number();
    let incident = resource(number, |number| async move {
        match number {
            Some(number) => get_incident(number).await,
            None => Err(AppError::NotFound("That incident".into())),
        }
    });
    let user = user();
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading incident…"</p> }>
            {move || Suspend::new(async move {
                let _ = user.await;
                match incident.await {
                    Ok(detail) => view! { <Incident detail /> }.into_any(),
                    Err(AppError::NotFound(what)) => view! { <Missing what /> }.into_any(),
                    Err(e) => view! { <p class="form-error page">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// What the incident's forms change; every change reads the incident again.
#[derive(Clone, Copy)]
pub(super) struct Actions {
    pub(super) status: ServerAction<ChangeStatus>,
    pub(super) severity: ServerAction<ChangeSeverity>,
    pub(super) lead: ServerAction<LeadIncident>,
    pub(super) message: ServerAction<PostMessage>,
    pub(super) discuss: ServerAction<PostDiscussion>,
    pub(super) challenge: ServerAction<ChallengePost>,
    pub(super) edit: ServerAction<EditPost>,
}

/// The page after its first read: the incident lives in a signal that changes (yours
/// or anyone's, through the live stream) refresh in place, so a half-written message
/// is never lost to someone else's.
#[component]
fn Incident(detail: IncidentDetail) -> impl IntoView {
    let number = detail.number;
    let cursor = detail.cursor;
    let incident = RwSignal::new(detail);
    let version = RwSignal::new(0u64);
    let actions = Actions {
        status: ServerAction::new(),
        severity: ServerAction::new(),
        lead: ServerAction::new(),
        message: ServerAction::new(),
        discuss: ServerAction::new(),
        challenge: ServerAction::new(),
        edit: ServerAction::new(),
    };
    // Read again whenever `version` moves: after our own changes, and (debounced)
    // whenever the stream says this incident changed.
    Effect::new(move |previous: Option<()>| {
        version.track();
        if previous.is_some() {
            spawn_local(async move {
                if let Ok(fresh) = get_incident(number).await {
                    incident.set(fresh);
                }
            });
        }
    });
    let bump = move || version.update(|v| *v += 1);
    Effect::new(move |previous: Option<()>| {
        actions.status.version().track();
        actions.severity.version().track();
        actions.lead.version().track();
        actions.message.version().track();
        actions.discuss.version().track();
        actions.challenge.version().track();
        actions.edit.version().track();
        if previous.is_some() {
            bump();
        }
    });
    let link = LiveLink::new();
    let changed = debounced_bump(version, QUIET);
    Effect::new(move |_| {
        let changed = changed.clone();
        link.follow(cursor, move |message| match message {
            LiveMessage::Batch(batch) if touches_incident(&batch, number) => changed(),
            LiveMessage::Batch(_) => {}
            LiveMessage::Resync => bump(),
        });
    });

    let read = move |f: fn(&IncidentDetail) -> String| move || incident.with(f);
    view! {
        <Title text=move || incident.with(|d| format!("#{} {}", d.number, d.title)) />
        <article class="page incident" data-number=number>
            <header class="incident-head">
                <p class="number">
                    {format!("Incident #{number}")} " " <LiveBadge link />
                </p>
                <h1>{read(|d| d.title.clone())}</h1>
                <p class="badges">
                    {move || view! { <SeverityBadge severity=incident.with(|d| d.severity) /> }}
                    " "
                    {move || view! { <StatusBadge status=incident.with(|d| d.status) /> }}
                </p>
            </header>
            <Facts incident />
            <Controls incident actions />
            <CompanyEmail incident />
            <PostmortemLink incident />
            <Alerts incident />
            <div class="incident-body">
                <section class="channel" aria-label="Incident channel">
                    <Timeline incident actions />
                    <MessageBox number action=actions.message />
                </section>
                <Discussion incident actions />
            </div>
        </article>
    }
    .into_any()
}

#[component]
fn Facts(incident: RwSignal<IncidentDetail>) -> impl IntoView {
    move || {
        incident.with(|d| {
            let number = d.number;
            view! {
                <dl class="facts">
                    <dt>"Services"</dt>
                    <dd class="services">{d.services.join(", ")}</dd>
                    <dt>"Started"</dt>
                    <dd><time datetime=d.started.iso.clone()>{d.started.text.clone()}</time></dd>
                    <dt>"Declared"</dt>
                    <dd><time datetime=d.detected.iso.clone()>{d.detected.text.clone()}</time> " by @" {d.declared_by.clone()}</dd>
                    <dt>"Resolved"</dt>
                    <dd>{match &d.resolved {
                        Some(at) => view! { <time datetime=at.iso.clone()>{at.text.clone()}</time> }.into_any(),
                        None => view! { <span class="ongoing">"Ongoing"</span> }.into_any(),
                    }}</dd>
                    <dt>"Incident Leader"</dt>
                    <dd class="leader">{d.leader.as_ref().map(|l| format!("@{l}")).unwrap_or_else(|| "Nobody yet".into())}</dd>
                    <dt>"Affected customers"</dt>
                    <dd>
                        <A href=format!("/incidents/{number}/customers") attr:id="customers-link">
                            {format!("{} rows · {} orgs · {} apps", d.customers.rows, d.customers.orgs, d.customers.apps)}
                        </A>
                    </dd>
                </dl>
                {(!d.summary.is_empty()).then(|| view! { <p class="summary">{d.summary.clone()}</p> })}
            }
        })
    }
}

#[component]
fn Controls(incident: RwSignal<IncidentDetail>, actions: Actions) -> impl IntoView {
    let responder = can(Permission::Respond);
    let status_error = action_error(actions.status);
    let severity_error = action_error(actions.severity);
    let number = incident.with_untracked(|d| d.number);
    view! {
        <Show when=move || responder.get()>
            <section class="controls" aria-label="Change the incident">
                <PostForm
                    action=actions.status
                    read=move |f| Some(ChangeStatus { number, status: f.text("status") })
                    attr:class="inline-form"
                    attr:id="status-form"
                >
                    <input type="hidden" name="number" value=number />
                    <label>
                        "Status "
                        <select name="status">
                            {move || choices(&Status::ALL, incident.with(|d| d.status), Status::label)}
                        </select>
                    </label>
                    <button type="submit" class="button">"Update status"</button>
                    <FieldMessage error=status_error field="status" />
                    <FormMessage error=status_error />
                </PostForm>
                <PostForm
                    action=actions.severity
                    read=move |f| Some(ChangeSeverity { number, severity: f.text("severity") })
                    attr:class="inline-form"
                    attr:id="severity-form"
                >
                    <input type="hidden" name="number" value=number />
                    <label>
                        "Severity "
                        <select name="severity">
                            {move || choices(&Severity::ALL, incident.with(|d| d.severity), Severity::as_str)}
                        </select>
                    </label>
                    <button type="submit" class="button">"Change severity"</button>
                    <FieldMessage error=severity_error field="severity" />
                    <FormMessage error=severity_error />
                </PostForm>
            </section>
        </Show>
    }
    .into_any()
}

/// The issue team and the company email thread, with the way to write the next one.
#[component]
fn CompanyEmail(incident: RwSignal<IncidentDetail>) -> impl IntoView {
    let responder = can(Permission::Respond);
    let number = incident.with_untracked(|d| d.number);
    view! {
        <section class="company-email" aria-label="Company email">
            <h2>"Company email"</h2>
            // Keyed on the members, so someone else's change re-renders it and an open
            // picker stays open through one's own.
            {move || {
                let team = incident.with(|d| d.team.clone());
                view! { <TeamEditor number team editable=responder.get() /> }
            }}
            {move || {
                let thread = incident.with(|d| d.thread.clone());
                if thread.is_empty() {
                    view! { <p class="hint" id="email-thread">"No email sent yet."</p> }.into_any()
                } else {
                    view! { <Thread thread /> }.into_any()
                }
            }}
            <Show when=move || responder.get()>
                <A href=format!("/incidents/{number}/email") attr:class="button" attr:id="compose-email">
                    {move || if incident.with(|d| d.thread.is_empty()) { "Email the company" } else { "Send an update" }}
                </A>
            </Show>
        </section>
    }
    .into_any()
}

/// Where the blameless postmortem stands, and the way to it.
#[component]
fn PostmortemLink(incident: RwSignal<IncidentDetail>) -> impl IntoView {
    let number = incident.with_untracked(|d| d.number);
    let responder = can(Permission::Respond);
    let status = move || incident.with(|d| d.postmortem);
    view! {
        <section class="incident-postmortem" aria-label="Postmortem">
            <h2>"Postmortem"</h2>
            {move || match status() {
                Some(s) => view! {
                    <p>
                        <span class=format!("badge pm-{}", s.as_str())>{s.label()}</span>" "
                        <A href=format!("/incidents/{number}/postmortem") attr:id="open-postmortem">"Open the postmortem"</A>
                    </p>
                }.into_any(),
                None if responder.get() => view! {
                    <A href=format!("/incidents/{number}/postmortem") attr:class="button" attr:id="open-postmortem">"Start postmortem"</A>
                }.into_any(),
                None => view! { <p class="hint">"No postmortem yet."</p> }.into_any(),
            }}
        </section>
    }
    .into_any()
}

/// The alerts attached to the incident.
#[component]
fn Alerts(incident: RwSignal<IncidentDetail>) -> impl IntoView {
    let count = move || incident.with(|d| d.alert_count);
    view! {
        <Show when=move || count() != 0>
            <details class="incident-alerts" id="incident-alerts">
                <summary>{move || format!("Alerts ({})", count())}</summary>
                <ul class="alerts">
                    <For
                        each=move || incident.with(|d| d.alerts.clone())
                        key=|a| (a.id, a.occurrences, a.state)
                        children=|a| {
                            let class = format!("alert alert-{}", a.state.as_str());
                            view! { <li class=class><AlertLine alert=a /></li> }
                        }
                    />
                </ul>
                <Show when=move || incident.with(|d| d.alert_count > d.alerts.len() as u64)>
                    <p class="hint">{move || incident.with(|d| format!("The latest {} are shown.", d.alerts.len()))}</p>
                </Show>
            </details>
        </Show>
    }
    .into_any()
}

/// A select's options: every value (sent as its `as_str`), the current one selected.
fn choices<T: Copy + PartialEq + std::fmt::Display>(
    all: &[T],
    current: T,
    label: fn(T) -> &'static str,
) -> impl IntoView {
    all.iter()
        .map(|&value| {
            let selected = value == current;
            view! { <option value=value.to_string() selected=selected>{label(value)}</option> }
        })
        .collect_view()
}
