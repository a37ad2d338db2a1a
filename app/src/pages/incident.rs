//! An incident: its facts and controls, its channel (the official record, with a
//! message box), its postmortem discussion, and its alerts, all kept live.

use crate::{
    api::{
        channel::{post_history, ChallengePost, EditPost, PostDiscussion, PostMessage},
        incidents::{get_incident, ChangeSeverity, ChangeStatus, LeadIncident},
    },
    components::{
        alerts::AlertLine,
        badges::{SeverityBadge, StatusBadge},
        form::{action_error, FieldMessage, FormMessage},
        incidents::incident_number,
        layout::{can, my_id, user, Missing},
        live::{debounced_bump, touches_incident, LiveBadge, LiveLink, LiveMessage, QUIET},
    },
    domain::{AppError, EventKind, Permission, Severity, Status, MAX_MESSAGE_LEN},
    model::{
        channel::Revision,
        incidents::{IncidentDetail, TimelineEntry},
    },
};
use leptos::{prelude::*, server_fn::ServerFn, task::spawn_local};
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn IncidentPage() -> impl IntoView {
    let number = incident_number();
    let incident = Resource::new(number, |number| async move {
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
struct Actions {
    status: ServerAction<ChangeStatus>,
    severity: ServerAction<ChangeSeverity>,
    lead: ServerAction<LeadIncident>,
    message: ServerAction<PostMessage>,
    discuss: ServerAction<PostDiscussion>,
    challenge: ServerAction<ChallengePost>,
    edit: ServerAction<EditPost>,
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
                <ActionForm action=actions.status attr:class="inline-form" attr:id="status-form">
                    <input type="hidden" name="number" value=number />
                    <label>
                        "Status "
                        <select name="status">
                            {move || {
                                let status = incident.with(|d| d.status);
                                Status::ALL.into_iter().map(|s| view! {
                                    <option value=s.as_str() selected=s == status>{s.label()}</option>
                                }).collect_view()
                            }}
                        </select>
                    </label>
                    <button type="submit" class="button">"Update status"</button>
                    <FieldMessage error=status_error field="status" />
                    <FormMessage error=status_error />
                </ActionForm>
                <ActionForm action=actions.severity attr:class="inline-form" attr:id="severity-form">
                    <input type="hidden" name="number" value=number />
                    <label>
                        "Severity "
                        <select name="severity">
                            {move || {
                                let severity = incident.with(|d| d.severity);
                                Severity::ALL.into_iter().map(|s| view! {
                                    <option value=s.as_str() selected=s == severity>{s.as_str()}</option>
                                }).collect_view()
                            }}
                        </select>
                    </label>
                    <button type="submit" class="button">"Change severity"</button>
                    <FieldMessage error=severity_error field="severity" />
                    <FormMessage error=severity_error />
                </ActionForm>
            </section>
        </Show>
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

/// Which lines the timeline shows (a filter that works in the browser only).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Filter {
    Everything,
    Messages,
    Alerts,
    Status,
    Severity,
}

impl Filter {
    const ALL: [(Filter, &'static str); 5] = [
        (Filter::Everything, "Everything"),
        (Filter::Messages, "Messages"),
        (Filter::Alerts, "Alerts"),
        (Filter::Status, "Status changes"),
        (Filter::Severity, "Severity changes"),
    ];

    fn includes(self, kind: EventKind) -> bool {
        match self {
            Filter::Everything => true,
            Filter::Messages => kind == EventKind::Message,
            Filter::Alerts => matches!(kind, EventKind::AlertsAttached | EventKind::AlertsResolved),
            Filter::Status => kind == EventKind::StatusChanged,
            Filter::Severity => kind == EventKind::SeverityChanged,
        }
    }
}

/// The incident channel's record: "[date time] — @user does a thing".
#[component]
fn Timeline(incident: RwSignal<IncidentDetail>, actions: Actions) -> impl IntoView {
    let filter = RwSignal::new(Filter::Everything);
    view! {
        <section class="timeline" aria-label="Timeline">
            <header class="timeline-head">
                <h2>"Timeline"</h2>
                <div class="filters" role="group" aria-label="Show">
                    {Filter::ALL.into_iter().map(|(choice, label)| view! {
                        <button
                            type="button"
                            class="chip"
                            aria-pressed=move || (filter.get() == choice).to_string()
                            on:click=move |_| filter.set(choice)
                        >
                            {label}
                        </button>
                    }).collect_view()}
                </div>
            </header>
            <ol class="events">
                <For
                    each=move || incident.with(|d| d.timeline.clone())
                    key=|e| (e.id, e.edited.as_ref().map(|s| s.iso.clone()))
                    children=move |e| {
                        let (kind, id) = (e.kind, e.id);
                        view! {
                            <li
                                class=format!("event event-{}", kind.as_str())
                                data-event=id
                                hidden=move || !filter.get().includes(kind)
                            >
                                <Line entry=e edit=actions.edit />
                            </li>
                        }
                    }
                />
            </ol>
        </section>
    }
    .into_any()
}

/// One line: who, when, what; a post's Markdown as rendered (and sanitised) by the
/// server, with its edits.
#[component]
fn Line(entry: TimelineEntry, edit: ServerAction<EditPost>) -> impl IntoView {
    let me = my_id();
    let mine = entry.author_id;
    let editing = RwSignal::new(false);
    let author = entry.author.clone().unwrap_or_else(|| "stormwatch".into());
    let id = entry.id;
    let body = entry.body.clone();
    view! {
        <time datetime=entry.at.iso.clone()>{format!("[{}]", entry.at.text)}</time>
        " — "
        <span class="author">{format!("@{author}")}</span>
        {match entry.html.clone() {
            None => view! { " " <span class="body">{entry.body.clone()}</span> }.into_any(),
            Some(html) => view! {
                {entry.edited.clone().map(|at| view! { " " <History post=id edited=at.text /> })}
                <Show when=move || mine.is_some() && me.get() == mine && !editing.get()>
                    " " <button type="button" class="link small edit-button" on:click=move |_| editing.set(true)>"Edit"</button>
                </Show>
                <Show
                    when=move || editing.get()
                    fallback=move || view! { <div class="md body" inner_html=html.clone()></div> }
                >
                    <EditBox post=id body=body.clone() action=edit editing />
                </Show>
            }.into_any(),
        }}
    }
    .into_any()
}

/// "(edited)": a post's earlier wordings, read when asked for.
#[component]
fn History(post: i64, edited: String) -> impl IntoView {
    let revisions = RwSignal::new(None::<Result<Vec<Revision>, AppError>>);
    let open = RwSignal::new(false);
    let toggle = move |_| {
        open.update(|o| *o = !*o);
        if open.get_untracked() && revisions.get_untracked().is_none() {
            spawn_local(async move { revisions.set(Some(post_history(post).await)) });
        }
    };
    view! {
        <button type="button" class="link small edited" title=format!("edited {edited}") on:click=toggle>
            "(edited)"
        </button>
        <Show when=move || open.get()>
            <div class="history">
                {move || match revisions.get() {
                    None => view! { <p class="hint">"Loading earlier versions…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    Some(Ok(list)) => view! {
                        <ol class="revisions">
                            {list.into_iter().map(|r| view! {
                                <li>
                                    <span class="hint">
                                        {format!("Until {}{}", r.replaced.text, r.by.map(|b| format!(", by @{b}")).unwrap_or_default())}
                                    </span>
                                    <div class="md" inner_html=r.html></div>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                }}
            </div>
        </Show>
    }
    .into_any()
}

#[component]
fn EditBox(
    post: i64,
    body: String,
    action: ServerAction<EditPost>,
    editing: RwSignal<bool>,
) -> impl IntoView {
    let draft = RwSignal::new(body);
    let error = action_error(action);
    // Close once this edit is saved.
    Effect::new(move |previous: Option<()>| {
        let done = action.value().with(|v| matches!(v, Some(Ok(()))));
        if previous.is_some() && done && !action.pending().get_untracked() {
            editing.set(false);
        }
    });
    view! {
        <ActionForm action attr:class="stack edit-form">
            <input type="hidden" name="post" value=post />
            <textarea
                name="body"
                rows="3"
                maxlength=MAX_MESSAGE_LEN
                aria-label="Edit message"
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
            ></textarea>
            <FieldMessage error field="body" />
            <FieldMessage error field="post" />
            <div class="actions">
                <button type="submit" class="button small primary">"Save"</button>
                <button type="button" class="link small" on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </ActionForm>
    }
    .into_any()
}

/// A text box whose text survives the page refreshing around it and is cleared once its
/// action succeeds.
fn draft_for<S>(action: ServerAction<S>) -> RwSignal<String>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let draft = RwSignal::new(String::new());
    Effect::new(move |previous: Option<()>| {
        let succeeded = action.value().with(|v| matches!(v, Some(Ok(_))));
        if previous.is_some() && succeeded {
            draft.set(String::new());
        }
    });
    draft
}

#[component]
fn MessageBox(number: i64, action: ServerAction<PostMessage>) -> impl IntoView {
    let responder = can(Permission::Respond);
    let draft = draft_for(action);
    let error = action_error(action);
    let pending = action.pending();
    view! {
        <Show when=move || responder.get()>
            <ActionForm action attr:class="stack message-form" attr:id="message-form">
                <input type="hidden" name="number" value=number />
                <label>
                    "Message"
                    <textarea
                        name="body"
                        rows="3"
                        maxlength=MAX_MESSAGE_LEN
                        placeholder="What are you seeing, doing, deciding? Markdown works."
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <FieldMessage error field="body" />
                <FormMessage error />
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || pending.get()>"Post to the channel"</button>
                    <span class="hint">"It goes on the record for everyone, with the time."</span>
                </div>
            </ActionForm>
        </Show>
    }
    .into_any()
}

/// The postmortem discussion: hypotheses, assumptions and ideas, their challenges, and
/// who leads.
#[component]
fn Discussion(incident: RwSignal<IncidentDetail>, actions: Actions) -> impl IntoView {
    let responder = can(Permission::Respond);
    let me = my_id();
    let number = incident.with_untracked(|d| d.number);
    let lead_error = action_error(actions.lead);
    let post_error = action_error(actions.discuss);
    let draft = draft_for(actions.discuss);
    let posts = move || {
        incident.with(|d| {
            d.discussion
                .iter()
                .filter(|e| e.parent.is_none())
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    view! {
        <aside class="discussion" aria-label="Postmortem discussion" id="discussion">
            <h2>"Postmortem discussion"</h2>
            <p class="hint">"Hypothesise, challenge assumptions, collect ideas. Blameless: ask what let it happen, not who."</p>
            <div class="leader-line">
                "Incident Leader: "
                <strong class="leader">{move || incident.with(|d| d.leader.as_ref().map(|l| format!("@{l}")).unwrap_or_else(|| "nobody yet".into()))}</strong>
                <Show when=move || responder.get() && me.get().is_some() && incident.with(|d| d.leader_id) != me.get()>
                    <ActionForm action=actions.lead attr:class="inline">
                        <input type="hidden" name="number" value=number />
                        <button type="submit" class="button small primary" id="lead-button">"I'll lead"</button>
                    </ActionForm>
                </Show>
            </div>
            <FormMessage error=lead_error />
            <Show when=move || responder.get()>
                <ActionForm action=actions.discuss attr:class="stack discussion-form" attr:id="discussion-form">
                    <input type="hidden" name="number" value=number />
                    <fieldset class="kind-choice">
                        <legend>"Post a"</legend>
                        {EventKind::DISCUSSION.into_iter().map(|k| view! {
                            <label class="choice">
                                <input type="radio" name="kind" value=k.as_str() checked=k == EventKind::Hypothesis />
                                {k.label()}
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <FieldMessage error=post_error field="kind" />
                    <textarea
                        name="body"
                        rows="3"
                        maxlength=MAX_MESSAGE_LEN
                        aria-label="Post"
                        placeholder="The connection pool ran dry when the batch job started."
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                    ></textarea>
                    <FieldMessage error=post_error field="body" />
                    <FormMessage error=post_error />
                    <div class="actions"><button type="submit" class="button">"Post"</button></div>
                </ActionForm>
            </Show>
            <ol class="posts">
                <For
                    each=posts
                    key=|p| (p.id, p.edited.as_ref().map(|s| s.iso.clone()))
                    children=move |post| view! { <Post post incident actions /> }
                />
            </ol>
            <Show when=move || incident.with(|d| d.discussion.is_empty())>
                <p class="empty-state hint" id="no-posts">"Nothing posted yet."</p>
            </Show>
        </aside>
    }
    .into_any()
}

#[component]
fn Post(
    post: TimelineEntry,
    incident: RwSignal<IncidentDetail>,
    actions: Actions,
) -> impl IntoView {
    let responder = can(Permission::Respond);
    let id = post.id;
    let number = incident.with_untracked(|d| d.number);
    let replying = RwSignal::new(false);
    let draft = draft_for(actions.challenge);
    let error = action_error(actions.challenge);
    let challenges = move || {
        incident.with(|d| {
            d.discussion
                .iter()
                .filter(|e| e.parent == Some(id))
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    // Close the box once a challenge is saved.
    Effect::new(move |previous: Option<()>| {
        let saved = actions.challenge.value().with(|v| matches!(v, Some(Ok(_))));
        if previous.is_some() && saved {
            replying.set(false);
        }
    });
    let kind = post.kind;
    view! {
        <li class=format!("post post-{}", kind.as_str()) data-post=id>
            <span class=format!("badge kind kind-{}", kind.as_str())>{kind.label()}</span>
            " "
            <Line entry=post edit=actions.edit />
            <ol class="challenges">
                <For
                    each=challenges
                    key=|c| (c.id, c.edited.as_ref().map(|s| s.iso.clone()))
                    children=move |c| {
                        let challenge = c.id;
                        view! {
                            <li class="post post-challenge" data-post=challenge>
                                <span class="badge kind kind-challenge">"Challenge"</span> " " <Line entry=c edit=actions.edit />
                            </li>
                        }
                    }
                />
            </ol>
            <Show when=move || responder.get()>
                <Show
                    when=move || replying.get()
                    fallback=move || view! {
                        <button type="button" class="link small challenge-button" on:click=move |_| replying.set(true)>"Challenge"</button>
                    }
                >
                    <ActionForm action=actions.challenge attr:class="stack challenge-form">
                        <input type="hidden" name="number" value=number />
                        <input type="hidden" name="parent" value=id />
                        <textarea
                            name="body"
                            rows="2"
                            maxlength=MAX_MESSAGE_LEN
                            aria-label="Challenge"
                            placeholder="What would we see if this were true?"
                            prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))
                        ></textarea>
                        <FieldMessage error field="body" />
                        <div class="actions">
                            <button type="submit" class="button small">"Post challenge"</button>
                            <button type="button" class="link small" on:click=move |_| replying.set(false)>"Cancel"</button>
                        </div>
                    </ActionForm>
                </Show>
            </Show>
        </li>
    }
    .into_any()
}
