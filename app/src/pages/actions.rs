//! The tracker (`/actions`): every open corrective action across all postmortems,
//! overdue first, then by date; narrowed by assignee ("Mine"), service, incident and
//! status (kept in the address, so a link or the CSV export says the same); an
//! assignee marks their own done from here. Follows the live stream.

use crate::{
    api::actions::{action_tracker, set_corrective_action_status},
    components::{
        live::{debounced_bump, LiveBadge, LiveLink, LiveMessage, QUIET},
        resource::resource,
    },
    domain::{ActionStatus, AppError},
    model::{
        actions::{ActionView, TrackerFilter, TrackerPage, TRACKER_PATH},
        live::LiveChange,
    },
};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::{
    components::A,
    hooks::{use_navigate, use_query_map},
};

#[component]
pub fn TrackerPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| TrackerFilter {
            assignee: q.get("assignee").unwrap_or_default(),
            service: q.get("service").unwrap_or_default(),
            incident: q.get("incident").unwrap_or_default(),
            status: q.get("status").unwrap_or_default(),
        })
    });
    let version = RwSignal::new(0u64);
    let page = resource(
        move || (filter.get(), version.get()),
        |(f, _)| action_tracker(f.assignee, f.service, f.incident, f.status),
    );
    let link = LiveLink::new();
    let bump = debounced_bump(version, QUIET);
    Effect::new(move |previous: Option<()>| {
        if previous.is_some() {
            return;
        }
        let Some(Ok(read)) = page.get() else { return };
        let bump = bump.clone();
        link.follow(read.cursor, move |message| match message {
            LiveMessage::Batch(batch) => {
                if batch
                    .changes
                    .iter()
                    .any(|c| matches!(c, LiveChange::Incident(_)))
                {
                    bump();
                }
            }
            LiveMessage::Resync => version.update(|v| *v += 1),
        });
    });
    view! {
        <Title text="Corrective actions" />
        <section class="page tracker" id="tracker">
            <h1>"Corrective actions" <LiveBadge link /></h1>
            <Transition fallback=|| view! { <p class="loading">"Loading the actions…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok(read) => view! { <Tracker read filter=filter.get_untracked() version /> }.into_any(),
                        Err(AppError::Validation(errors)) => view! {
                            <p class="form-error" role="alert">{errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join(" ")}</p>
                            <A href=TRACKER_PATH>"Show every open action"</A>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error page">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Tracker(read: TrackerPage, filter: TrackerFilter, version: RwSignal<u64>) -> impl IntoView {
    let navigate = use_navigate();
    let go = {
        let filter = filter.clone();
        move |change: &dyn Fn(&mut TrackerFilter)| {
            let mut next = filter.clone();
            change(&mut next);
            let query = next.query();
            let path = if query.is_empty() {
                TRACKER_PATH.to_string()
            } else {
                format!("{TRACKER_PATH}?{query}")
            };
            navigate(&path, Default::default());
        }
    };
    let mine = filter.assignee == "me";
    let csv = match filter.query() {
        q if q.is_empty() => "/actions.csv".to_string(),
        q => format!("/actions.csv?{q}"),
    };
    let shown = read.rows.len() as u64;
    let overdue_class = if read.counts.overdue > 0 {
        "due due-overdue"
    } else {
        ""
    };
    let (g1, g2, g3, g4, g5) = (go.clone(), go.clone(), go.clone(), go.clone(), go);
    view! {
        <p class="tracker-counts" id="tracker-counts">
            {format!("{} open", read.counts.open)}
            " · "
            <span class=overdue_class>{format!("{} overdue", read.counts.overdue)}</span>
            " · "
            <a href=csv rel="external" download="" id="tracker-csv">"Export CSV"</a>
        </p>
        <form class="filters" id="tracker-filters" on:submit=|ev| ev.prevent_default()>
            <button type="button" id="filter-mine" class=if mine { "button small primary" } else { "button small" }
                aria-pressed=mine.to_string()
                on:click=move |_| g1(&|f| f.assignee = if mine { String::new() } else { "me".into() })>"Mine"</button>
            <label>"Assignee "
                <select id="filter-assignee" on:change=move |ev| { let v = event_target_value(&ev); g2(&|f| f.assignee = v.clone()) }>
                    <option value="" selected=filter.assignee.is_empty()>"Anyone"</option>
                    <option value="me" selected=mine>"Me"</option>
                    {read.people.iter().map(|p| view! { <option value=p.id selected=filter.assignee == p.id.to_string()>{p.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Service "
                <select id="filter-service" on:change=move |ev| { let v = event_target_value(&ev); g3(&|f| f.service = v.clone()) }>
                    <option value="" selected=filter.service.is_empty()>"Any"</option>
                    {read.services.iter().map(|s| view! { <option value=s.clone() selected=filter.service == *s>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Incident "
                <input id="filter-incident" inputmode="numeric" size="5" placeholder="#" value=filter.incident.clone()
                    on:change=move |ev| { let v = event_target_value(&ev); g4(&|f| f.incident = v.clone()) } />
            </label>
            <label>"Status "
                <select id="filter-status" on:change=move |ev| { let v = event_target_value(&ev); g5(&|f| f.status = v.clone()) }>
                    <option value="" selected=filter.status.is_empty()>"Open and in progress"</option>
                    {ActionStatus::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=filter.status == s.as_str()>{s.label()}</option> }).collect_view()}
                    <option value="all" selected=filter.status == "all">"All"</option>
                </select>
            </label>
        </form>
        {(read.total > shown).then(|| view! {
            <p class="hint" id="tracker-more">{format!("Showing the first {shown} of {}: narrow the filters, or export the CSV for all.", read.total)}</p>
        })}
        {if read.rows.is_empty() {
            view! { <p class="empty-state hint" id="no-actions">"No corrective actions match."</p> }.into_any()
        } else {
            view! {
                <table class="tracker-table" id="tracker-table">
                    <thead><tr><th>"Action"</th><th>"Incident"</th><th>"Assignee"</th><th>"Due"</th><th>"Status"</th><th></th></tr></thead>
                    <tbody>
                        {read.rows.into_iter().map(|a| view! { <Row action=a version /> }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

#[component]
fn Row(action: ActionView, version: RwSignal<u64>) -> impl IntoView {
    let error = RwSignal::new(None::<AppError>);
    let (id, row_version) = (action.id, action.version);
    let done = move |_| {
        spawn_local(async move {
            match set_corrective_action_status(
                id,
                row_version,
                ActionStatus::Done.as_str().into(),
                String::new(),
            )
            .await
            {
                Ok(()) => version.update(|v| *v += 1),
                Err(e) => {
                    version.update(|v| *v += 1);
                    error.set(Some(e));
                }
            }
        })
    };
    let number = action.incident;
    view! {
        <tr class=format!("tracker-row action-{}", action.status.as_str()) data-action=id>
            <td><A href=format!("/incidents/{number}/postmortem#action-{id}")>{action.title.clone()}</A>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e.to_string()}</p> })}
            </td>
            <td><A href=format!("/incidents/{number}")>{format!("#{number} {}", action.incident_title)}</A></td>
            <td>"@"{action.assignee.name.clone()}</td>
            <td>
                <time datetime=action.due.clone()>{action.due.clone()}</time>
                {action.standing.clone().map(|s| view! { <span class=format!("due due-{}", s.urgency.as_str())>" "{s.words}</span> })}
            </td>
            <td>{action.status.label()}</td>
            <td>
                {(action.can_change && action.status.is_open()).then(|| view! {
                    <button type="button" class="button small mark-done" on:click=done>"Mark done"</button>
                })}
            </td>
        </tr>
    }
}
