//! Incidents as several pages show them: the table of the dashboard and the status
//! view, and the incident number of the current route.

use crate::{
    components::badges::{SeverityBadge, StatusBadge},
    model::incidents::IncidentSummary,
};
use leptos::prelude::*;
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
    .into_any()
}
