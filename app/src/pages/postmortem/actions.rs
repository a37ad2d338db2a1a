//! The Corrective Actions section: each action a row with its assignee and expected
//! date, traced to a factor or a why, changed field by field against the version the
//! page saw (someone else's newer change is refused, never overwritten, and shown);
//! the form that asks the preamble's question; and the "Not now" list.

use super::sections::Ctx;
use crate::{
    api::actions::{
        add_corrective_action, corrective_action_history, edit_corrective_action,
        read_postmortem_actions, set_corrective_action_status,
    },
    components::{
        form::{FieldMessage, FormMessage},
        resource::resource,
    },
    domain::{postmortem::document::Contents, ActionStatus, AppError, Trace},
    model::{
        actions::{ActionView, PostmortemActions},
        postmortems::PostmortemPage,
        Person,
    },
};
use leptos::{prelude::*, task::spawn_local};

/// The choices of "answers": the other factors, each chain and each of its whys.
fn trace_choices(contents: &Contents) -> Vec<(String, String)> {
    let mut out = vec![
        (String::new(), "Answers no factor (untraced)".to_string()),
        (Trace::Factors.key(), Trace::Factors.label(&contents.chains)),
    ];
    for chain in &contents.chains {
        let whole = Trace::Chain(chain.id.clone());
        out.push((whole.key(), whole.label(&contents.chains)));
        for level in 1..=chain.whys.len() {
            let why = Trace::Why {
                chain: chain.id.clone(),
                level,
            };
            out.push((why.key(), format!("  {}", why.label(&contents.chains))));
        }
    }
    out
}

#[component]
pub fn Actions(ctx: Ctx, contents: Memo<Contents>, page: PostmortemPage) -> impl IntoView {
    let number = page.number;
    let version = ctx.actions_version;
    let list = resource(
        move || version.get(),
        move |_| read_postmortem_actions(number),
    );
    let shared = ctx.actions;
    let people = StoredValue::new(page.people.clone());
    let can_edit = ctx.can_edit;
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the actions…"</p> }>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(all) => {
                        shared.set(all.actions.clone());
                        view! { <ActionList all contents people=people.get_value() version /> }.into_any()
                    }
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
        {can_edit.then(|| view! { <AddForm number contents page=page.clone() version /> })}
    }
}

