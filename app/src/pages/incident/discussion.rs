//! The postmortem discussion: hypotheses, assumptions and ideas, and the challenges
//! to each.

use super::{
    timeline::{draft_for, Line},
    Actions,
};
use crate::{
    api::{
        channel::{ChallengePost, PostDiscussion},
        incidents::LeadIncident,
    },
    components::{
        form::{action_error, BodyField, FieldMessage, FormMessage, PostForm},
        layout::{can, my_id},
    },
    domain::{EventKind, Permission},
    model::incidents::{IncidentDetail, TimelineEntry},
};
use leptos::prelude::*;
use leptos_router::components::A;

/// The postmortem discussion: hypotheses, assumptions and ideas, their challenges, and
/// who leads.
#[component]
pub(super) fn Discussion(incident: RwSignal<IncidentDetail>, actions: Actions) -> impl IntoView {
    let responder = can(Permission::Respond);
    let me = my_id();
    let number = incident.with_untracked(|d| d.number);
    let lead_error = action_error(actions.lead);
    let post_error = action_error(actions.discuss);
    let draft = draft_for(actions.discuss);
    let posts = answering(incident, None);
    view! {
        <aside class="discussion" aria-label="Postmortem discussion" id="discussion">
            <h2>"Postmortem discussion"</h2>
            <p class="hint">"Hypothesise, challenge assumptions, collect ideas. Blameless: ask what let it happen, not who."</p>
            <div class="leader-line">
                "Incident Leader: "
                <strong class="leader">{move || incident.with(|d| d.leader.as_ref().map(|l| format!("@{l}")).unwrap_or_else(|| "nobody yet".into()))}</strong>
                <Show when=move || responder.get() && me.get().is_some() && incident.with(|d| d.leader_id) != me.get()>
                    <PostForm action=actions.lead read=move |_| Some(LeadIncident { number }) attr:class="inline">
                        <input type="hidden" name="number" value=number />
                        <button type="submit" class="button small primary" id="lead-button">"I'll lead"</button>
                    </PostForm>
                </Show>
            </div>
            <FormMessage error=lead_error />
            <Show when=move || responder.get()>
                <PostForm
                    action=actions.discuss
                    read=move |f| Some(PostDiscussion { number, kind: f.text("kind"), body: draft.get_untracked() })
                    attr:class="stack discussion-form"
                    attr:id="discussion-form"
                >
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
                    <BodyField draft rows=3 label="Post" placeholder="The connection pool ran dry when the batch job started." />
                    <FieldMessage error=post_error field="body" />
                    <FormMessage error=post_error />
                    <div class="actions"><button type="submit" class="button">"Post"</button></div>
                </PostForm>
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
    let challenges = answering(incident, Some(id));
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
            {move || {
                let went: Vec<String> = incident.with(|d| {
                    d.promoted.iter().filter(|p| p.post == id).map(|p| p.words.clone()).collect()
                });
                went.into_iter()
                    .map(|words| view! { <p class="promoted"><A href=format!("/incidents/{number}/postmortem#section-actions")>{words}</A></p> })
                    .collect_view()
            }}
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
                    <PostForm
                        action=actions.challenge
                        read=move |_| Some(ChallengePost { number, parent: id, body: draft.get_untracked() })
                        attr:class="stack challenge-form"
                    >
                        <input type="hidden" name="number" value=number />
                        <input type="hidden" name="parent" value=id />
                        <BodyField draft rows=2 label="Challenge" placeholder="What would we see if this were true?" />
                        <FieldMessage error field="body" />
                        <div class="actions">
                            <button type="submit" class="button small">"Post challenge"</button>
                            <button type="button" class="link small" on:click=move |_| replying.set(false)>"Cancel"</button>
                        </div>
                    </PostForm>
                </Show>
            </Show>
        </li>
    }
    .into_any()
}

/// The discussion's posts that answer `parent` (None: the posts themselves, not their
/// challenges), in order, as the incident now stands.
fn answering(
    incident: RwSignal<IncidentDetail>,
    parent: Option<i64>,
) -> impl Fn() -> Vec<TimelineEntry> + Copy {
    move || {
        incident.with(|d| {
            let answers = d.discussion.iter().filter(|e| e.parent == parent);
            answers.cloned().collect()
        })
    }
}
