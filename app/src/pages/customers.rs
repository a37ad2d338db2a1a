//! "Affected customers": the per-incident table that replaces the Google Sheet.
//! Server-side paging (the DOM never holds more than a page), sort by any column,
//! filter, counts; responders add, edit in place, delete with undo, paste or import.

use crate::{
    api::customers::{
        add_customer, commit_import, customers_tsv, delete_customers, list_customers,
        restore_customers, stage_customers, update_customer,
    },
    components::{
        incidents::incident_number,
        layout::{can, Missing},
    },
    domain::{
        plan_import, AppError, Customer, CustomerField, Permission, RowProblem, MAX_ID_LEN,
        MAX_NOTE_LEN, MAX_ORG_NAME_LEN,
    },
    model::customers::{CustomerPage, CustomerRow, PAGE_SIZE, STAGE_BATCH},
};
use leptos::{prelude::*, task::spawn_local};
use leptos_meta::Title;
use leptos_router::components::A;
use std::{collections::BTreeSet, time::Duration};

/// How long "Undo" stays offered after a delete.
const UNDO_FOR: Duration = Duration::from_secs(8);
/// Problems listed in an import preview (the rest are counted).
const PROBLEMS_SHOWN: usize = 100;

#[derive(Clone, Copy)]
struct Table {
    number: i64,
    sort: RwSignal<String>,
    descending: RwSignal<bool>,
    filter: RwSignal<String>,
    page: RwSignal<u64>,
    /// Bumped after every change, to reload the page of rows and the counts.
    version: RwSignal<u64>,
    selected: RwSignal<BTreeSet<i64>>,
    message: RwSignal<Option<Result<String, String>>>,
    /// Rows just deleted, while "Undo" is offered. This and the import's state live
    /// here, not in the page of rows, so they outlive its reloads.
    removed: RwSignal<Option<Vec<Customer>>>,
    paste: RwSignal<String>,
    import: RwSignal<Import>,
    editable: Signal<bool>,
}

impl Table {
    fn reload(&self) {
        self.version.update(|v| *v += 1);
    }
    fn say(&self, message: Result<String, String>) {
        self.message.set(Some(message));
    }
}

#[component]
pub fn CustomersPage() -> impl IntoView {
    let number = incident_number();
    view! {
        <Title text="Affected customers" />
        {move || match number() {
            Some(number) => view! { <CustomersTable number /> }.into_any(),
            None => view! { <Missing what="That incident".to_string() /> }.into_any(),
        }}
    }
}

