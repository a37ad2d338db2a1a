//! The incident channel, the official record: every line in time order with a filter,
//! posts with their earlier wordings, editing one's own, and the message box.

use super::Actions;
use crate::{
    api::channel::{post_history, EditPost, PostMessage},
    components::{
        form::{action_error, BodyField, FieldMessage, FormMessage, PostForm},
        layout::{can, my_id},
    },
    domain::{AppError, EventKind, Permission},
    model::{
        channel::Revision,
        incidents::{IncidentDetail, TimelineEntry},
    },
};
use leptos::{prelude::*, server_fn::ServerFn, task::spawn_local};

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
pub(super) fn Timeline(incident: RwSignal<IncidentDetail>, actions: Actions) -> impl IntoView {
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
pub(super) fn Line(entry: TimelineEntry, edit: ServerAction<EditPost>) -> impl IntoView {
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
            None => view! {
                " " <span class="body">{entry.body.clone()}</span>
                {entry.link.clone().map(|href| view! { " " <a href=href class="line-link">"Read the message"</a> })}
            }.into_any(),
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
pub(super) fn History(post: i64, edited: String) -> impl IntoView {
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
pub(super) fn EditBox(
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
        <PostForm action read=move |_| Some(EditPost { post, body: draft.get_untracked() }) attr:class="stack edit-form">
            <input type="hidden" name="post" value=post />
            <BodyField draft rows=3 label="Edit message" />
            <FieldMessage error field="body" />
            <FieldMessage error field="post" />
            <div class="actions">
                <button type="submit" class="button small primary">"Save"</button>
                <button type="button" class="link small" on:click=move |_| editing.set(false)>"Cancel"</button>
            </div>
        </PostForm>
    }
    .into_any()
}

/// A text box whose text survives the page refreshing around it and loses what its
/// action sent once that succeeds: words typed while it was on its way stay.
pub(super) fn draft_for<S>(action: ServerAction<S>) -> RwSignal<String>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    let draft = RwSignal::new(String::new());
    let sent = StoredValue::new(String::new());
    Effect::new(move || {
        if action.pending().get() {
            sent.set_value(draft.get_untracked());
        }
    });
    Effect::new(move |previous: Option<()>| {
        let succeeded = action.value().with(|v| matches!(v, Some(Ok(_))));
        if previous.is_some() && succeeded {
            let rest = sent.with_value(|sent| draft.with_untracked(|now| typed_since(now, sent)));
            draft.set(rest);
        }
    });
    draft
}

/// What is left of a text box once `sent`, the text it held when its form went, was
/// saved: what was typed after it, or the whole text if it was edited otherwise.
fn typed_since(now: &str, sent: &str) -> String {
    match now.strip_prefix(sent) {
        Some(rest) => rest.trim_start().to_owned(),
        None => now.to_owned(),
    }
}

#[component]
pub(super) fn MessageBox(number: i64, action: ServerAction<PostMessage>) -> impl IntoView {
    let responder = can(Permission::Respond);
    let draft = draft_for(action);
    let error = action_error(action);
    let pending = action.pending();
    view! {
        <Show when=move || responder.get()>
            <PostForm
                action
                read=move |_| Some(PostMessage { number, body: draft.get_untracked() })
                attr:class="stack message-form"
                attr:id="message-form"
            >
                <input type="hidden" name="number" value=number />
                <label>
                    "Message"
                    <BodyField draft rows=3 placeholder="What are you seeing, doing, deciding? Markdown works." />
                </label>
                <FieldMessage error field="body" />
                <FormMessage error />
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || pending.get()>"Post to the channel"</button>
                    <span class="hint">"It goes on the record for everyone, with the time."</span>
                </div>
            </PostForm>
        </Show>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::typed_since;

    #[test]
    fn a_sent_draft_keeps_only_what_was_typed_after_it() {
        assert_eq!(typed_since("Rolling back", "Rolling back"), "");
        assert_eq!(
            typed_since("Rolling back\nDB is fine", "Rolling back"),
            "DB is fine"
        );
        assert_eq!(
            typed_since("Rolling forward", "Rolling back"),
            "Rolling forward"
        );
        assert_eq!(typed_since("", "Rolling back"), "");
    }
}
