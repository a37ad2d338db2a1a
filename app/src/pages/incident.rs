use crate::{
    api::incidents::{get_incident, ChangeSeverity, ChangeStatus, IncidentDetail, TimelineEntry},
    components::{
        badges::{SeverityBadge, StatusBadge},
        form::{action_error, FieldMessage, FormMessage},
        layout::can,
    },
    domain::{AppError, EventKind, Permission, Severity, Status},
    pages::not_found::Missing,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

/// The incident number in the current route (`/incidents/:number/…`), if it is one.
pub fn incident_number() -> impl Fn() -> Option<i64> + Copy + Send + Sync + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("number")
            .and_then(|n| n.parse::<i64>().ok())
    }
}

#[component]
pub fn IncidentPage() -> impl IntoView {
    let number = incident_number();
    let change_status = ServerAction::<ChangeStatus>::new();
    let change_severity = ServerAction::<ChangeSeverity>::new();
    let incident = Resource::new(
        move || {
            (
                number(),
                change_status.version().get(),
                change_severity.version().get(),
            )
        },
        move |(number, _, _)| async move {
            match number {
                Some(number) => get_incident(number).await,
                None => Err(AppError::NotFound("That incident".into())),
            }
        },
    );
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading incident…"</p> }>
            {move || Suspend::new(async move {
                match incident.await {
                    Ok(detail) => view! { <Incident detail change_status change_severity /> }.into_any(),
                    Err(AppError::NotFound(what)) => view! { <Missing what /> }.into_any(),
                    Err(e) => view! { <p class="form-error page">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Incident(
    detail: IncidentDetail,
    change_status: ServerAction<ChangeStatus>,
    change_severity: ServerAction<ChangeSeverity>,
) -> impl IntoView {
    let responder = can(Permission::Respond);
    let status_error = action_error(change_status);
    let severity_error = action_error(change_severity);
    let IncidentDetail {
        number,
        title,
        summary,
        severity,
        status,
        services,
        started,
        detected,
        resolved,
        declared_by,
        leader,
        customers,
        timeline,
    } = detail;
    view! {
        <Title text=format!("#{number} {title}") />
        <article class="page incident" data-number=number>
            <header class="incident-head">
                <p class="number">{format!("Incident #{number}")}</p>
                <h1>{title}</h1>
                <p class="badges">
                    <SeverityBadge severity /> " " <StatusBadge status />
                </p>
            </header>
            <dl class="facts">
                <dt>"Services"</dt>
                <dd class="services">{services.join(", ")}</dd>
                <dt>"Started"</dt>
                <dd><time datetime=started.iso>{started.text}</time></dd>
                <dt>"Declared"</dt>
                <dd><time datetime=detected.iso>{detected.text}</time> " by @" {declared_by}</dd>
                <dt>"Resolved"</dt>
                <dd>{match resolved {
                    Some(at) => view! { <time datetime=at.iso>{at.text}</time> }.into_any(),
                    None => view! { <span class="ongoing">"Ongoing"</span> }.into_any(),
                }}</dd>
                <dt>"Incident Leader"</dt>
                <dd>{leader.map(|l| format!("@{l}")).unwrap_or_else(|| "Nobody yet".into())}</dd>
                <dt>"Affected customers"</dt>
                <dd>
                    <A href=format!("/incidents/{number}/customers") attr:id="customers-link">
                        {format!("{} rows · {} orgs · {} apps", customers.rows, customers.orgs, customers.apps)}
                    </A>
                </dd>
            </dl>
            {(!summary.is_empty()).then(|| view! { <p class="summary">{summary}</p> })}

            <Show when=move || responder.get()>
                <section class="controls" aria-label="Change the incident">
                    <ActionForm action=change_status attr:class="inline-form" attr:id="status-form">
                        <input type="hidden" name="number" value=number />
                        <label>
                            "Status "
                            <select name="status">
                                {Status::ALL.into_iter().map(|s| view! {
                                    <option value=s.as_str() selected=s == status>{s.label()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <button type="submit" class="button">"Update status"</button>
                        <FieldMessage error=status_error field="status" />
                        <FormMessage error=status_error />
                    </ActionForm>
                    <ActionForm action=change_severity attr:class="inline-form" attr:id="severity-form">
                        <input type="hidden" name="number" value=number />
                        <label>
                            "Severity "
                            <select name="severity">
                                {Severity::ALL.into_iter().map(|s| view! {
                                    <option value=s.as_str() selected=s == severity>{s.as_str()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <button type="submit" class="button">"Change severity"</button>
                        <FieldMessage error=severity_error field="severity" />
                        <FormMessage error=severity_error />
                    </ActionForm>
                </section>
            </Show>

            <Timeline entries=timeline />
        </article>
    }
}

/// The incident channel's record, with a filter that works in the browser only.
#[component]
fn Timeline(entries: Vec<TimelineEntry>) -> impl IntoView {
    let filter = RwSignal::new(None::<EventKind>);
    let choices = [
        (None, "Everything"),
        (Some(EventKind::StatusChanged), "Status changes"),
        (Some(EventKind::SeverityChanged), "Severity changes"),
    ];
    view! {
        <section class="timeline" aria-label="Timeline">
            <header class="timeline-head">
                <h2>"Timeline"</h2>
                <div class="filters" role="group" aria-label="Show">
                    {choices.into_iter().map(|(kind, label)| view! {
                        <button
                            type="button"
                            class="chip"
                            aria-pressed=move || (filter.get() == kind).to_string()
                            on:click=move |_| filter.set(kind)
                        >
                            {label}
                        </button>
                    }).collect_view()}
                </div>
            </header>
            <ol class="events">
                {entries.into_iter().map(|e| {
                    let kind = e.kind;
                    view! {
                        <li
                            class=format!("event event-{}", kind.as_str())
                            hidden=move || filter.get().is_some_and(|f| f != kind)
                        >
                            <time datetime=e.at.iso>{format!("[{}]", e.at.text)}</time>
                            " — "
                            <span class="author">{format!("@{}", e.author.unwrap_or_else(|| "stormwatch".into()))}</span>
                            " "
                            <span class="body">{e.body}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
        </section>
    }
}
