//! The incident history (`/incidents`): every incident, newest first, with filters and
//! a full-text search over titles, summaries, channel messages and postmortems, a page
//! at a time. The filters are a plain GET form, so the address says what is shown and
//! the page works before (or without) its code.

use crate::{
    api::incidents::incident_history,
    components::{incidents::IncidentTable, resource::resource},
    domain::{AppError, Severity, Status},
    model::history::{HistoryFilter, HistoryPage, HISTORY_PATH},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

#[component]
pub fn IncidentHistory() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let get = |key: &str| q.get(key).unwrap_or_default();
            HistoryFilter {
                q: get("q"),
                severity: get("severity"),
                status: get("status"),
                service: get("service"),
                from: get("from"),
                to: get("to"),
                open_actions: get("open_actions"),
                page: get("page"),
            }
        })
    });
    let page = resource(move || filter.get(), incident_history);
    view! {
        <Title text="Incident history" />
        <section class="page incident-history" id="history">
            <h1>"Incident history"</h1>
            <Transition fallback=|| view! { <p class="loading">"Loading the history…"</p> }>
                {move || Suspend::new(async move {
                    let filter = filter.get_untracked();
                    match page.await {
                        Ok(read) => view! { <Filters filter=filter.clone() services=read.services.clone() error=None /> <Results read filter /> }.into_any(),
                        Err(e @ AppError::Validation(_)) => view! {
                            <Filters filter services=Vec::new() error=Some(e) />
                            <A href=HISTORY_PATH>"Show every incident"</A>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error page">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Filters(filter: HistoryFilter, services: Vec<String>, error: Option<AppError>) -> impl IntoView {
    let field_error = |field: &str| error.as_ref().and_then(|e| e.field(field));
    let errors: Vec<String> = [
        "q",
        "severity",
        "status",
        "service",
        "from",
        "to",
        "open_actions",
        "page",
    ]
    .into_iter()
    .filter_map(field_error)
    .collect();
    view! {
        <form class="filters history-filters" id="history-filters" method="get" action=HISTORY_PATH role="search">
            <label class="search">"Search "
                <input type="search" name="q" id="history-q" value=filter.q.clone() maxlength="200"
                    placeholder="Words in titles, messages, postmortems" />
            </label>
            <label>"Severity "
                <select name="severity" id="history-severity">
                    <option value="" selected=filter.severity.is_empty()>"Any"</option>
                    {Severity::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=filter.severity == s.as_str()>{s.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Status "
                <select name="status" id="history-status">
                    <option value="" selected=filter.status.is_empty()>"Any"</option>
                    {Status::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=filter.status == s.as_str()>{s.label()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Service "
                <select name="service" id="history-service">
                    <option value="" selected=filter.service.is_empty()>"Any"</option>
                    {services.into_iter().map(|s| view! { <option value=s.clone() selected=filter.service == s>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"From " <input type="date" name="from" id="history-from" value=filter.from.clone() /></label>
            <label>"To " <input type="date" name="to" id="history-to" value=filter.to.clone() /></label>
            <label class="check">
                <input type="checkbox" name="open_actions" value="1" id="history-open-actions" checked=filter.open_actions == "1" />
                " Has open actions"
            </label>
            <button type="submit" class="button small primary" id="history-search">"Search"</button>
        </form>
        {(!errors.is_empty()).then(|| view! { <p class="form-error" role="alert" id="history-error">{errors.join(" ")}</p> })}
    }
}

#[component]
fn Results(read: HistoryPage, filter: HistoryFilter) -> impl IntoView {
    let link = |page: u64| {
        let query = filter.at_page(page).query();
        if query.is_empty() {
            HISTORY_PATH.to_string()
        } else {
            format!("{HISTORY_PATH}?{query}")
        }
    };
    let first = (read.page - 1) * HistoryPage::PER_PAGE + 1;
    let last = first + read.rows.len() as u64 - 1;
    let (previous, next) = (
        (read.page > 1).then(|| link(read.page - 1)),
        (read.page < read.pages).then(|| link(read.page + 1)),
    );
    view! {
        {if read.rows.is_empty() {
            view! { <p class="empty-state hint" id="history-none">"No incident matches."</p> }.into_any()
        } else {
            view! {
                <p class="hint" id="history-count">{format!("{first}–{last} of {}", read.total)}</p>
                <IncidentTable id="history-incidents" rows=read.rows />
            }.into_any()
        }}
        {(read.pages > 1).then(|| view! {
            <nav class="pager" aria-label="Pages">
                {previous.map(|href| view! { <A href=href attr:id="history-previous" attr:rel="prev">"← Newer"</A> })}
                <span>{format!("Page {} of {}", read.page, read.pages)}</span>
                {next.map(|href| view! { <A href=href attr:id="history-next" attr:rel="next">"Older →"</A> })}
            </nav>
        })}
    }
}
