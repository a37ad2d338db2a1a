use crate::{
    api::session::{sign_in_options, DevLogin},
    components::{
        form::{action_error, FieldMessage, FormMessage},
        resource::resource,
    },
    domain::{Refusal, Role, MAX_EMAIL_LEN, MAX_NAME_LEN},
};
use leptos::{prelude::*, server_fn::ServerFn};
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let options = resource(|| (), |_| sign_in_options());
    // Only reads an error carried back in the URL: the form itself is a plain post,
    // so signing in loads every page afresh.
    let error = action_error(ServerAction::<DevLogin>::new());
    let query = use_query_map();
    let refusal = move || {
        query
            .read()
            .get("refused")
            .and_then(|c| Refusal::from_code(&c))
    };
    view! {
        <Title text="Sign in" />
        <section class="page narrow">
            <h1>"Sign in to Stormwatch"</h1>
            {move || refusal().map(|r| view! {
                <div class="refusal" id="sign-in-refused" role="alert" data-refusal=r.code()>
                    <strong>"You were not signed in. "</strong>
                    {r.message()}
                </div>
            })}
            <FormMessage error />
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match options.await {
                        Ok(options) => view! {
                            {options.provider.then(|| view! {
                                <p>
                                    // A plain link: the server sends the browser on to Google.
                                    <a href="/auth/login" class="button primary" id="sign-in-with-google" rel="external">
                                        "Sign in with Google"
                                    </a>
                                </p>
                            })}
                            {options.dev_login.then(|| view! { <DevLoginForm error /> })}
                            {(!options.provider && !options.dev_login).then(|| view! {
                                <p class="notice">
                                    "No sign-in method is configured on this server. An administrator sets GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET to offer Google sign-in."
                                </p>
                            })}
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
