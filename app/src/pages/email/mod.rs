//! The company email: the composer (`/incidents/:number/email`), laid out as the seed's
//! template with a live preview beside it, a stored message (`/emails/:id`), and the
//! admin's distribution lists and outbox (`/admin/mail`).

pub mod admin;
pub mod message;

use crate::{
    api::email::{email_composer, preview_email, save_email_draft, send_email},
    components::{
        email::{PreviewPane, TeamEditor},
        form::FieldMessage,
        incidents::incident_number,
        layout::{user, Missing, NotAllowed},
        resource::resource,
    },
    domain::{wording_hints, AppError, Question, MAX_ANSWER_LEN, MAX_SUBJECT_LEN},
    model::email::{Composer, Preview},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_location, use_navigate},
};
use std::time::Duration;

/// How long the author pauses before the draft saves and the preview refreshes.
const PAUSE: Duration = Duration::from_millis(500);

/// Whichever mail page the path names: the composer, a stored message, or the admin's
/// lists and outbox (one lazy route serves the three).
#[component]
pub fn MailPages() -> impl IntoView {
    let path = use_location().pathname;
    move || {
        let path = path.get();
        if path.starts_with("/emails/") {
            view! { <message::MessagePage /> }.into_any()
        } else if path.starts_with("/admin/mail") {
            view! { <admin::MailAdminPage /> }.into_any()
        } else {
            view! { <ComposerPage /> }.into_any()
        }
    }
}

