use crate::{
    api::session::{dev_login_enabled, DevLogin},
    components::form::{action_error, FieldMessage, FormMessage},
    domain::{Role, MAX_EMAIL_LEN, MAX_NAME_LEN},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let enabled = Resource::new(|| (), |_| dev_login_enabled());
    // Only reads an error carried back in the URL: the form itself is a plain post,
    // so signing in loads every page afresh.
    let error = action_error(ServerAction::<DevLogin>::new());
    view! {
        <Title text="Sign in" />
        <section class="page narrow">
            <h1>"Sign in to Stormwatch"</h1>
            <FormMessage error />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match enabled.await {
                        Ok(true) => view! { <DevLoginForm error /> }.into_any(),
                        Ok(false) => view! {
                            <p class="notice">
                                "No sign-in method is configured on this server. Ask an administrator to set up single sign-on."
                            </p>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn DevLoginForm(error: Signal<Option<crate::domain::AppError>>) -> impl IntoView {
    view! {
        <div class="card">
            <h2>"Development login"</h2>
            <p class="hint">
                "For local development only: no password. Pick the role you want to try."
            </p>
            <form method="post" action=DevLogin::url() class="stack">
                <label>
                    "Name"
                    <input name="name" required maxlength=MAX_NAME_LEN autocomplete="name" />
                </label>
                <FieldMessage error field="name" />
                <label>
                    "Email"
                    <input name="email" type="email" required maxlength=MAX_EMAIL_LEN autocomplete="email" />
                </label>
                <FieldMessage error field="email" />
                <label>
                    "Role"
                    <select name="role">
                        {Role::ALL
                            .into_iter()
                            .map(|r| view! { <option value=r.as_str() selected=r == Role::Responder>{r.label()}</option> })
                            .collect_view()}
                    </select>
                </label>
                <FieldMessage error field="role" />
                <button type="submit" class="button primary">"Sign in"</button>
            </form>
        </div>
    }
}
