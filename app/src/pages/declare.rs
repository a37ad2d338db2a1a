use crate::{
    api::{
        alerts::get_alert,
        incidents::{list_service_names, DeclareIncident},
    },
    components::{
        form::{action_error, FieldMessage, Fields, FormMessage, PostForm},
        layout::{user, NotAllowed},
        resource::resource,
    },
    domain::{Permission, Severity, MAX_SUMMARY_LEN, MAX_TITLE_LEN},
    model::alerts::AlertView,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

/// Declaring from an untriaged alert (`?alert=ID`) starts from its title, service and
/// severity, and attaches it. One Suspense waits for the user and the alert together, so
/// the form hydrates at once (a nested one would leave it hydrating while a quick user
/// already submits it).
#[component]
pub fn DeclarePage() -> impl IntoView {
    let user = user();
    let query = use_query_map();
    let from_alert = resource(
        move || {
            query
                .read()
                .get("alert")
                .and_then(|a| a.parse::<i64>().ok())
        },
        |id| async move {
            match id {
                Some(id) => get_alert(id).await.ok(),
                None => None,
            }
        },
    );
    view! {
        <Title text="Declare an incident" />
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let allowed = user
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|u| u.role.allows(Permission::Respond));
                let alert = from_alert.await;
                if allowed {
                    view! { <Form alert /> }.into_any()
                } else {
                    view! { <NotAllowed /> }.into_any()
                }
            })}
        </Suspense>
    }
}

#[component]
fn Form(alert: Option<AlertView>) -> impl IntoView {
    let declare = ServerAction::<DeclareIncident>::new();
    let default_severity = alert
        .as_ref()
        .and_then(|a| a.severity)
        .unwrap_or(Severity::Sev2);
    let error = action_error(declare);
    let known_services = resource(|| (), |_| list_service_names());
    let pending = declare.pending();
    let alert_id = alert.as_ref().map(|a| a.id);
    // Read from the page at the submit: text typed before hydration counts.
    let read = move |f: &Fields| {
        Some(DeclareIncident {
            title: f.text("title"),
            services: f.text("services"),
            severity: f.text("severity"),
            started_at: f.text("started_at"),
            summary: f.text("summary"),
            alert: alert_id,
        })
    };
    view! {
        <section class="page narrow">
            <h1>"Declare an incident"</h1>
            <p class="hint">"Everyone watching the dashboard sees it at once. You can change anything later."</p>
            <FormMessage error />
            {alert.as_ref().map(|a| view! {
                <p class="notice" id="from-alert">
                    {format!("From the alert “{}” ({}). It will be attached to the incident, with any other untriaged alert about its services.", a.title, a.source)}
                </p>
            })}
            <PostForm action=declare read attr:class="stack" attr:id="declare-form">
                {alert_id.map(|id| view! { <input type="hidden" name="alert" value=id /> })}
                <label>
                    "Title"
                    <input
                        name="title"
                        required
                        maxlength=MAX_TITLE_LEN
                        placeholder="Push campaigns failing to send"
                        value=alert.as_ref().map(|a| a.title.chars().take(MAX_TITLE_LEN).collect::<String>())
                    />
                </label>
                <FieldMessage error field="title" />
                <label>
                    "Services affected"
                    <input
                        name="services"
                        required
                        list="known-services"
                        placeholder="push-api, scheduler"
                        value=alert.as_ref().map(|a| a.service.clone())
                    />
                    <span class="hint">"Separate several with commas."</span>
                </label>
                <datalist id="known-services">
                    <Suspense fallback=|| ()>
                        {move || Suspend::new(async move {
                            known_services.await.unwrap_or_default().into_iter()
                                .map(|name| view! { <option value=name></option> })
                                .collect_view()
                        })}
                    </Suspense>
                </datalist>
                <FieldMessage error field="services" />
                <fieldset class="severity-choice">
                    <legend>"Severity"</legend>
                    {Severity::ALL
                        .into_iter()
                        .map(|s| view! {
                            <label class="choice">
                                <input type="radio" name="severity" value=s.as_str() required checked=s == default_severity />
                                <strong>{s.as_str()}</strong> " " <span class="hint">{s.meaning()}</span>
                            </label>
                        })
                        .collect_view()}
                </fieldset>
                <FieldMessage error field="severity" />
                <label>
                    "Started at"
                    <input name="started_at" type="datetime-local" />
                    <span class="hint">"In your time zone. Leave empty for now."</span>
                </label>
                <FieldMessage error field="started_at" />
                <label>
                    "Summary"
                    <textarea name="summary" rows="4" maxlength=MAX_SUMMARY_LEN placeholder="What are people seeing?"></textarea>
                </label>
                <FieldMessage error field="summary" />
                <div class="actions">
                    <button type="submit" class="button primary" disabled=move || pending.get()>
                        {move || if pending.get() { "Declaring…" } else { "Declare incident" }}
                    </button>
                    <A href="/">"Cancel"</A>
                </div>
            </PostForm>
        </section>
    }
}