#[component]
fn ActionList(
    all: PostmortemActions,
    contents: Memo<Contents>,
    people: Vec<Person>,
    version: RwSignal<u64>,
) -> impl IntoView {
    let people = StoredValue::new(people);
    let PostmortemActions { actions, not_now } = all;
    let empty = actions.is_empty();
    view! {
        <ol class="actions-list" id="actions-list">
            {actions.into_iter().map(|a| view! { <ActionRow action=a contents people=people.get_value() version /> }).collect_view()}
        </ol>
        {empty.then(|| view! { <p class="hint" id="no-actions">"No corrective actions yet: each one needs an assignee and an expected date."</p> })}
        <section class="not-now" id="not-now" aria-label="Not now">
            <h3>"Not now"</h3>
            <p class="hint">"Not top priority leaving the meeting: kept here, not followed up."</p>
            <ul>
                {not_now.is_empty().then_some("—")}
                {not_now.into_iter().map(|n| view! {
                    <li class="not-now-item" data-item=n.id>{n.title}<span class="hint">{format!(" · @{} · {}", n.by, n.at.text)}</span></li>
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn ActionRow(
    action: ActionView,
    contents: Memo<Contents>,
    people: Vec<Person>,
    version: RwSignal<u64>,
) -> impl IntoView {
    let id = action.id;
    let row_version = action.version;
    let error = RwSignal::new(None::<AppError>);
    // Responders change an action even once the postmortem is published: it is tracked
    // until it is done.
    let editable = action.can_change;
    let after = move |result: Result<(), AppError>| match result {
        Ok(()) => {
            error.set(None);
            version.update(|v| *v += 1);
        }
        Err(e) => {
            // Someone else's change came first: show theirs (and say so).
            if matches!(e, AppError::Conflict(_)) {
                version.update(|v| *v += 1);
            }
            error.set(Some(e));
        }
    };
    let edit = move |field: &'static str, value: String| {
        spawn_local(async move {
            after(edit_corrective_action(id, row_version, field.into(), value).await)
        })
    };
    let reason = RwSignal::new(String::new());
    let move_to = move |to: ActionStatus| {
        spawn_local(async move {
            after(
                set_corrective_action_status(
                    id,
                    row_version,
                    to.as_str().into(),
                    reason.get_untracked(),
                )
                .await,
            )
        })
    };
    let answers = action.answers.clone().unwrap_or_default();
    let answers = StoredValue::new(answers);
    let is_traced = {
        let action = action.clone();
        Memo::new(move |_| {
            contents.with(|c| action.trace().is_some_and(|t| t.exists_in(&c.chains)))
        })
    };
    let standing = action.standing.clone();
    let status = action.status;
    let history = RwSignal::new(None::<Result<Vec<crate::model::actions::ActionChange>, AppError>>);
    let load_history =
        move |_| spawn_local(async move { history.set(Some(corrective_action_history(id).await)) });
    let assignee = action.assignee.clone();
    // One shape for readers and writers: the controls are disabled for readers (fewer
    // view types, a smaller chunk).
    let locked = !editable;
    view! {
        <li class=format!("action action-{}", status.as_str()) id=format!("action-{id}") data-action=id data-status=status.as_str()>
            <div class="action-main">
                <input class="action-title" aria-label="What will be done" value=action.title.clone() disabled=locked
                    on:change=move |ev| edit("title", event_target_value(&ev)) />
                {move || (!is_traced.get()).then(|| view! { <span class="badge untraced" title="It answers no contributing factor or why">"Untraced"</span> })}
            </div>
            <div class="action-fields">
                <label>"Assignee "
                    <select class="action-assignee" disabled=locked on:change=move |ev| edit("assignee", event_target_value(&ev))>
                        {people.iter().map(|p| view! { <option value=p.id selected=p.id == assignee.id>{p.name.clone()}</option> }).collect_view()}
                        {people.iter().all(|p| p.id != assignee.id).then(|| view! { <option value=assignee.id selected>{assignee.name.clone()}</option> })}
                    </select>
                </label>
                <label>"By "
                    <input type="date" class="action-due" value=action.due.clone() disabled=locked on:change=move |ev| edit("due", event_target_value(&ev)) />
                </label>
                {standing.map(|s| view! {
                    <span class=format!("due due-{}", s.urgency.as_str())>{s.words}</span>
                })}
                <label>"Answers "
                    <select class="action-answers" disabled=locked on:change=move |ev| edit("answers", event_target_value(&ev))>
                        {move || contents.with(trace_choices).into_iter().map(|(key, label)| {
                            let selected = answers.with_value(|a| *a == key);
                            view! { <option value=key selected=selected>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <input type="url" class="action-ticket" aria-label="Ticket" placeholder="Ticket URL" value=action.ticket.clone().unwrap_or_default()
                    disabled=locked on:change=move |ev| edit("ticket", event_target_value(&ev)) />
                {action.ticket.clone().map(|t| view! { <a href=t rel="external noopener" class="action-ticket-link">"Open the ticket"</a> })}
            </div>
            <div class="action-status">
                <span class=format!("badge status-{}", status.as_str())>{status.label()}</span>
                {action.done.clone().map(|(by, at)| format!(" by @{by}, {}", at.text))}
                {action.reason.clone().map(|r| format!(" — {r}"))}
                {editable.then(|| view! { <StatusButtons status move_to reason /> })}
                <details class="action-history" on:toggle=load_history>
                    <summary>"History"</summary>
                    <ol>
                        {move || history.get().map(|h| match h {
                            Ok(lines) => lines.into_iter().map(|l| format!("{} · @{} {}", l.at.text, l.by, l.body)).collect::<Vec<_>>(),
                            Err(e) => vec![e.to_string()],
                        }).unwrap_or_default().into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}
                    </ol>
                </details>
            </div>
            {move || error.get().map(|e| view! {
                <p class="form-error" role="alert">{match e {
                    AppError::Validation(errors) => errors.into_iter().map(|f| f.message).collect::<Vec<_>>().join(" "),
                    other => other.to_string(),
                }}</p>
            })}
        </li>
    }
}

/// The moves an action's status can make from here.
#[component]
pub fn StatusButtons(
    status: ActionStatus,
    move_to: impl Fn(ActionStatus) + Copy + Send + Sync + 'static,
    reason: RwSignal<String>,
) -> impl IntoView {
    use ActionStatus::*;
    let dropping = RwSignal::new(false);
    let moves: Vec<(ActionStatus, &'static str)> = match status {
        Open => vec![(InProgress, "Start"), (Done, "Mark done")],
        InProgress => vec![(Done, "Mark done"), (Open, "Back to open")],
        Done | WontDo => vec![(Open, "Reopen")],
    };
    view! {
        {moves.into_iter().map(|(to, label)| view! {
            <button type="button" class=format!("button small move-{}", to.as_str()) on:click=move |_| move_to(to)>{label}</button>
        }).collect_view()}
        {status.is_open().then(|| view! {
            <button type="button" class="link small move-wont_do-open" on:click=move |_| dropping.set(true)>"Won't do…"</button>
            <Show when=move || dropping.get()>
                <span class="wont-do">
                    <input class="wont-do-reason" aria-label="Why it won't be done" placeholder="Why it won't be done"
                        prop:value=reason on:input=move |ev| reason.set(event_target_value(&ev)) />
                    <button type="button" class="button small move-wont_do" on:click=move |_| move_to(WontDo)>"Won't do"</button>
                </span>
            </Show>
        })}
    }
}

/// The form: what, who, by when, what it answers, a ticket, and the preamble's
/// question. An idea of the discussion can start it.
#[component]
fn AddForm(
    number: i64,
    contents: Memo<Contents>,
    page: PostmortemPage,
    version: RwSignal<u64>,
) -> impl IntoView {
    // The page works hydrated only (the shared document needs it), so the form calls the
    // server function itself: no form-data decoding in the chunk.
    let failed = RwSignal::new(None::<AppError>);
    let error = Signal::from(failed);
    // A fresh form after each item added. While one is being saved the form is disabled:
    // what someone types meanwhile would be wiped by the fresh form.
    let added = RwSignal::new(0u32);
    let saving = RwSignal::new(false);
    let people = StoredValue::new(page.people.clone());
    let ideas = StoredValue::new(
        page.ideas
            .iter()
            .filter(|e| e.kind == crate::domain::EventKind::Idea)
            .cloned()
            .collect::<Vec<_>>(),
    );
    move || {
        added.track();
        let [title, from_post, priority, assignee, due, answers, ticket] =
            std::array::from_fn(|_| RwSignal::new(String::new()));
        let bind = |field: RwSignal<String>| {
            move |ev: leptos::ev::Event| field.set(event_target_value(&ev))
        };
        let submit = move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            saving.set(true);
            spawn_local(async move {
                let result = add_corrective_action(
                    number,
                    title.get_untracked(),
                    assignee.get_untracked(),
                    due.get_untracked(),
                    answers.get_untracked(),
                    ticket.get_untracked(),
                    priority.get_untracked(),
                    from_post.get_untracked(),
                )
                .await;
                match result {
                    Ok(_) => {
                        failed.set(None);
                        added.update(|n| *n += 1);
                        version.update(|v| *v += 1);
                    }
                    Err(e) => failed.set(Some(e)),
                }
                saving.set(false);
            })
        };
        view! {
            <form class="stack add-action" id="add-action" on:submit=submit>
                <h3>"Add a corrective action"</h3>
                <fieldset class="stack plain" disabled=move || saving.get()>
                {(!ideas.with_value(Vec::is_empty)).then(|| view! {
                    <label>"Start from an idea of the discussion "
                        <select id="promote-idea" on:change=move |ev| {
                            let picked = event_target_value(&ev);
                            if let Some(idea) = ideas.with_value(|all| all.iter().find(|e| e.id.to_string() == picked).cloned()) {
                                title.set(idea.body.split_whitespace().collect::<Vec<_>>().join(" "));
                            }
                            from_post.set(picked);
                        }>
                            <option value="">"—"</option>
                            {ideas.get_value().into_iter().map(|e| view! { <option value=e.id>{e.body}</option> }).collect_view()}
                        </select>
                    </label>
                })}
                <label>"What will be done"
                    <input id="action-title" prop:value=title on:input=bind(title) />
                </label>
                <FieldMessage error field="title" />
                <fieldset class="priority" id="action-priority">
                    <legend>"Top priority leaving the meeting?"</legend>
                    <label class="choice"><input type="radio" name="top_priority" value="yes" id="priority-yes" on:change=bind(priority) />" Yes: a corrective action"</label>
                    <label class="choice"><input type="radio" name="top_priority" value="no" id="priority-no" on:change=bind(priority) />" No: keep it under Not now"</label>
                </fieldset>
                <FieldMessage error field="top_priority" />
                <div class="action-owner" class:hidden=move || priority.get() == "no">
                    <label>"Assignee"
                        <select id="action-assignee" on:change=bind(assignee)>
                            <option value="">"Pick who will do it…"</option>
                            {people.get_value().into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        </select>
                    </label>
                    <FieldMessage error field="assignee" />
                    <label>"Expected date"
                        <input type="date" id="action-due" on:input=bind(due) on:change=bind(due) />
                    </label>
                    <FieldMessage error field="due" />
                    <label>"Answers"
                        <select id="action-answers" on:change=bind(answers)>
                            {move || contents.with(trace_choices).into_iter().map(|(key, label)| view! { <option value=key>{label}</option> }).collect_view()}
                        </select>
                    </label>
                    <FieldMessage error field="answers" />
                    <label>"Ticket (optional)"
                        <input type="url" id="action-ticket" placeholder="https://tracker.example.com/OPS-12" on:input=bind(ticket) />
                    </label>
                    <FieldMessage error field="ticket" />
                </div>
                <FieldMessage error field="from_post" />
                <FormMessage error />
                <div class="actions"><button type="submit" class="button primary" id="add-action-button">
                    {move || if saving.get() { "Adding…" } else { "Add" }}
                </button></div>
                </fieldset>
            </form>
        }
    }
}
