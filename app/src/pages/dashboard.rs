use crate::{
    api::{
        alerts::{list_feed, AttachAlert},
        incidents::list_incidents,
    },
    components::{
        actions::OpenActions,
        alerts::AlertLine,
        form::{action_error, FormMessage, PostForm},
        incidents::IncidentTable,
        layout::{can, user},
        live::{debounced_bump, LiveBadge, LiveLink, LiveMessage, QUIET},
        postmortems::DuePostmortems,
        resource::{resource, Loaded},
    },
    domain::{AppError, Permission},
    model::{
        alerts::{AlertView, Feed, FeedGroup},
        incidents::IncidentList,
        live::LiveChange,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use std::collections::HashMap;

/// Feed groups pushed by the stream since the page's read, with the event that carried them.
type Pushed = HashMap<(i64, String), (i64, FeedGroup)>;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let incidents_version = RwSignal::new(0u64);
    let feed_version = RwSignal::new(0u64);
    let incidents = resource(move || incidents_version.get(), |_| list_incidents());
    let feed = resource(move || feed_version.get(), |_| list_feed());
    let pushed = RwSignal::new(Pushed::new());
    let link = LiveLink::new();
    let refetch_incidents = debounced_bump(incidents_version, QUIET);
    Effect::new(move |_| {
        let Some(Ok(read)) = feed.get() else { return };
        let refetch_incidents = refetch_incidents.clone();
        link.follow(read.cursor, move |message| match message {
            LiveMessage::Batch(batch) => {
                let mut incidents_changed = false;
                for change in batch.changes {
                    match change {
                        LiveChange::Feed(group) => {
                            pushed.update(|p| {
                                p.insert(group.key(), (batch.id, group));
                            });
                        }
                        LiveChange::Incident(_) => incidents_changed = true,
                        LiveChange::Postmortem { .. } | LiveChange::Presence(_) => {}
                    }
                }
                if incidents_changed {
                    refetch_incidents();
                }
            }
            LiveMessage::Resync => {
                feed_version.update(|v| *v += 1);
                incidents_version.update(|v| *v += 1);
            }
        });
    });
    let responder = can(Permission::Respond);
    let user = user();
    view! {
        <Title text="Dashboard" />
        <section class="page">
            <Transition fallback=|| view! { <p class="loading">"Loading incidents…"</p> }>
                {move || Suspend::new(async move {
                    let _ = user.await;
                    match incidents.await {
                        Ok(all) => {
                            let open: Vec<_> = all.rows.into_iter().filter(|i| i.status.is_open()).collect();
                            view! {
                                <h1>"Open incidents"</h1>
                                {if open.is_empty() {
                                    view! {
                                        <div class="empty-state" id="no-open-incidents">
                                            <p>"No open incidents. All quiet."</p>
                                            <Show
                                                when=move || responder.get()
                                                fallback=|| view! { <p class="hint">"Responders declare incidents; you will see them here as soon as they do."</p> }
                                            >
                                                <p>
                                                    "Something wrong? "
                                                    <A href="/incidents/new">"Declare an incident"</A>
                                                    " and the team will see it here."
                                                </p>
                                            </Show>
                                        </div>
                                    }.into_any()
                                } else {
                                    view! { <IncidentTable id="open-incidents" rows=open /> }.into_any()
                                }}
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>

            <LiveFeed feed pushed incidents link />

            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let all = incidents.await.unwrap_or_default();
                    let resolved: Vec<_> = all.rows.into_iter().filter(|i| !i.status.is_open()).collect();
                    view! {
                        <DuePostmortems incidents=resolved.clone() />
                        <OpenActions counts=all.actions />
                        <h2>"Recently resolved"</h2>
                        {if resolved.is_empty() {
                            view! { <p class="empty-state hint">"No resolved incidents yet."</p> }.into_any()
                        } else {
                            view! { <IncidentTable id="resolved-incidents" rows=resolved /> }.into_any()
                        }}
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// Alerts grouped by source and service, as they arrive.
#[component]
fn LiveFeed(
    feed: Loaded<Result<Feed, AppError>>,
    pushed: RwSignal<Pushed>,
    incidents: Loaded<Result<IncidentList, AppError>>,
    link: LiveLink,
) -> impl IntoView {
    let attach = ServerAction::<AttachAlert>::new();
    let attach_error = action_error(attach);
    let responder = can(Permission::Respond);
    let user = user();
    // The open incidents an alert may be attached to, kept current with the list above.
    let open = Signal::derive(move || {
        incidents
            .get()
            .and_then(Result::ok)
            .unwrap_or_default()
            .rows
            .into_iter()
            .filter(|i| i.status.is_open())
            .map(|i| (i.number, i.title))
            .collect::<Vec<_>>()
    });
    view! {
        <section class="feed" id="live-feed" aria-label="Live feed">
            <header class="feed-head">
                <h2>"Live feed"</h2>
                <LiveBadge link />
            </header>
            <FormMessage error=attach_error />
            <Transition fallback=|| view! { <p class="loading">"Loading alerts…"</p> }>
                {move || Suspend::new(async move {
                    let _ = user.await;
                    match feed.await {
                        Ok(read) => {
                            let groups = Memo::new(move |_| merged(&read.groups, read.cursor, &pushed.get()));
                            view! {
                                <Show
                                    when=move || !groups.read().is_empty()
                                    fallback=|| view! {
                                        <p class="empty-state hint" id="no-alerts">
                                            "No alerts in the last 24 hours. Monitoring tools post to the alert sources an admin sets up."
                                        </p>
                                    }
                                >
                                    <div class="feed-groups">
                                        <For
                                            each=move || groups.get()
                                            key=|g| (g.source_id, g.service.clone(), g.firing, g.untriaged, g.latest.iter().map(|a| (a.id, a.occurrences, a.incident)).collect::<Vec<_>>())
                                            children=move |g| view! { <Group group=g open attach responder /> }
                                        />
                                    </div>
                                </Show>
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
    .into_any()
}

/// The page's groups with what the stream pushed since the read laid over them, in the
/// feed's order.
fn merged(read: &[FeedGroup], cursor: i64, pushed: &Pushed) -> Vec<FeedGroup> {
    let mut groups: HashMap<(i64, String), FeedGroup> =
        read.iter().map(|g| (g.key(), g.clone())).collect();
    for (key, (event, group)) in pushed {
        if *event > cursor {
            groups.insert(key.clone(), group.clone());
        }
    }
    let mut groups: Vec<FeedGroup> = groups.into_values().collect();
    groups.sort_by(FeedGroup::feed_order);
    groups
}

#[component]
fn Group(
    group: FeedGroup,
    open: Signal<Vec<(i64, String)>>,
    attach: ServerAction<AttachAlert>,
    responder: Signal<bool>,
) -> impl IntoView {
    let more = group
        .firing
        .saturating_sub(group.latest.iter().filter(|a| a.state.is_firing()).count() as u64);
    let service = if group.service.is_empty() {
        "no service".to_string()
    } else {
        group.service.clone()
    };
    let open_now = group.untriaged > 0 || group.firing > 0;
    view! {
        <details
            class="feed-group"
            class:quiet=group.firing == 0
            open=open_now
            data-source=group.source.clone()
            data-service=group.service.clone()
        >
            <summary>
                <span class="group-name">
                    <strong>{group.source.clone()}</strong>
                    " · "
                    <span class="service">{service}</span>
                </span>
                <span class="group-counts">
                    <span class="firing-count">{format!("{} firing", group.firing)}</span>
                    {(group.untriaged > 0).then(|| view! {
                        " · " <span class="untriaged-count">{format!("{} untriaged", group.untriaged)}</span>
                    })}
                </span>
            </summary>
            <ul class="alerts">
                {group.latest.into_iter().map(|a| view! { <AlertItem alert=a open attach responder /> }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="hint more">{format!("and {more} more firing")}</p> })}
        </details>
    }
    .into_any()
}

#[component]
fn AlertItem(
    alert: AlertView,
    open: Signal<Vec<(i64, String)>>,
    attach: ServerAction<AttachAlert>,
    responder: Signal<bool>,
) -> impl IntoView {
    let id = alert.id;
    let untriaged = alert.incident.is_none() && alert.state.is_firing();
    let class = format!("alert alert-{}", alert.state.as_str());
    view! {
        <li class=class data-alert=id>
            <AlertLine alert />
            <Show when=move || untriaged && responder.get()>
                <div class="triage">
                    <A href=format!("/incidents/new?alert={id}") attr:class="button small">"Declare incident"</A>
                    <Show when=move || !open.get().is_empty()>
                        <PostForm
                            action=attach
                            read=move |f| f.number("number").map(|number| AttachAlert { alert: id, number })
                            attr:class="inline-form attach-form"
                        >
                            <input type="hidden" name="alert" value=id />
                            <label>
                                <span class="visually-hidden">"Incident"</span>
                                <select name="number" aria-label="Attach to incident">
                                    {move || open.get().into_iter().map(|(n, title)| view! {
                                        <option value=n>{format!("#{n} {title}")}</option>
                                    }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class="button small">"Attach to incident"</button>
                        </PostForm>
                    </Show>
                </div>
            </Show>
        </li>
    }
    .into_any()
}
