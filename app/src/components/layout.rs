use crate::{domain::Permission, UserResource};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// Whether the signed-in user's role allows `permission` (for showing controls;
/// the server enforces it regardless).
pub fn can(permission: Permission) -> Signal<bool> {
    let user = expect_context::<UserResource>();
    Signal::derive(move || {
        user.get()
            .and_then(Result::ok)
            .flatten()
            .is_some_and(|u| u.role.allows(permission))
    })
}

/// The signed-in user, for a page's Suspend to await before it renders anything that
/// depends on the role ([`can`], [`my_id`]): then the browser hydrates the same branch the
/// server rendered, instead of racing the user's arrival.
pub fn user() -> UserResource {
    expect_context::<UserResource>()
}

/// The signed-in user's id (None before the user is known, or for nobody).
pub fn my_id() -> Signal<Option<i64>> {
    let user = expect_context::<UserResource>();
    Signal::derive(move || user.get().and_then(Result::ok).flatten().map(|u| u.id))
}

#[component]
pub fn Header() -> impl IntoView {
    let user = expect_context::<UserResource>();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                "Stormwatch"
            </A>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match user.await {
                        Ok(Some(user)) => {
                            let responder = user.role.allows(Permission::Respond);
                            let admin = user.role.allows(Permission::Administer);
                            view! {
                                <nav>
                                    <A href="/">"Dashboard"</A>
                                    <A href="/status">"Status"</A>
                                    <A href="/incidents">"History"</A>
                                    <A href="/insights">"Insights"</A>
                                    <A href="/actions">"Actions"</A>
                                    <Show when=move || admin>
                                        <A href="/admin/users">"Users"</A>
                                        <A href="/admin/sources">"Alert sources"</A>
                                        <A href="/admin/automation">"Automation"</A>
                                        <A href="/admin/mail">"Mail"</A>
                                    </Show>
                                    <Show when=move || responder>
                                        <A href="/incidents/new" attr:class="button primary">
                                            "Declare incident"
                                        </A>
                                    </Show>
                                </nav>
                                <div class="who">
                                    <span class="name">{user.name}</span>
                                    <span class=format!("role role-{}", user.role)>{user.role.label()}</span>
                                    // A full page post: signing out resets every piece of client state.
                                    <form method="post" action="/auth/logout" class="inline">
                                        <button type="submit" class="link">"Sign out"</button>
                                    </form>
                                </div>
                            }
                                .into_any()
                        }
                        _ => ().into_any(),
                    }
                })}
            </Transition>
        </header>
    }
}

/// Shows its children to users whose role allows `permission`, and everyone else a
/// "not allowed" page (with a 403 when rendered on the server). The server functions
/// behind the page refuse them regardless.
#[component]
pub fn RequirePermission(permission: Permission, children: ChildrenFn) -> impl IntoView {
    let user = expect_context::<UserResource>();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let allowed = user
                        .await
                        .ok()
                        .flatten()
                        .is_some_and(|u| u.role.allows(permission));
                    if allowed {
                        children().into_any()
                    } else {
                        view! { <NotAllowed /> }.into_any()
                    }
                })
            }}
        </Suspense>
    }
}

/// "Not allowed", with a 403 when rendered on the server.
#[component]
pub fn NotAllowed() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::FORBIDDEN);
    }
    view! {
        <Title text="Not allowed" />
        <section class="page empty-state" id="not-allowed">
            <h1>"Not allowed"</h1>
            <p>"Your role does not open this page. If you need it, ask a Stormwatch admin."</p>
            <p>
                <A href="/status">"See the status view"</A>
            </p>
        </section>
    }
}

/// What a page shows for something that does not exist: a real 404, the status
/// code as well as the page, when rendered on the server.
#[component]
pub fn Missing(what: String) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Not found" />
        <section class="page empty-state">
            <h1>"Not found"</h1>
            <p>{what} " does not exist. It may have been mistyped, or it never existed."</p>
            <p>
                <A href="/">"Back to the dashboard"</A>
            </p>
        </section>
    }
}
