//! The blameless postmortem (`/incidents/:number/postmortem`), laid out as the seed's
//! template and written by several people at once. A lazy chunk of its own: the shared
//! document's code (yrs) loads on this page only.

mod actions;
mod editor;
#[cfg(feature = "hydrate")]
mod replica;
mod sections;

use crate::{
    api::postmortems::{
        invite_to_postmortem_meeting, read_postmortem, schedule_postmortem_meeting,
        set_incident_leader, set_postmortem_participant, set_postmortem_status, start_postmortem,
    },
    components::{
        incidents::incident_number,
        layout::{Missing, NotAllowed},
        live::{debounced_bump, LiveBadge, LiveLink, LiveMessage, QUIET},
        resource::resource,
    },
    domain::{AppError, PostmortemStatus, PREAMBLE},
    model::{live::LiveChange, postmortems::PostmortemPage},
};
use editor::{Editor, SyncState};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn PostmortemPage() -> impl IntoView {
    let number = incident_number();
    // Bumped when the page's shape changes (started, published, reopened): the
    // document is read afresh. Other changes refresh the header only.
    let shape = RwSignal::new(0u64);
    let page = resource(
        move || (number(), shape.get()),
        |(number, _)| async move {
            match number {
                Some(number) => read_postmortem(number).await,
                None => Err(AppError::NotFound("That incident".into())),
            }
        },
    );
    view! {
        <Title text="Postmortem" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the postmortem…"</p> }>
            {move || Suspend::new(async move {
                match page.await {
                    Ok(p) => view! { <Postmortem page=p shape /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NotAllowed /> }.into_any(),
                    Err(AppError::NotFound(what)) => view! { <Missing what /> }.into_any(),
                    Err(e) => view! { <p class="form-error page">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Postmortem(page: PostmortemPage, shape: RwSignal<u64>) -> impl IntoView {
    let number = page.number;
    let title = format!("#{number} {}", page.title);
    let Some(info) = page.postmortem.clone() else {
        return view! { <NotStarted page shape /> }.into_any();
    };
    let editor = Editor::new(number, &info);
    let can_edit = page.can_edit;
    let status = info.status;
    // The header (participants, leader, meeting, lifecycle) re-reads on every change
    // of the incident; the document follows the live stream.
    let header_version = RwSignal::new(0u64);
    let header = resource(
        move || header_version.get(),
        move |_| read_postmortem(number),
    );
    let presence = sections::Presences::new(editor.client);
    let actions_version = RwSignal::new(0u64);
    let link = LiveLink::new();
    {
        let editor = editor.clone();
        let bump = debounced_bump(header_version, QUIET);
        let bump_actions = debounced_bump(actions_version, QUIET);
        let status_now = status;
        link.follow_page(
            &format!("{}?postmortem={number}", crate::model::live::LIVE_PATH),
            page.cursor,
            move |message| match message {
                LiveMessage::Batch(batch) => {
                    for change in batch.changes {
                        match change {
                            LiveChange::Postmortem { incident, update } if incident == number => {
                                editor.receive(&update)
                            }
                            LiveChange::Presence(p) if p.incident == number => presence.seen(p),
                            LiveChange::Incident(n) if n == number => {
                                bump();
                                bump_actions();
                            }
                            _ => {}
                        }
                    }
                }
                LiveMessage::Resync => {
                    let editor = editor.clone();
                    spawn_local(async move {
                        if let Ok(page) = read_postmortem(number).await {
                            if let Some(info) = page.postmortem {
                                editor.receive(&info.state);
                            }
                        }
                    });
                }
            },
        );
        // Published or reopened elsewhere: the page changes shape.
        Effect::new(move |_| {
            if let Some(Ok(p)) = header.get() {
                if p.postmortem.map(|i| i.status.editable()) != Some(status_now.editable()) {
                    shape.update(|v| *v += 1);
                }
            }
        });
    }
    presence.announce(number, None);
    let ctx = sections::Ctx {
        editor: editor.clone(),
        can_edit,
        presence,
        actions: RwSignal::new(vec![]),
        actions_version,
    };
    let sync = editor.sync;
    let error = editor.error;
    // Someone about to write: the document's copy loads while they do.
    let prepare = move |_| {
        if can_edit {
            editor.prepare()
        }
    };
    view! {
        <Title text=format!("Postmortem · #{number}") />
        <article class=move || format!("page postmortem postmortem-{}", status.as_str()) id="postmortem" data-status=status.as_str() on:focusin=prepare>
            <header class="postmortem-head">
                <p class="crumbs"><A href=format!("/incidents/{number}")>{title.clone()}</A></p>
                <h1>"Postmortem"</h1>
                <p class="postmortem-state">
                    <span class=format!("badge pm-{}", status.as_str()) id="postmortem-status">{status.label()}</span>
                    {page.due.clone().filter(|_| status != PostmortemStatus::Published).map(|d| view! {
                        <span class=format!("due due-{}", d.urgency.as_str()) id="postmortem-due" title=d.at.text.clone()>
                            {d.words}
                        </span>
                    })}
                    <LiveBadge link />
                    {can_edit.then(|| view! {
                        <span class="sync" id="postmortem-sync" data-state=move || match sync.get() {
                            SyncState::Saved => "saved",
                            SyncState::Saving => "saving",
                            SyncState::Waiting(_) => "waiting",
                        }>
                            {move || match sync.get() {
                                SyncState::Saved => "All changes saved".to_string(),
                                SyncState::Saving => "Saving…".to_string(),
                                SyncState::Waiting(n) => format!("Offline: {n} change(s) kept here, sent when the server answers"),
                            }}
                        </span>
                    })}
                    <a href=format!("/incidents/{number}/postmortem.md") class="button" id="export-markdown" rel="external" download="">"Export Markdown"</a>
                </p>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
                <sections::Others presence />
            </header>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match header.await {
                        Ok(p) => view! { <Header page=p shape /> }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <section class="preamble" id="preamble" aria-label="The preamble">
                <ol>{PREAMBLE.iter().map(|line| view! { <li>{*line}</li> }).collect_view()}</ol>
            </section>
            <sections::Document ctx=ctx page=page.clone() />
        </article>
    }
    .into_any()
}

#[component]
fn NotStarted(page: PostmortemPage, shape: RwSignal<u64>) -> impl IntoView {
    let number = page.number;
    let error = RwSignal::new(None::<AppError>);
    let start = move |_| {
        spawn_local(async move {
            match start_postmortem(number).await {
                Ok(()) => shape.update(|v| *v += 1),
                Err(e) => error.set(Some(e)),
            }
        })
    };
    view! {
        <section class="page postmortem" id="postmortem" data-status="none">
            <p class="crumbs"><A href=format!("/incidents/{number}")>{format!("#{number} {}", page.title)}</A></p>
            <h1>"Postmortem"</h1>
            {page.due.clone().map(|d| view! {
                <p class=format!("due due-{}", d.urgency.as_str()) id="postmortem-due">{d.words}" (24 business hours after the resolution)"</p>
            })}
            <p>
                {if page.can_respond {
                    "Nobody has started this incident's blameless postmortem yet."
                } else {
                    "This incident's blameless postmortem is not published yet."
                }}
            </p>
            {page.can_respond.then(|| view! {
                <button class="button primary" id="start-postmortem" on:click=start>"Start postmortem"</button>
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </section>
    }
}

/// Participants, the Incident Leader, the meeting and the lifecycle buttons.
#[component]
fn Header(page: PostmortemPage, shape: RwSignal<u64>) -> impl IntoView {
    let number = page.number;
    let Some(info) = page.postmortem.clone() else {
        return ().into_any();
    };
    let error = RwSignal::new(None::<AppError>);
    let run =
        move |call: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), AppError>>>>,
              reshape: bool| {
            spawn_local(async move {
                match call.await {
                    Ok(()) => {
                        error.set(None);
                        if reshape {
                            shape.update(|v| *v += 1);
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
            })
        };
    let respond = page.can_respond;
    let editable = info.status.editable();
    let participants = info.participants.clone();
    let others: Vec<_> = page
        .people
        .iter()
        .filter(|p| participants.iter().all(|x| x.id != p.id))
        .cloned()
        .collect();
    let moves: Vec<(PostmortemStatus, &str, &str)> = match info.status {
        PostmortemStatus::Draft => {
            vec![(PostmortemStatus::InReview, "Move to review", "to-review")]
        }
        PostmortemStatus::InReview => vec![
            (PostmortemStatus::Published, "Publish", "publish"),
            (PostmortemStatus::Draft, "Back to draft", "to-draft"),
        ],
        PostmortemStatus::Published => vec![(PostmortemStatus::Draft, "Reopen", "reopen")],
    };
    let meeting_value = info
        .meeting
        .as_ref()
        .map(|m| sections::local_input(&m.iso))
        .unwrap_or_default();
    let meeting = RwSignal::new(meeting_value);
    let invited = RwSignal::new(None::<usize>);
    let invite = move |_| {
        spawn_local(async move {
            match invite_to_postmortem_meeting(number).await {
                Ok(n) => {
                    error.set(None);
                    invited.set(Some(n));
                }
                Err(e) => error.set(Some(e)),
            }
        })
    };
    let scheduled = info.meeting.is_some();
    view! {
        <section class="postmortem-meta" aria-label="Participants and leader">
            <div class="field-row" id="participants" data-section="participants">
                <h2>"Participants"</h2>
                <ul class="people">
                    {participants.iter().map(|p| {
                        let id = p.id;
                        view! {
                            <li class="participant" data-user=id>"@"{p.name.clone()}
                                {(respond && editable).then(|| view! {
                                    <button class="link" title="Remove" on:click=move |_| run(Box::pin(set_postmortem_participant(number, id, false)), false)>"×"</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ul>
                {(respond && editable).then(|| view! {
                    <div class="suggested">
                        {info.suggested.iter().map(|p| {
                            let id = p.id;
                            view! { <button class="button small suggest" on:click=move |_| run(Box::pin(set_postmortem_participant(number, id, true)), false)>"+ @"{p.name.clone()}</button> }
                        }).collect_view()}
                        <select id="add-participant" aria-label="Add a participant" on:change=move |ev| {
                            if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                                run(Box::pin(set_postmortem_participant(number, id, true)), false);
                            }
                        }>
                            <option value="">"Add someone…"</option>
                            {others.iter().map(|p| view! { <option value=p.id>{p.name.clone()}</option> }).collect_view()}
                        </select>
                    </div>
                })}
            </div>
            <div class="field-row" id="leader" data-section="leader">
                <h2>"Incident Leader"</h2>
                {match (respond && editable, page.leader.clone()) {
                    (true, leader) => view! {
                        <select id="leader-select" aria-label="Incident Leader" on:change=move |ev| {
                            if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                                run(Box::pin(set_incident_leader(number, id)), false);
                            }
                        }>
                            {leader.is_none().then(|| view! { <option value="" selected>"Nobody yet"</option> })}
                            {page.people.iter().map(|p| view! {
                                <option value=p.id selected=leader.as_ref().is_some_and(|l| l.id == p.id)>{p.name.clone()}</option>
                            }).collect_view()}
                        </select>
                    }.into_any(),
                    (false, Some(l)) => view! { <p>"@"{l.name}</p> }.into_any(),
                    (false, None) => view! { <p>"—"</p> }.into_any(),
                }}
            </div>
            <div class="field-row" id="meeting">
                <h2>"Meeting"</h2>
                {match (respond && editable, info.meeting.clone()) {
                    (true, _) => view! {
                        <form class="inline" on:submit=move |ev| {
                            ev.prevent_default();
                            run(Box::pin(schedule_postmortem_meeting(number, meeting.get_untracked())), false);
                        }>
                            <input type="datetime-local" id="meeting-at" aria-label="Meeting time" prop:value=meeting on:input=move |ev| meeting.set(event_target_value(&ev)) />
                            <button type="submit" class="button small">"Save"</button>
                            {scheduled.then(|| view! {
                                <button type="button" class="button small" id="invite-participants" on:click=invite>"Email the participants an invitation"</button>
                            })}
                        </form>
                        {move || invited.get().map(|n| view! { <p class="notice" id="invited">{format!("Invitation sent to {n} participant(s).")}</p> })}
                    }.into_any(),
                    (false, Some(m)) => view! { <p>{m.text}</p> }.into_any(),
                    (false, None) => view! { <p>"Not scheduled"</p> }.into_any(),
                }}
            </div>
            <div class="field-row lifecycle">
                <p class="hint">
                    {format!("Started by @{} on {}", info.started_by, info.started.text)}
                    {info.published.clone().map(|p| format!(" · published {}", p.text))}
                    {(info.open_hints > 0).then(|| format!(" · {} open blameless hint(s)", info.open_hints))}
                </p>
                {respond.then(|| moves.into_iter().map(|(to, label, id)| view! {
                    <button class="button" id=format!("pm-{id}") on:click=move |_| run(Box::pin(set_postmortem_status(number, to.as_str().to_string())), true)>{label}</button>
                }).collect_view())}
                <button class="button" id="print-postmortem" on:click=move |_| {
                    #[cfg(feature = "hydrate")]
                    if let Some(w) = web_sys::window() { let _ = w.print(); }
                }>"Print"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
        </section>
    }
    .into_any()
}
