//! The table itself: a page of rows with sortable headers, the add-row form, deleting
//! with undo, and copying as TSV.

use super::{cell::Cell, import::Importer, Table};
use crate::{
    api::customers::{add_customer, customers_tsv, delete_customers, restore_customers},
    domain::{AppError, Customer, CustomerField, MAX_ID_LEN, MAX_NOTE_LEN, MAX_ORG_NAME_LEN},
    model::customers::{CustomerPage, CustomerRow, PAGE_SIZE},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_router::components::A;
use std::{collections::BTreeSet, time::Duration};

/// How long "Undo" stays offered after a delete.
const UNDO_FOR: Duration = Duration::from_secs(8);

#[component]
pub(super) fn Loaded(page: CustomerPage, table: Table) -> AnyView {
    let number = table.number;
    let counts = page.counts;
    let first = page.page * PAGE_SIZE + 1;
    let last = page.page * PAGE_SIZE + page.rows.len() as u64;
    let matching = page.matching;
    let has_next = last < matching;
    let ids: Vec<i64> = page.rows.iter().map(|r| r.id).collect();
    view! {
        <p class="crumbs">
            <A href=format!("/incidents/{number}")>{format!("← #{number} {}", page.incident_title)}</A>
        </p>
        <div class="customers-head">
            <h1>"Affected customers"</h1>
            <p class="counts" id="customer-counts">
                <strong data-count="rows">{counts.rows}</strong> " rows · "
                <strong data-count="orgs">{counts.orgs}</strong> " orgs · "
                <strong data-count="apps">{counts.apps}</strong> " apps"
            </p>
        </div>
        <div class="toolbar">
            <input
                type="search"
                aria-label="Filter"
                placeholder="Filter by any column"
                prop:value=move || table.filter.get()
                on:change=move |ev| {
                    table.filter.set(event_target_value(&ev));
                    table.page.set(0);
                }
            />
            <a class="button" id="export-csv" href=format!("/incidents/{number}/customers.csv") download="">
                "Export CSV"
            </a>
            <CopyTsv number table />
        </div>
        <Message table />
        <Show when=move || table.editable.get()>
            <Importer table />
        </Show>
        <table class="customers" id="customer-table">
            <thead>
                <tr>
                    <Show when=move || table.editable.get()>
                        <th class="select">
                            <input
                                type="checkbox"
                                aria-label="Select all on this page"
                                on:change={
                                    let ids = ids.clone();
                                    move |ev| {
                                        let on = event_target_checked(&ev);
                                        table.selected.update(|s| {
                                            for id in &ids {
                                                if on { s.insert(*id); } else { s.remove(id); }
                                            }
                                        });
                                    }
                                }
                            />
                        </th>
                    </Show>
                    {CustomerField::ALL.map(|f| view! { <SortHeader table key=f.as_str() label=f.label() /> })}
                    <th>"Added by"</th>
                    <SortHeader table key="added_at" label="Added" />
                </tr>
            </thead>
            <tbody>
                <Show when=move || table.editable.get()>
                    <AddRow table />
                </Show>
                {page.rows.into_iter().map(|row| view! { <Line row table /> }).collect_view()}
            </tbody>
        </table>
        {(matching == 0).then(|| view! {
            <p class="empty-state" id="no-customers">
                {if counts.rows == 0 { "No affected customers yet." } else { "No row matches the filter." }}
            </p>
        })}
        <div class="pager">
            <DeleteSelected table />
            <span class="hint" id="page-range">
                {if matching == 0 { String::new() } else { format!("Rows {first}–{last} of {matching}") }}
            </span>
            <button class="button" disabled=page.page == 0 on:click=move |_| table.page.update(|p| *p = p.saturating_sub(1))>
                "Previous"
            </button>
            <button class="button" disabled=!has_next on:click=move |_| table.page.update(|p| *p += 1)>
                "Next"
            </button>
        </div>
    }
    .into_any()
}

#[component]
fn SortHeader(table: Table, key: &'static str, label: &'static str) -> impl IntoView {
    let active = move || table.sort.get() == key;
    view! {
        <th aria-sort=move || match (active(), table.descending.get()) {
            (false, _) => "none",
            (true, false) => "ascending",
            (true, true) => "descending",
        }>
            <button
                class="link sort"
                on:click=move |_| {
                    if active() {
                        table.descending.update(|d| *d = !*d);
                    } else {
                        table.sort.set(key.to_string());
                        table.descending.set(false);
                    }
                    table.page.set(0);
                }
            >
                {label}
                {move || match (active(), table.descending.get()) {
                    (false, _) => "",
                    (true, false) => " ▲",
                    (true, true) => " ▼",
                }}
            </button>
        </th>
    }
}

#[component]
fn Message(table: Table) -> impl IntoView {
    move || {
        table.message.get().map(|m| match m {
            Ok(text) => view! { <p class="notice" id="customers-message" role="status">{text}</p> }
                .into_any(),
            Err(text) => {
                view! { <p class="form-error" id="customers-message" role="alert">{text}</p> }
                    .into_any()
            }
        })
    }
}

/// A row of the table; responders edit any cell in place.
#[component]
fn Line(row: CustomerRow, table: Table) -> impl IntoView {
    let id = row.id;
    let checked = move || table.selected.read().contains(&id);
    view! {
        <tr class="customer-row" data-id=id data-org-id=row.customer.org_id.clone()>
            <Show when=move || table.editable.get()>
                <td class="select">
                    <input
                        type="checkbox"
                        aria-label="Select row"
                        prop:checked=checked
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            table.selected.update(|s| { if on { s.insert(id); } else { s.remove(&id); } });
                        }
                    />
                </td>
            </Show>
            {CustomerField::ALL.map(|field| view! {
                <Cell table id field value=row.customer.get(field).to_string() />
            })}
            <td class="added-by">{row.added_by.unwrap_or_default()}</td>
            <td class="added-at"><time datetime=row.added_at.iso>{row.added_at.text}</time></td>
        </tr>
    }
    .into_any()
}

