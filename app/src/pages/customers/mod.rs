//! "Affected customers": the per-incident table that replaces the Google Sheet.
//! Server-side paging (the DOM never holds more than a page), sort by any column,
//! filter, counts; responders add, edit in place, delete with undo, paste or import.

mod cell;
mod import;
mod table;

use crate::{
    api::customers::list_customers,
    components::{
        incidents::incident_number,
        layout::{can, Missing},
        resource::resource,
    },
    domain::{AppError, Customer, Permission},
};
use import::Import;
use leptos::prelude::*;
use leptos_meta::Title;
use std::collections::BTreeSet;
use table::Loaded;

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
    let rows = resource(
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
