//! Insights (`/insights`): how incidents go, in pictures drawn on the server (so they
//! read before, or without, the page's code), each with its table and a CSV of it.
//! The filters are a plain GET form, like the history's.

use crate::{
    api::insights::read_insights,
    components::resource::resource,
    domain::Severity,
    model::insights::{Chart, FigureTable, Insights, InsightsFilter, INSIGHTS_PATH},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};

#[component]
pub fn InsightsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let get = |key: &str| q.get(key).unwrap_or_default();
            InsightsFilter {
                months: get("months"),
                service: get("service"),
                severity: get("severity"),
            }
        })
    });
    let read = resource(move || filter.get(), read_insights);
    view! {
        <Title text="Insights" />
        <section class="page insights" id="insights">
            <h1>"Insights"</h1>
            <Transition fallback=|| view! { <p class="loading">"Drawing the charts…"</p> }>
                {move || Suspend::new(async move {
                    let filter = filter.get_untracked();
                    match read.await {
                        Ok(read) => view! {
                            <Filters filter=filter.clone() services=read.services.clone() error=None />
                            <Charts read filter />
                        }.into_any(),
                        Err(e) => {
                            let message = ["months", "service", "severity"]
                                .into_iter()
                                .find_map(|field| e.field(field))
                                .unwrap_or_else(|| e.to_string());
                            view! {
                                <Filters filter services=Vec::new() error=Some(message) />
                                <A href=INSIGHTS_PATH>"Show the last 12 months"</A>
                            }.into_any()
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Filters(filter: InsightsFilter, services: Vec<String>, error: Option<String>) -> impl IntoView {
    let months = if filter.months.is_empty() {
        InsightsFilter::DEFAULT_MONTHS.to_string()
    } else {
        filter.months.clone()
    };
    view! {
        <form class="filters insights-filters" id="insights-filters" method="get" action=INSIGHTS_PATH>
            <label>"Period "
                <select name="months" id="insights-months">
                    {InsightsFilter::MONTHS.into_iter().map(|m| view! {
                        <option value=m.to_string() selected=months == m.to_string()>{format!("Last {m} months")}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Service "
                <select name="service" id="insights-service">
                    <option value="" selected=filter.service.is_empty()>"Every service"</option>
                    {services.into_iter().map(|s| view! { <option value=s.clone() selected=filter.service == s>{s.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>"Severity "
                <select name="severity" id="insights-severity">
                    <option value="" selected=filter.severity.is_empty()>"Any"</option>
                    {Severity::ALL.into_iter().map(|s| view! { <option value=s.as_str() selected=filter.severity == s.as_str()>{s.as_str()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit" class="button small primary" id="insights-show">"Show"</button>
        </form>
        {error.map(|message| view! { <p class="form-error" role="alert" id="insights-error">{message}</p> })}
    }
}

#[component]
fn Charts(read: Insights, filter: InsightsFilter) -> impl IntoView {
    view! {
        <p class="hint" id="insights-period">
            {format!("{} incidents, {}.", read.incidents, read.period)}
        </p>
        <div class="charts">
            {read.charts.into_iter().map(|chart| {
                let href = filter.csv_href(chart.kind);
                view! { <ChartFigure chart href /> }
            }).collect_view()}
        </div>
    }
}

#[component]
fn ChartFigure(chart: Chart, href: String) -> impl IntoView {
    let key = chart.kind.key();
    let label = format!(
        "{}: a chart; its figures are in the table below it.",
        chart.title
    );
    view! {
        <figure class="chart" id=key>
            <figcaption>
                <h2>{chart.title.clone()}</h2>
                <p class="hint">{chart.note}</p>
            </figcaption>
            <div class="chart-picture" role="img" aria-label=label inner_html=chart.svg></div>
            <details class="chart-figures">
                <summary>"The figures"</summary>
                <FiguresTable table=chart.table caption=chart.title />
            </details>
            <a class="button small" href=href download=format!("{key}.csv")>"Download CSV"</a>
        </figure>
    }
}

#[component]
fn FiguresTable(table: FigureTable, caption: String) -> impl IntoView {
    view! {
        <div class="table-scroll">
            <table class="figures">
                <caption class="visually-hidden">{caption}</caption>
                <thead>
                    <tr>{table.columns.into_iter().map(|c| view! { <th scope="col">{c}</th> }).collect_view()}</tr>
                </thead>
                <tbody>
                    {table.rows.into_iter().map(|row| {
                        let mut cells = row.into_iter();
                        let head = cells.next().unwrap_or_default();
                        view! {
                            <tr>
                                <th scope="row">{head}</th>
                                {cells.map(|cell| view! { <td>{cell}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
