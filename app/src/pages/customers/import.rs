//! Paste from a spreadsheet or pick a CSV file; the rows are checked in the browser,
//! then checked and staged on the server batch by batch; see what will happen; save.

use super::Table;
use crate::{
    api::customers::{commit_import, stage_customers},
    domain::{plan_import, AppError, Customer, ImportPlan, RowProblem},
    model::customers::STAGE_BATCH,
};
use leptos::{prelude::*, task::spawn_local};

/// Problems listed in an import preview (the rest are counted).
const PROBLEMS_SHOWN: usize = 100;

/// Where an import stands.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Import {
    Idle,
    Checking { done: usize, total: usize },
    Ready(Preview),
    Saving,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct Preview {
    import_id: String,
    to_add: usize,
    sample: Vec<Customer>,
    duplicates: Vec<RowProblem>,
    errors: Vec<RowProblem>,
}

/// Has the server check and stage a sheet's valid rows, [`STAGE_BATCH`] at a time
/// (`progress` hears how many are done after each batch), and gathers the preview: what
/// will be added, and every duplicate and bad row, the browser's and the server's.
async fn check_and_stage(
    number: i64,
    plan: ImportPlan,
    progress: impl Fn(usize),
) -> Result<Preview, AppError> {
    let mut preview = Preview {
        import_id: String::new(),
        to_add: 0,
        sample: plan.valid.iter().take(5).map(|(_, c)| c.clone()).collect(),
        duplicates: plan.duplicates,
        errors: plan.errors,
    };
    let mut done = 0;
    for batch in plan.valid.chunks(STAGE_BATCH) {
        let report = stage_customers(number, preview.import_id.clone(), batch.to_vec()).await?;
        preview.import_id = report.import_id;
        preview.to_add += report.staged;
        preview.duplicates.extend(report.existing);
        preview.errors.extend(report.errors);
        done += batch.len();
        progress(done);
    }
    preview.duplicates.sort_by_key(|p| p.row);
    preview.errors.sort_by_key(|p| p.row);
    Ok(preview)
}

/// Paste from a spreadsheet or pick a CSV file; see what will happen; save.
#[component]
pub(super) fn Importer(table: Table) -> impl IntoView {
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
            let progress = move |done| state.set(Import::Checking { done, total });
            match check_and_stage(number, plan, progress).await {
                Ok(preview) => state.set(Import::Ready(preview)),
                Err(e) => {
                    state.set(Import::Idle);
                    table.say(Err(format!("The import could not be checked: {e}")));
                }
            }
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