/// The inline form at the top of the table.
#[component]
fn AddRow(table: Table) -> impl IntoView {
    let fields = CustomerField::ALL.map(|_| RwSignal::new(String::new()));
    let problems = RwSignal::new(Vec::<(CustomerField, String)>::new());
    let add = move |_| {
        let mut raw = Customer::default();
        for (field, value) in CustomerField::ALL.into_iter().zip(fields) {
            raw.set(field, value.get_untracked());
        }
        if let Err(AppError::Validation(errors)) = Customer::parse(&raw) {
            problems.set(
                errors
                    .into_iter()
                    .filter_map(|e| CustomerField::parse_name(&e.field).map(|f| (f, e.message)))
                    .collect(),
            );
            return;
        }
        problems.set(Vec::new());
        let number = table.number;
        spawn_local(async move {
            match add_customer(
                number,
                raw.org_name,
                raw.org_id,
                raw.app_id,
                raw.campaign_id,
                raw.note,
            )
            .await
            {
                Ok(()) => {
                    for f in fields {
                        f.set(String::new());
                    }
                    table.say(Ok("Added 1 affected customer.".into()));
                    table.reload();
                }
                Err(e) => table.say(Err(e.to_string())),
            }
        });
    };
    view! {
        <tr class="add-row" id="add-customer">
            <td class="select"></td>
            {CustomerField::ALL
                .into_iter()
                .zip(fields)
                .map(|(field, value)| {
                    let max = match field {
                        CustomerField::OrgName => MAX_ORG_NAME_LEN,
                        CustomerField::Note => MAX_NOTE_LEN,
                        _ => MAX_ID_LEN,
                    };
                    view! {
                        <td>
                            <input
                                name=field.as_str()
                                aria-label=format!("New {}", field.label())
                                placeholder=field.label()
                                maxlength=max
                                prop:value=move || value.get()
                                on:input=move |ev| {
                                    let raw = event_target_value(&ev);
                                    problems.update(|p| p.retain(|(f, _)| *f != field));
                                    if !raw.trim().is_empty() {
                                        if let Err(m) = field.parse(&raw) {
                                            problems.update(|p| p.push((field, m)));
                                        }
                                    }
                                    value.set(raw);
                                }
                            />
                            {move || problems.get().into_iter().find(|(f, _)| *f == field).map(|(_, m)| view! {
                                <span class="field-error" id=format!("new-{}-error", field.as_str())>{m}</span>
                            })}
                        </td>
                    }
                })
                .collect_view()}
            <td colspan="2">
                <button class="button primary" on:click=add>"Add row"</button>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn DeleteSelected(table: Table) -> impl IntoView {
    let removed = table.removed;
    let delete = move |_| {
        let ids: Vec<i64> = table.selected.get_untracked().into_iter().collect();
        if ids.is_empty() {
            return;
        }
        let number = table.number;
        spawn_local(async move {
            match delete_customers(number, ids).await {
                Ok(rows) => {
                    table.selected.set(BTreeSet::new());
                    table.message.set(None);
                    removed.set(Some(rows));
                    table.reload();
                    set_timeout(move || removed.set(None), UNDO_FOR);
                }
                Err(e) => table.say(Err(e.to_string())),
            }
        });
    };
    let undo = move |_| {
        let Some(rows) = removed.get_untracked() else {
            return;
        };
        removed.set(None);
        let number = table.number;
        spawn_local(async move {
            match restore_customers(number, rows).await {
                Ok(n) => {
                    table.say(Ok(format!("Restored {n} rows.")));
                    table.reload();
                }
                Err(e) => table.say(Err(e.to_string())),
            }
        });
    };
    view! {
        <Show when=move || table.editable.get()>
            <button
                class="button"
                id="delete-selected"
                disabled=move || table.selected.read().is_empty()
                on:click=delete
            >
                {move || format!("Delete selected ({})", table.selected.read().len())}
            </button>
        </Show>
        {move || removed.get().map(|rows| view! {
            <span class="undo" id="undo-delete" role="status">
                {format!("Removed {} rows. ", rows.len())}
                <button class="link" on:click=undo>"Undo"</button>
            </span>
        })}
    }
    .into_any()
}

#[component]
fn CopyTsv(number: i64, table: Table) -> impl IntoView {
    let copy = move |_| {
        spawn_local(async move {
            match customers_tsv(number).await {
                Ok(tsv) => {
                    let lines = tsv.lines().count().saturating_sub(1);
                    match crate::components::browser::copy_text(&tsv).await {
                        Ok(()) => table.say(Ok(format!("Copied {lines} rows as tab-separated text: paste them into a spreadsheet."))),
                        Err(e) => table.say(Err(format!("The browser refused the clipboard: {e}"))),
                    }
                }
                Err(e) => table.say(Err(e.to_string())),
            }
        });
    };
    view! { <button class="button" id="copy-tsv" on:click=copy>"Copy as TSV"</button> }
}
