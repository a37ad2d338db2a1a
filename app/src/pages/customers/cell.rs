//! One cell, edited in place by the same rules as the server's.

use super::Table;
use crate::{api::customers::update_customer, domain::CustomerField};
use leptos::{prelude::*, task::spawn_local};

#[component]
pub(super) fn Cell(table: Table, id: i64, field: CustomerField, value: String) -> impl IntoView {
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
