//! The admin's page: everyone who has signed in, their role, whether they may still sign
//! in, and the audit log.

use crate::{
    api::users::{list_audit_events, list_users, SetUserDisabled, SetUserRole},
    components::{
        form::{action_error, FormMessage, PostForm},
        layout::RequirePermission,
        resource::resource,
    },
    domain::{Permission, Role},
    model::users::UserRow,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Title text="Users" />
        <RequirePermission permission=Permission::Administer>
            <UsersAdmin />
        </RequirePermission>
    }
}

#[component]
fn UsersAdmin() -> impl IntoView {
    let set_role = ServerAction::<SetUserRole>::new();
    let set_disabled = ServerAction::<SetUserDisabled>::new();
    let users = resource(
        move || (set_role.version().get(), set_disabled.version().get()),
        |_| list_users(),
    );
    let audit = resource(
        move || (set_role.version().get(), set_disabled.version().get()),
        |_| list_audit_events(),
    );
    let role_error = action_error(set_role);
    let disabled_error = action_error(set_disabled);
    let role_field = Signal::derive(move || role_error.get().and_then(|e| e.field("role")));
    let disabled_field =
        Signal::derive(move || disabled_error.get().and_then(|e| e.field("disabled")));
    view! {
        <section class="page" id="users-admin">
            <h1>"Users"</h1>
            <p class="hint">
                "Everyone who has signed in. A new role or a disabled account takes effect on that person's next click, not their next sign-in."
            </p>
            <FormMessage error=role_error />
            <FormMessage error=disabled_error />
            {move || role_field.get().or_else(|| disabled_field.get()).map(|m| view! { <p class="form-error" role="alert">{m}</p> })}
            <Transition fallback=|| view! { <p class="loading">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match users.await {
                        Ok(rows) => view! {
                            <table class="users" id="users">
                                <thead>
                                    <tr>
                                        <th>"Name"</th>
                                        <th>"Email"</th>
                                        <th>"Role"</th>
                                        <th>"Access"</th>
                                        <th>"Last sign-in"</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|row| view! { <UserLine row set_role set_disabled /> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h2>"Audit log"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match audit.await {
                        Ok(lines) if lines.is_empty() => view! { <p class="hint">"Nothing yet."</p> }.into_any(),
                        Ok(lines) => view! {
                            <table class="audit" id="audit-log">
                                <thead>
                                    <tr><th>"When"</th><th>"What"</th><th>"Who"</th><th>"By"</th><th>"Detail"</th></tr>
                                </thead>
                                <tbody>
                                    {lines.into_iter().map(|line| view! {
                                        <tr class="audit-line" data-action=format!("{:?}", line.action)>
                                            <td><time datetime=line.at.iso>{line.at.text}</time></td>
                                            <td>{line.action.label()}</td>
                                            <td>{line.subject.or(line.email).unwrap_or_default()}</td>
                                            <td>{line.actor.unwrap_or_default()}</td>
                                            <td>{line.detail}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn UserLine(
    row: UserRow,
    set_role: ServerAction<SetUserRole>,
    set_disabled: ServerAction<SetUserDisabled>,
) -> impl IntoView {
    let id = row.id;
    let current = row.role;
    let email = row.email.clone();
    let disabled = row.disabled;
    let (access_label, toggle_label) = if disabled {
        ("Disabled", "Enable")
    } else {
        ("Active", "Disable")
    };
    view! {
        <tr class="user-row" class:disabled=row.disabled data-email=email>
            <td class="name">{row.name}</td>
            <td class="email">
                {row.email}
                {row.admin_by_config.then(|| view! { <span class="hint">" (ADMIN_EMAILS)"</span> })}
            </td>
            <td>
                <PostForm action=set_role read=move |f| Some(SetUserRole { user_id: id, role: f.text("role") }) attr:class="inline role-form">
                    <input type="hidden" name="user_id" value=id />
                    <select name="role" aria-label="Role">
                        {Role::ALL
                            .into_iter()
                            .map(|r| view! { <option value=r.as_str() selected=r == current>{r.label()}</option> })
                            .collect_view()}
                    </select>
                    <button type="submit" class="button">"Save"</button>
                </PostForm>
            </td>
            <td>
                <span class="access">{access_label}</span>
                " "
                <PostForm action=set_disabled read=move |_| Some(SetUserDisabled { user_id: id, disabled: !disabled }) attr:class="inline disable-form">
                    <input type="hidden" name="user_id" value=id />
                    <input type="hidden" name="disabled" value=(!disabled).to_string() />
                    <button type="submit" class="button">{toggle_label}</button>
                </PostForm>
            </td>
            <td>
                {match row.last_login {
                    Some(at) => view! { <time datetime=at.iso>{at.text}</time> }.into_any(),
                    None => view! { <span class="hint">"never"</span> }.into_any(),
                }}
            </td>
        </tr>
    }
}