#[component]
fn CustomersTable(number: i64) -> impl IntoView {
    let table = Table {
        number,
        sort: RwSignal::new("added_at".to_string()),
        descending: RwSignal::new(false),
        filter: RwSignal::new(String::new()),
        page: RwSignal::new(0),
        version: RwSignal::new(0),
        selected: RwSignal::new(BTreeSet::new()),
        message: RwSignal::new(None),
        removed: RwSignal::new(None),
        paste: RwSignal::new(String::new()),
        import: RwSignal::new(Import::Idle),
        editable: can(Permission::Respond),
    };
    let rows = Resource::new(
        move || {
            (
                table.sort.get(),
                table.descending.get(),
                table.filter.get(),
                table.page.get(),
                table.version.get(),
            )
        },
        move |(sort, descending, filter, page, _)| {
            list_customers(number, sort, descending, filter, page)
        },
    );
    let user = crate::components::layout::user();
    view! {
        <section class="page" id="customers">
            <Transition fallback=|| view! { <p class="loading">"Loading affected customers…"</p> }>
                {move || Suspend::new(async move {
                    let _ = user.await;
                    match rows.await {
                        Ok(page) => view! { <Loaded page table /> }.into_any(),
                        Err(AppError::NotFound(what)) => view! { <Missing what /> }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Loaded(page: CustomerPage, table: Table) -> AnyView {
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

#[component]
fn Cell(table: Table, id: i64, field: CustomerField, value: String) -> impl IntoView {
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(value.clone());
    let problem = RwSignal::new(None::<String>);
    let shown = value.clone();
    let original = StoredValue::new(value);
    let save = move || {
        let raw = draft.get_untracked();
        if original.with_value(|v| raw.trim() == v.trim()) {
            editing.set(false);
            return;
        }
        // The same rule as the server's, at once.
        if let Err(message) = field.parse(&raw) {
            problem.set(Some(message));
            return;
        }
        editing.set(false);
        let number = table.number;
        spawn_local(async move {
            match update_customer(number, id, field.as_str().to_string(), raw).await {
                Ok(()) => table.reload(),
                Err(e) => table.say(Err(e
                    .field(field.as_str())
                    .unwrap_or_else(|| e.to_string()))),
            }
        });
    };
    view! {
        <td class=format!("cell {}", field.as_str()) data-field=field.as_str()>
            {move || if editing.get() {
                view! {
                    <input
                        class="cell-input"
                        aria-label=field.label()
                        prop:value=move || draft.get()
                        on:input=move |ev| {
                            let raw = event_target_value(&ev);
                            problem.set(field.parse(&raw).err());
                            draft.set(raw);
                        }
                        on:keydown=move |ev| match ev.key().as_str() {
                            "Enter" => save(),
                            "Escape" => {
                                problem.set(None);
                                draft.set(original.get_value());
                                editing.set(false);
                            }
                            _ => {}
                        }
                        on:blur=move |_| save()
                        autofocus
                    />
                    {move || problem.get().map(|m| view! { <span class="field-error cell-error">{m}</span> })}
                }.into_any()
            } else {
                let shown = shown.clone();
                view! {
                    <span
                        class="cell-value"
                        tabindex=move || if table.editable.get() { "0" } else { "-1" }
                        title=move || if table.editable.get() { "Click to edit" } else { "" }
                        on:click=move |_| if table.editable.get_untracked() { editing.set(true) }
                    >
                        {shown}
                    </span>
                }.into_any()
            }}
        </td>
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

/// Where an import stands.
#[derive(Clone, Debug, PartialEq)]
enum Import {
    Idle,
    Checking { done: usize, total: usize },
    Ready(Preview),
    Saving,
}

#[derive(Clone, Debug, PartialEq)]
struct Preview {
    import_id: String,
    to_add: usize,
    sample: Vec<Customer>,
    duplicates: Vec<RowProblem>,
    errors: Vec<RowProblem>,
}

/// Paste from a spreadsheet or pick a CSV file; see what will happen; save.
#[component]
fn Importer(table: Table) -> impl IntoView {
    let text = table.paste;
    let state = table.import;
    let file_input = NodeRef::<leptos::html::Input>::new();
    let check = move |sheet: String| {
        let number = table.number;
        table.message.set(None);
        let plan = match plan_import(&sheet) {
            Ok(plan) => plan,
            Err(message) => {
                table.say(Err(message));
                return;
            }
        };
        if plan.valid.is_empty() && plan.errors.is_empty() && plan.duplicates.is_empty() {
            table.say(Err("There are no rows to import.".into()));
            return;
        }
        let total = plan.valid.len();
        state.set(Import::Checking { done: 0, total });
        spawn_local(async move {
            let mut preview = Preview {
                import_id: String::new(),
                to_add: 0,
                sample: plan.valid.iter().take(5).map(|(_, c)| c.clone()).collect(),
                duplicates: plan.duplicates,
                errors: plan.errors,
            };
            let mut done = 0;
            for batch in plan.valid.chunks(STAGE_BATCH) {
                match stage_customers(number, preview.import_id.clone(), batch.to_vec()).await {
                    Ok(report) => {
                        preview.import_id = report.import_id;
                        preview.to_add += report.staged;
                        preview.duplicates.extend(report.existing);
                        preview.errors.extend(report.errors);
                    }
                    Err(e) => {
                        state.set(Import::Idle);
                        table.say(Err(format!("The import could not be checked: {e}")));
                        return;
                    }
                }
                done += batch.len();
                state.set(Import::Checking { done, total });
            }
            preview.duplicates.sort_by_key(|p| p.row);
            preview.errors.sort_by_key(|p| p.row);
            state.set(Import::Ready(preview));
        });
    };
    let save = move |import_id: String| {
        let number = table.number;
        state.set(Import::Saving);
        spawn_local(async move {
            match commit_import(number, import_id).await {
                Ok(added) => {
                    text.set(String::new());
                    state.set(Import::Idle);
                    table.say(Ok(format!("Added {added} affected customers.")));
                    table.page.set(0);
                    table.reload();
                }
                Err(e) => {
                    state.set(Import::Idle);
                    table.say(Err(format!("Nothing was saved: {e}")));
                }
            }
        });
    };
    let pick_file = move |_| {
        let Some(input) = file_input.get_untracked() else {
            return;
        };
        spawn_local(async move {
            match crate::components::browser::read_picked_file(&input).await {
                Ok(Some(contents)) => check(contents),
                Ok(None) => {}
                Err(e) => table.say(Err(format!("The file could not be read: {e}"))),
            }
        });
    };
    view! {
        <details class="importer" open=move || !matches!(state.get(), Import::Idle) || !text.read().is_empty()>
            <summary>"Paste or import rows"</summary>
            <div class="import-inputs">
                <label class="paste">
                    "Paste rows from a spreadsheet (with or without a header row)"
                    <textarea
                        id="paste-rows"
                        rows="4"
                        placeholder="Acme Corp\t1042\tweb\tspring-sale"
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    ></textarea>
                </label>
                <button class="button" id="preview-paste" on:click=move |_| check(text.get_untracked())>
                    "Preview pasted rows"
                </button>
                <label class="file">
                    "…or import a CSV file "
                    <input type="file" id="import-file" accept=".csv,.tsv,.txt,text/csv,text/plain" node_ref=file_input on:change=pick_file />
                </label>
            </div>
            {move || match state.get() {
                Import::Idle => ().into_any(),
                Import::Checking { done, total } => view! {
                    <p class="import-progress">
                        <progress id="import-progress" max=total value=done></progress>
                        {format!(" Checking {done} of {total} rows…")}
                    </p>
                }.into_any(),
                Import::Saving => view! { <p class="loading">"Saving…"</p> }.into_any(),
                Import::Ready(preview) => {
                    let id = preview.import_id.clone();
                    let to_add = preview.to_add;
                    view! {
                        <div class="preview" id="import-preview">
                            <p>
                                <strong id="preview-add">{format!("{to_add} rows will be added")}</strong>
                                {format!(
                                    ", {} duplicates skipped, {} rows with errors.",
                                    preview.duplicates.len(),
                                    preview.errors.len()
                                )}
                            </p>
                            {(!preview.sample.is_empty()).then(|| view! {
                                <p class="hint">"First rows: "
                                    {preview.sample.iter().map(|c| format!("{} ({})", c.org_name, c.describe())).collect::<Vec<_>>().join("; ")}
                                </p>
                            })}
                            <Problems id="preview-errors" title="Rows with errors (not imported: fix them in the sheet and import them again)" problems=preview.errors />
                            <Problems id="preview-duplicates" title="Duplicates (skipped)" problems=preview.duplicates />
                            <div class="actions">
                                <button class="button primary" id="save-import" disabled=to_add == 0 on:click=move |_| save(id.clone())>
                                    {format!("Save {to_add} rows")}
                                </button>
                                <button class="link" on:click=move |_| state.set(Import::Idle)>"Cancel"</button>
                            </div>
                        </div>
                    }.into_any()
                }
            }}
        </details>
    }
    .into_any()
}

#[component]
fn Problems(id: &'static str, title: &'static str, problems: Vec<RowProblem>) -> impl IntoView {
    let more = problems.len().saturating_sub(PROBLEMS_SHOWN);
    (!problems.is_empty()).then(|| view! {
        <div class="problems" id=id>
            <h3>{title}</h3>
            <ul>
                {problems.into_iter().take(PROBLEMS_SHOWN).map(|p| view! {
                    <li><span class="row-number">{format!("Row {}", p.row)}</span>": " {p.message}</li>
                }).collect_view()}
            </ul>
            {(more > 0).then(|| view! { <p class="hint">{format!("…and {more} more.")}</p> })}
        </div>
    })
}
