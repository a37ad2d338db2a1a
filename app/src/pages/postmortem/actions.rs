//! The Corrective Actions section: each action a row with its assignee and expected
//! date, traced to a factor or a why, changed field by field against the version the
//! page saw (someone else's newer change is refused, never overwritten, and shown);
//! the form that asks the preamble's question; and the "Not now" list.

use super::sections::Ctx;
use crate::{
    api::actions::{
        corrective_action_history, edit_corrective_action, read_postmortem_actions,
        set_corrective_action_status, AddCorrectiveAction,
    },
    components::form::{action_error, FieldMessage, FormMessage},
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
    let list = Resource::new(
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
                        view! { <ActionList all contents people=people.get_value() can_edit version /> }.into_any()
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
    can_edit: bool,
    version: RwSignal<u64>,
) -> impl IntoView {
    let people = StoredValue::new(people);
    let PostmortemActions { actions, not_now } = all;
    let empty = actions.is_empty();
    view! {
        <ol class="actions-list" id="actions-list">
            {actions.into_iter().map(|a| view! { <ActionRow action=a contents people=people.get_value() can_edit version /> }).collect_view()}
        </ol>
        {empty.then(|| view! { <p class="hint" id="no-actions">"No corrective actions yet: each one needs an assignee and an expected date."</p> })}
        <section class="not-now" id="not-now" aria-label="Not now">
            <h3>"Not now"</h3>
            <p class="hint">"Not top priority leaving the meeting: kept here, not followed up."</p>
            {if not_now.is_empty() {
                view! { <p class="hint">"—"</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {not_now.into_iter().map(|n| view! {
                            <li class="not-now-item" data-item=n.id>{n.title}<span class="hint">{format!(" · @{} · {}", n.by, n.at.text)}</span></li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn ActionRow(
    action: ActionView,
    contents: Memo<Contents>,
    people: Vec<Person>,
    can_edit: bool,
    version: RwSignal<u64>,
) -> impl IntoView {
    let id = action.id;
    let row_version = action.version;
    let error = RwSignal::new(None::<AppError>);
    let editable = can_edit && action.can_change;
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
    view! {
        <li class=format!("action action-{}", status.as_str()) id=format!("action-{id}") data-action=id data-status=status.as_str()>
            <div class="action-main">
                {if editable {
                    view! {
                        <input class="action-title" aria-label="What will be done" value=action.title.clone()
                            on:change=move |ev| edit("title", event_target_value(&ev)) />
                    }.into_any()
                } else {
                    view! { <span class="action-title">{action.title.clone()}</span> }.into_any()
                }}
                {move || (!is_traced.get()).then(|| view! { <span class="badge untraced" title="It answers no contributing factor or why">"Untraced"</span> })}
            </div>
            <div class="action-fields">
                <label>"Assignee "
                    {if editable {
                        view! {
                            <select class="action-assignee" on:change=move |ev| edit("assignee", event_target_value(&ev))>
                                {people.iter().map(|p| view! { <option value=p.id selected=p.id == assignee.id>{p.name.clone()}</option> }).collect_view()}
                            </select>
                        }.into_any()
                    } else {
                        view! { <span class="action-assignee">"@"{assignee.name.clone()}</span> }.into_any()
                    }}
                </label>
                <label>"By "
                    {if editable {
                        view! { <input type="date" class="action-due" value=action.due.clone() on:change=move |ev| edit("due", event_target_value(&ev)) /> }.into_any()
                    } else {
                        view! { <span class="action-due">{action.due.clone()}</span> }.into_any()
                    }}
                </label>
                {standing.map(|s| view! {
                    <span class=format!("due due-{}", s.urgency.as_str())>{s.words}</span>
                })}
                <label>"Answers "
                    {if editable {
                        let answers = answers.clone();
                        view! {
                            <select class="action-answers" on:change=move |ev| edit("answers", event_target_value(&ev))>
                                {move || contents.with(trace_choices).into_iter().map(|(key, label)| {
                                    let selected = key == answers;
                                    view! { <option value=key selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                        }.into_any()
                    } else {
                        let answers = answers.clone();
                        view! { <span class="action-answers">{move || contents.with(|c| {
                            Trace::parse(&answers).ok().flatten().map_or_else(|| "—".into(), |t| t.label(&c.chains))
                        })}</span> }.into_any()
                    }}
                </label>
                {match (editable, action.ticket.clone()) {
                    (true, ticket) => view! {
                        <input type="url" class="action-ticket" aria-label="Ticket" placeholder="Ticket URL" value=ticket.unwrap_or_default()
                            on:change=move |ev| edit("ticket", event_target_value(&ev)) />
                    }.into_any(),
                    (false, Some(t)) => view! { <a href=t.clone() rel="external noopener" class="action-ticket">{t.clone()}</a> }.into_any(),
                    (false, None) => ().into_any(),
                }}
            </div>
            <div class="action-status">
                <span class=format!("badge status-{}", status.as_str())>{status.label()}</span>
                {action.done.clone().map(|(by, at)| view! { <span class="hint">{format!(" by @{by}, {}", at.text)}</span> })}
                {action.reason.clone().map(|r| view! { <span class="hint">{format!(" — {r}")}</span> })}
                {editable.then(|| view! { <StatusButtons status move_to reason /> })}
                <details class="action-history" on:toggle=load_history>
                    <summary>"History"</summary>
                    {move || history.get().map(|h| match h {
                        Ok(lines) => view! {
                            <ol>{lines.into_iter().map(|l| view! { <li>{format!("{} · @{} {}", l.at.text, l.by, l.body)}</li> }).collect_view()}</ol>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    })}
                </details>
            </div>
            {move || error.get().map(|e| view! {
                <p class="form-error" role="alert">{match e.clone() {
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
    let add = ServerAction::<AddCorrectiveAction>::new();
    let error = action_error(add);
    // A fresh form after each item added.
    let added = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Some(Ok(_)) = add.value().get() {
            added.update(|n| *n += 1);
            version.update(|v| *v += 1);
        }
    });
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
        let title = RwSignal::new(String::new());
        let from_post = RwSignal::new(String::new());
        let priority = RwSignal::new(String::new());
        view! {
            <ActionForm action=add attr:class="stack add-action" attr:id="add-action">
                <h3>"Add a corrective action"</h3>
                <input type="hidden" name="number" value=number />
                <input type="hidden" name="from_post" prop:value=from_post />
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
                    <input name="title" id="action-title" prop:value=title on:input=move |ev| title.set(event_target_value(&ev)) />
                </label>
                <FieldMessage error field="title" />
                <fieldset class="priority" id="action-priority">
                    <legend>"Top priority leaving the meeting?"</legend>
                    <label class="choice"><input type="radio" name="top_priority" value="yes" id="priority-yes" on:change=move |_| priority.set("yes".into()) />" Yes: a corrective action"</label>
                    <label class="choice"><input type="radio" name="top_priority" value="no" id="priority-no" on:change=move |_| priority.set("no".into()) />" No: keep it under Not now"</label>
                </fieldset>
                <FieldMessage error field="top_priority" />
                <div class="action-owner" class:hidden=move || priority.get() == "no">
                    <label>"Assignee"
                        <select name="assignee" id="action-assignee">
                            <option value="">"Pick who will do it…"</option>
                            {people.get_value().into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                        </select>
                    </label>
                    <FieldMessage error field="assignee" />
                    <label>"Expected date"
                        <input type="date" name="due" id="action-due" />
                    </label>
                    <FieldMessage error field="due" />
                    <label>"Answers"
                        <select name="answers" id="action-answers">
                            {move || contents.with(trace_choices).into_iter().map(|(key, label)| view! { <option value=key>{label}</option> }).collect_view()}
                        </select>
                    </label>
                    <FieldMessage error field="answers" />
                    <label>"Ticket (optional)"
                        <input type="url" name="ticket" id="action-ticket" placeholder="https://tracker.example.com/OPS-12" />
                    </label>
                    <FieldMessage error field="ticket" />
                </div>
                <FieldMessage error field="from_post" />
                <FormMessage error />
                <div class="actions"><button type="submit" class="button primary" id="add-action-button">"Add"</button></div>
            </ActionForm>
        }
    }
}
