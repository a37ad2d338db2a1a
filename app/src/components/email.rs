//! The company email as several pages show it: the issue team (the composer and the
//! incident page), the preview of a message, and an incident's thread.

use crate::{
    api::email::set_issue_team,
    domain::{AppError, MailStatus, TeamRole},
    model::email::{EmailSummary, IssueTeam, Preview, TeamMember},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;

/// The issue team by role; with `editable`, a checkbox per person puts them on or off
/// a role at once (and `on_change` hears of it).
#[component]
pub fn TeamEditor(
    number: i64,
    team: IssueTeam,
    #[prop(optional)] on_change: Option<Callback<()>>,
    #[prop(default = true)] editable: bool,
) -> impl IntoView {
    let members = RwSignal::new(team.members.clone());
    let error = RwSignal::new(None::<AppError>);
    let people = team.people.clone();
    let toggle = move |role: TeamRole, id: i64, name: String, on: bool| {
        let mut ids: Vec<i64> = members
            .get_untracked()
            .iter()
            .filter(|m| m.role == role && m.user_id != id)
            .map(|m| m.user_id)
            .collect();
        if on {
            ids.push(id);
        }
        spawn_local(async move {
            match set_issue_team(number, role.as_str().to_string(), ids).await {
                Ok(()) => {
                    members.update(|all| {
                        all.retain(|m| !(m.role == role && m.user_id == id));
                        if on {
                            all.push(TeamMember {
                                role,
                                user_id: id,
                                name,
                            });
                        }
                    });
                    error.set(None);
                    if let Some(cb) = on_change {
                        cb.run(());
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    view! {
        <ul class="issue-team" id="issue-team">
            {TeamRole::ALL.into_iter().map(|role| {
                let people = people.clone();
                view! {
                    <li data-role=role.as_str()>
                        <strong>{role.label()} ": "</strong>
                        <span class="members">
                            {move || {
                                let names: Vec<String> = members.with(|all| all.iter().filter(|m| m.role == role).map(|m| format!("@{}", m.name)).collect());
                                if names.is_empty() { "nobody yet".to_string() } else { names.join(", ") }
                            }}
                        </span>
                        {editable.then(|| view! {
                            <details class="team-picker">
                                <summary>"Change"</summary>
                                {people.into_iter().map(|p| {
                                    let id = p.id;
                                    let name = p.name.clone();
                                    view! {
                                        <label class="choice">
                                            <input type="checkbox" name=format!("team-{}", role.as_str()) value=id
                                                prop:checked=move || members.with(|all| all.iter().any(|m| m.role == role && m.user_id == id))
                                                on:change=move |ev| toggle(role, id, name.clone(), event_target_checked(&ev)) />
                                            " " {p.name.clone()}
                                        </label>
                                    }
                                }).collect_view()}
                            </details>
                        })}
                    </li>
                }
            }).collect_view()}
        </ul>
        {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
    }
    .into_any()
}

/// The message as it will arrive: headers, the HTML part and the plain-text part.
#[component]
pub fn PreviewPane(preview: RwSignal<Option<Preview>>) -> impl IntoView {
    view! {
        <aside class="email-preview" id="email-preview" aria-label="Preview">
            <h2>"Preview"</h2>
            {move || match preview.get() {
                None => view! { <p class="loading">"Preparing the preview…"</p> }.into_any(),
                Some(p) => view! { <MessageParts headers=p.headers html=p.html text=p.text attachment=p.attachment /> }.into_any(),
            }}
        </aside>
    }
}

/// Headers, then the HTML part (sanitised on the server) and the plain-text part.
#[component]
pub fn MessageParts(
    headers: Vec<(String, String)>,
    html: String,
    text: String,
    attachment: Option<String>,
) -> impl IntoView {
    view! {
        <dl class="email-headers">
            {headers.into_iter().map(|(name, value)| view! {
                <dt>{name}</dt><dd>{value}</dd>
            }).collect_view()}
            {attachment.map(|a| view! { <dt>"Attachment"</dt><dd id="attachment">{a}</dd> })}
        </dl>
        <h3>"HTML part"</h3>
        <div class="email-html" id="email-html" inner_html=html></div>
        <h3>"Plain-text part"</h3>
        <pre class="email-text" id="email-text">{text}</pre>
    }
}

/// How a message's delivery reads, in words nobody has to explain.
pub fn delivery(s: &EmailSummary) -> String {
    match (s.status, &s.sent, &s.last_error) {
        (MailStatus::Sent, Some(at), _) => format!("sent {}", at.text),
        (MailStatus::Failed, _, Some(reason)) => format!("failed: {reason} (retrying)"),
        (status, _, _) => status.label().to_string(),
    }
}

/// An incident's thread, oldest first, each message linking to its stored copy.
#[component]
pub fn Thread(thread: Vec<EmailSummary>) -> impl IntoView {
    view! {
        <ol class="email-thread" id="email-thread">
            {thread.into_iter().map(|s| {
                let subject = s.subject.clone();
                view! {
                <li class=format!("mail mail-{}", s.status.as_str())>
                    <A href=format!("/emails/{}", s.id)>{subject}</A>
                    " · " <span class="delivery">{delivery(&s)}</span>
                    <span class="hint">{format!(" · by @{} to {} recipient{} · {}", s.author, s.recipients, if s.recipients == 1 { "" } else { "s" }, s.queued.text)}</span>
                </li>
            }}).collect_view()}
        </ol>
    }
}