#[component]
pub fn ComposerPage() -> impl IntoView {
    let number = incident_number();
    let composer = resource(number, |number| async move {
        match number {
            Some(number) => email_composer(number).await,
            None => Err(AppError::NotFound("That incident".into())),
        }
    });
    let user = user();
    view! {
        <Title text="Email the company" />
        <Suspense fallback=|| view! { <p class="loading">"Loading the composer…"</p> }>
            {move || Suspend::new(async move {
                let _ = user.await;
                match composer.await {
                    Ok(c) => view! { <Compose composer=c /> }.into_any(),
                    Err(AppError::Forbidden) => view! { <NotAllowed /> }.into_any(),
                    Err(AppError::NotFound(what)) => view! { <Missing what /> }.into_any(),
                    Err(e) => view! { <p class="form-error page">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Compose(composer: Composer) -> impl IntoView {
    let number = composer.number;
    let draft = RwSignal::new(composer.draft.clone());
    let version = RwSignal::new(composer.version);
    let error = RwSignal::new(None::<AppError>);
    let saved_note = RwSignal::new(match (&composer.saved_by, &composer.saved) {
        (Some(by), Some(at)) => format!("Draft saved by @{by} at {}", at.text),
        _ => "Not saved yet".to_string(),
    });
    let preview = RwSignal::new(None::<Preview>);
    let team_version = RwSignal::new(0u64);
    let sending = RwSignal::new(false);
    let hints = Memo::new(move |_| draft.with(|d| wording_hints(&d.cause)));
    let replying = composer.replying_to.clone();

    // After each pause in typing: refresh the preview, then save the draft.
    let edits = StoredValue::new(0u64);
    let refresh = move || {
        spawn_local(async move {
            let current = draft.get_untracked();
            if let Ok(p) = preview_email(number, current).await {
                preview.set(Some(p));
            }
        });
    };
    let save = move || {
        spawn_local(async move {
            let current = draft.get_untracked();
            match save_email_draft(number, current, version.get_untracked()).await {
                Ok(saved) => {
                    version.set(saved.version);
                    saved_note.set(format!("Draft saved at {}", saved.at.text));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let edited = move || {
        edits.update_value(|n| *n += 1);
        let mine = edits.get_value();
        set_timeout(
            move || {
                if edits.get_value() == mine {
                    refresh();
                    save();
                }
            },
            PAUSE,
        );
    };
    Effect::new(move |_| {
        team_version.track();
        refresh();
    });
    let reload = move |_| {
        spawn_local(async move {
            if let Ok(fresh) = email_composer(number).await {
                draft.set(fresh.draft);
                version.set(fresh.version);
                error.set(None);
                saved_note.set("Loaded the newer draft".into());
                refresh();
            }
        });
    };
    let navigate = use_navigate();
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sending.get_untracked() {
            return;
        }
        sending.set(true);
        let navigate = navigate.clone();
        spawn_local(async move {
            match send_email(number, draft.get_untracked(), version.get_untracked()).await {
                Ok(_) => navigate(&format!("/incidents/{number}"), Default::default()),
                Err(e) => {
                    error.set(Some(e));
                    sending.set(false);
                }
            }
        });
    };
    let error_shown: Signal<Option<AppError>> = error.into();
    let title = if replying.is_some() {
        "Send an update"
    } else {
        "Email the company"
    };
    let team = composer.team.clone();
    view! {
        <Title text=format!("{title} · #{number}") />
        <section class="page composer" id="composer">
            <p class="number"><A href=format!("/incidents/{number}")>{format!("Incident #{number}")}</A> " · " {composer.title.clone()}</p>
            <h1>{title}</h1>
            {composer.outbox_only.then(|| view! {
                <p class="notice warning" id="outbox-notice">
                    "No SMTP server is configured: a message sent from here goes to the local outbox and is not delivered to anyone."
                </p>
            })}
            {replying.as_ref().map(|r| view! {
                <p class="notice" id="replying-to">
                    {format!("Continues the thread of “{}” ({}): mail clients will group it with the earlier messages.", r.subject, r.queued.text)}
                </p>
            })}
            <div class="composer-grid">
                <form class="stack" id="email-form" on:submit=send>
                    {move || error.get().filter(|e| !matches!(e, AppError::Validation(_))).map(|e| view! {
                        <div class="form-error" role="alert" id="composer-error">
                            <p>{e.to_string()}</p>
                            {matches!(e, AppError::Conflict(_)).then(|| view! {
                                <button type="button" class="button" on:click=reload>"Load the newer draft"</button>
                            })}
                        </div>
                    })}
                    <label>
                        "Subject"
                        <input name="subject" maxlength=MAX_SUBJECT_LEN
                            prop:value=move || draft.with(|d| d.subject.clone())
                            on:input=move |ev| { draft.update(|d| d.subject = event_target_value(&ev)); edited(); } />
                        <span class="hint">"Issue name, date and time."</span>
                    </label>
                    <FieldMessage error=error_shown field="subject" />
                    <p class="template">"Hi everyone,"</p>
                    <p class="template" id="opening">{composer.opening.clone()}</p>
                    <fieldset>
                        <legend>"Issue team"</legend>
                        <TeamEditor number team on_change=Callback::new(move |_| team_version.update(|v| *v += 1)) />
                    </fieldset>
                    {Question::ALL.into_iter().map(|q| view! {
                        <label>
                            {q.heading()}
                            <textarea name=q.field() rows=4 maxlength=MAX_ANSWER_LEN
                                prop:value=move || draft.with(|d| d.answer(q).to_string())
                                on:input=move |ev| { draft.update(|d| *d.answer_mut(q) = event_target_value(&ev)); edited(); }
                            ></textarea>
                            <span class="hint">{q.hint()} " Markdown works."</span>
                        </label>
                        <FieldMessage error=error_shown field=q.field() />
                        {(q == Question::Cause).then(|| view! { <Hints hints /> })}
                        {(q == Question::Customers).then(|| view! {
                            <p class="hint" id="customer-counts">
                                <A href=format!("/incidents/{number}/customers")>"The affected-customers table"</A>
                                {format!(": {} orgs, {} apps ({} rows).", composer.customers.orgs, composer.customers.apps, composer.customers.rows)}
                            </p>
                            <label class="choice">
                                <input type="checkbox" name="attach_csv"
                                    prop:checked=move || draft.with(|d| d.attach_csv)
                                    on:change=move |ev| { draft.update(|d| d.attach_csv = event_target_checked(&ev)); edited(); } />
                                " Attach the table as CSV"
                            </label>
                        })}
                    }.into_any()).collect_view()}
                    <fieldset id="recipients">
                        <legend>"Recipients"</legend>
                        {composer.lists.is_empty().then(|| view! {
                            <p class="hint">"No distribution lists yet: an admin adds them under Mail. Add addresses below meanwhile."</p>
                        })}
                        {composer.lists.iter().map(|l| {
                            let id = l.id;
                            view! {
                                <label class="choice">
                                    <input type="checkbox" name="lists" value=id
                                        prop:checked=move || draft.with(|d| d.lists.contains(&id))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            draft.update(|d| { d.lists.retain(|x| *x != id); if on { d.lists.push(id); } });
                                            edited();
                                        } />
                                    " " <strong>{l.name.clone()}</strong>
                                    <span class="hint">{format!(" {} addresses", l.addresses.len())}</span>
                                </label>
                            }.into_any()
                        }).collect_view()}
                        <FieldMessage error=error_shown field="lists" />
                        <label>
                            "More addresses"
                            <input name="extra" placeholder="cto@example.com, support-lead@example.com"
                                prop:value=move || draft.with(|d| d.extra.clone())
                                on:input=move |ev| { draft.update(|d| d.extra = event_target_value(&ev)); edited(); } />
                        </label>
                        <FieldMessage error=error_shown field="extra" />
                        <FieldMessage error=error_shown field="recipients" />
                    </fieldset>
                    <p class="actions">
                        <button type="submit" class="button primary" id="send-email" disabled=move || sending.get()>
                            {if replying.is_some() { "Send update" } else { "Send" }}
                        </button>
                        " "
                        <span class="hint" id="draft-state">{move || saved_note.get()}</span>
                    </p>
                    {move || (!hints.get().is_empty()).then(|| view! {
                        <p class="hint">{format!("{} wording hint(s) are open: you can send anyway, and the timeline will say so.", hints.get().len())}</p>
                    })}
                </form>
                <PreviewPane preview />
            </div>
        </section>
    }
    .into_any()
}

/// The wording hints of the cause, as the author types.
#[component]
fn Hints(hints: Memo<Vec<crate::domain::WordingHint>>) -> impl IntoView {
    view! {
        <ul class="wording-hints" id="wording-hints" aria-live="polite">
            {move || hints.get().into_iter().map(|h| view! {
                <li class="hint-item">{h.advice()}</li>
            }).collect_view()}
        </ul>
    }
}
