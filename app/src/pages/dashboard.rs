use crate::{
    api::incidents::{list_incidents, IncidentSummary},
    components::{
        badges::{SeverityBadge, StatusBadge},
        layout::can,
    },
    domain::Permission,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let incidents = Resource::new(|| (), |_| list_incidents());
    let responder = can(Permission::Respond);
    view! {
        <Title text="Dashboard" />
        <section class="page">
            <Transition fallback=|| view! { <p class="loading">"Loading incidents…"</p> }>
                {move || Suspend::new(async move {
                    match incidents.await {
                        Ok(all) => {
                            let (open, resolved): (Vec<_>, Vec<_>) = all.into_iter().partition(|i| i.status.is_open());
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
                                <h2>"Recently resolved"</h2>
                                {if resolved.is_empty() {
                                    view! { <p class="empty-state hint">"No resolved incidents yet."</p> }.into_any()
                                } else {
                                    view! { <IncidentTable id="resolved-incidents" rows=resolved /> }.into_any()
                                }}
                            }
                                .into_any()
                        }
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn IncidentTable(id: &'static str, rows: Vec<IncidentSummary>) -> impl IntoView {
    view! {
        <table class="incidents" id=id>
            <thead>
                <tr>
                    <th>"#"</th>
                    <th>"Severity"</th>
                    <th>"Title"</th>
                    <th>"Services"</th>
                    <th>"Status"</th>
                    <th>"Affected customers"</th>
                    <th>"Started"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|i| {
                        let href = format!("/incidents/{}", i.number);
                        view! {
                            <tr class="incident-row" data-number=i.number>
                                <td class="number">{format!("#{}", i.number)}</td>
                                <td><SeverityBadge severity=i.severity /></td>
                                <td class="title"><A href=href>{i.title}</A></td>
                                <td class="services">{i.services.join(", ")}</td>
                                <td><StatusBadge status=i.status /></td>
                                <td class="affected">
                                    {(i.customers.rows > 0).then(|| view! {
                                        <A href=format!("/incidents/{}/customers", i.number)>
                                            {format!("{} orgs · {} apps", i.customers.orgs, i.customers.apps)}
                                        </A>
                                    })}
                                </td>
                                <td><time datetime=i.started.iso>{i.started.text}</time></td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}
