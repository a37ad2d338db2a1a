//! Showing a server function's error where it belongs: next to the field it names,
//! or above the form when it names none.

use crate::domain::{AppError, MAX_MESSAGE_LEN};
use leptos::{
    prelude::*,
    server_fn::ServerFn,
    wasm_bindgen::JsCast,
    web_sys::{FormData, HtmlFormElement},
};

/// The latest error of an action, whether it came back to the browser or, before
/// hydration, in the URL of the redirect after a plain form post.
pub fn action_error<S>(action: ServerAction<S>) -> Signal<Option<AppError>>
where
    S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(Result::err))
}

/// A form for the server function `S`. Before hydration it posts to `S`'s URL as any
/// form does; after, it dispatches `action` with what `read` makes of its fields (None:
/// nothing to send). Not ActionForm: that one decodes the fields with a generic
/// form-data decoder which every page holding one loads with its first paint.
#[component]
pub fn PostForm<S, R>(action: ServerAction<S>, read: R, children: Children) -> impl IntoView
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    R: Fn(&Fields) -> Option<S> + 'static,
{
    view! {
        <form
            method="post"
            action=S::url()
            on:submit=move |ev| {
                ev.prevent_default();
                let form = ev.target().and_then(|t| t.dyn_into::<HtmlFormElement>().ok());
                let fields = form.and_then(|f| FormData::new_with_form(&f).ok()).map(Fields);
                if let Some(input) = fields.and_then(|f| read(&f)) {
                    action.dispatch(input);
                }
            }
        >
            {children()}
        </form>
    }
}

/// A submitted form's fields, by name.
pub struct Fields(FormData);

impl Fields {
    /// The field's text (a checked radio's or option's value); empty when there is none.
    pub fn text(&self, name: &str) -> String {
        self.0.get(name).as_string().unwrap_or_default()
    }

    /// The field's text, or None when the form sent none (an unticked checkbox).
    pub fn optional(&self, name: &str) -> Option<String> {
        self.0.get(name).as_string()
    }

    /// The field as a whole number, if it holds one.
    pub fn number(&self, name: &str) -> Option<i64> {
        self.text(name).trim().parse().ok()
    }
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
