use crate::{api::session::Logout, domain::Permission, UserResource};
use leptos::{prelude::*, server_fn::ServerFn};
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
                            view! {
                                <nav>
                                    <A href="/">"Dashboard"</A>
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
                                    <form method="post" action=Logout::url() class="inline">
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
