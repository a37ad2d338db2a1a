//! Showing a server function's error where it belongs: next to the field it names,
//! or above the form when it names none.

use crate::domain::{AppError, MAX_MESSAGE_LEN};
use leptos::{prelude::*, server_fn::ServerFn};

/// The latest error of an action, whether it came back to the browser or, before
/// hydration, in the URL of the redirect after a plain form post.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// The message for `field`, if the error names it.
#[component]
pub fn FieldMessage(error: Signal<Option<AppError>>, field: &'static str) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.field(field)).map(|message| {
            view! { <p class="field-error" id=format!("{field}-error") role="alert">{message}</p> }
        })
    }
}

/// An error that names no field (forbidden, conflict, server trouble).
#[component]
pub fn FormMessage(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| !matches!(e, AppError::Validation(_)))
            .map(|e| {
                view! { <p class="form-error" role="alert">{e.to_string()}</p> }
            })
    }
}

/// The Markdown body of a message, post or edit (`name="body"`), bound to its draft so
/// that a re-render (someone else's change arriving) never loses what is being written.
#[component]
pub fn BodyField(
    draft: RwSignal<String>,
    rows: u32,
    #[prop(optional)] label: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
) -> impl IntoView {
    view! {
        <textarea
            name="body"
            rows=rows
            maxlength=MAX_MESSAGE_LEN
            aria-label=label
            placeholder=placeholder
            prop:value=move || draft.get()
            on:input=move |ev| draft.set(event_target_value(&ev))
        ></textarea>
    }
}
