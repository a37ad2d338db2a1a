//! One stored message of the company email, exactly as it was sent, with its delivery
//! state and, while it has not gone out, "Retry now".

use crate::{
    api::email::{get_email, RetryEmail},
    components::{
        email::{delivery, MessageParts},
        form::{action_error, FormMessage, PostForm},
        layout::Missing,
        resource::resource,
    },
    domain::{AppError, MailStatus},
    model::email::EmailMessage,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

#[component]
pub fn MessagePage() -> impl IntoView {
    let params = use_params_map();
    let retry = ServerAction::<RetryEmail>::new();
    let message = resource(
        move || {
            (
                params.read().get("id").and_then(|n| n.parse::<i64>().ok()),
                retry.version().get(),
            )
        },
        |(id, _)| async move {
            match id {
                Some(id) => get_email(id).await,
                None => Err(AppError::NotFound("That email".into())),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the message…"</p> }>
            {move || Suspend::new(async move {
                match message.await {
                    Ok(m) => view! { <Message message=m retry /> }.into_any(),
                    Err(AppError::NotFound(what)) => view! { <Missing what /> }.into_any(),
                    Err(e) => view! { <p class="form-error page">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Message(message: EmailMessage, retry: ServerAction<RetryEmail>) -> impl IntoView {
    let s = &message.summary;
    let id = s.id;
    let error = action_error(retry);
    let mut headers = vec![
        ("From".to_string(), message.from.clone()),
        ("To".to_string(), message.to.join(", ")),
        ("Subject".to_string(), s.subject.clone()),
        (
            "Message-ID".to_string(),
            format!("<{}>", message.message_id),
        ),
    ];
    if let Some(last) = message.references.last() {
        headers.push(("In-Reply-To".into(), format!("<{last}>")));
        headers.push((
            "References".into(),
            message
                .references
                .iter()
                .map(|r| format!("<{r}>"))
                .collect::<Vec<_>>()
                .join(" "),
        ));
    }
    view! {
        <Title text=s.subject.clone() />
        <article class="page email-message" id="email-message">
            {s.incident.map(|n| view! { <p class="number"><A href=format!("/incidents/{n}")>{format!("Incident #{n}")}</A></p> })}
            <h1>{s.subject.clone()}</h1>
            <p class=format!("delivery status-{}", s.status.as_str())
                id="delivery">
                {delivery(s)}
                {format!(" · queued {} by @{} · {} attempt{}", s.queued.text, s.author, message.attempts, if message.attempts == 1 { "" } else { "s" })}
            </p>
            {(s.status == MailStatus::Outbox).then(|| view! {
                <p class="notice warning">"Not delivered: no SMTP server is configured, so this message stays in the local outbox. Nobody received it."</p>
            })}
            {(message.hints > 0).then(|| view! {
                <p class="hint">{format!("Sent with {} unresolved wording hint(s).", message.hints)}</p>
            })}
            <FormMessage error />
            {message.retryable.then(|| view! {
                <PostForm action=retry read=move |_| Some(RetryEmail { id }) attr:class="inline-form" attr:id="retry-form">
                    <input type="hidden" name="id" value=id />
                    <button type="submit" class="button">"Retry now"</button>
                </PostForm>
            })}
            <MessageParts headers html=message.html.clone() text=message.text.clone() attachment=None />
        </article>
    }
}
