//! The admin's mail page: distribution lists (one marked default) and the outbox,
//! every stored message with its delivery state.

use crate::{
    api::email::{
        list_distribution_lists, mail_outbox, DeleteDistributionList, SaveDistributionList,
    },
    components::{
        email::delivery,
        form::{action_error, FieldMessage, Fields, FormMessage, PostForm},
        layout::RequirePermission,
        resource::resource,
    },
    domain::{Permission, MAX_LIST_NAME_LEN},
    model::email::DistributionList,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn MailAdminPage() -> impl IntoView {
    view! {
        <Title text="Mail" />
        <RequirePermission permission=Permission::Administer>
            <MailAdmin />
        </RequirePermission>
    }
}

#[component]
fn MailAdmin() -> impl IntoView {
    let save = ServerAction::<SaveDistributionList>::new();
    let delete = ServerAction::<DeleteDistributionList>::new();
    let lists = resource(
        move || (save.version().get(), delete.version().get()),
        |_| list_distribution_lists(),
    );
    let outbox = resource(|| (), |_| mail_outbox());
    let error = action_error(save);
    let delete_error = action_error(delete);
    view! {
        <section class="page" id="mail-admin">
            <h1>"Mail"</h1>
            <h2>"Distribution lists"</h2>
            <p class="hint">"The company email goes to the lists its author picks; the default one is picked for every first email."</p>
            <FormMessage error=delete_error />
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match lists.await {
                        Ok(all) => view! {
                            <table class="lists" id="lists">
                                <thead><tr><th>"Name"</th><th>"Addresses"</th><th></th></tr></thead>
                                <tbody>
                                    {all.into_iter().map(|l| view! { <ListRow list=l save delete /> }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <h3>"Add a list"</h3>
            <FormMessage error />
            <PostForm action=save read=read_list attr:class="stack" attr:id="list-form">
                <label>"Name" <input name="name" maxlength=MAX_LIST_NAME_LEN placeholder="Company: exec, product, marketing" /></label>
                <FieldMessage error field="name" />
                <label>
                    "Addresses"
                    <textarea name="addresses" rows=4 placeholder="exec@example.com\nproduct@example.com"></textarea>
                    <span class="hint">"One per line, or separated by commas."</span>
                </label>
                <FieldMessage error field="addresses" />
                <label class="choice"><input type="checkbox" name="is_default" value="on" /> " The default list"</label>
                <button type="submit" class="button primary">"Add list"</button>
            </PostForm>
            <h2>"Outbox"</h2>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match outbox.await {
                        Ok((messages, outbox_only)) => view! {
                            {outbox_only.then(|| view! {
                                <p class="notice warning" id="outbox-notice">"No SMTP server is configured (SMTP_URL): every message below stayed here and was not delivered."</p>
                            })}
                            <table class="outbox" id="outbox">
                                <thead><tr><th>"Subject"</th><th>"Incident"</th><th>"Delivery"</th><th>"Queued"</th></tr></thead>
                                <tbody>
                                    {messages.into_iter().map(|m| {
                                        let subject = m.subject.clone();
                                        view! {
                                        <tr>
                                            <td><A href=format!("/emails/{}", m.id)>{subject}</A></td>
                                            <td>{m.incident.map(|n| view! { <A href=format!("/incidents/{n}")>{format!("#{n}")}</A> })}</td>
                                            <td>{delivery(&m)}</td>
                                            <td>{m.queued.text.clone()}</td>
                                        </tr>
                                    }}).collect_view()}
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
fn ListRow(
    list: DistributionList,
    save: ServerAction<SaveDistributionList>,
    delete: ServerAction<DeleteDistributionList>,
) -> impl IntoView {
    let name = list.name.clone();
    let id = list.id;
    view! {
        <tr data-list=name>
            <td>
                <strong>{list.name.clone()}</strong>
                {list.is_default.then(|| view! { " " <span class="badge">"default"</span> })}
            </td>
            <td>
                <details>
                    <summary>{format!("{} addresses", list.addresses.len())}</summary>
                    <PostForm action=save read=read_list attr:class="stack">
                        <input type="hidden" name="id" value=list.id />
                        <input type="hidden" name="name" value=list.name.clone() />
                        <textarea name="addresses" rows=4>{list.addresses.join("\n")}</textarea>
                        <label class="choice"><input type="checkbox" name="is_default" value="on" checked=list.is_default /> " Default"</label>
                        <button type="submit" class="button">"Save"</button>
                    </PostForm>
                </details>
            </td>
            <td>
                <PostForm action=delete read=move |_| Some(DeleteDistributionList { id }) attr:class="inline-form">
                    <input type="hidden" name="id" value=list.id />
                    <button type="submit" class="link">"Remove"</button>
                </PostForm>
            </td>
        </tr>
    }
}

/// A list from the form that adds one or the one that saves it (which names its `id`).
fn read_list(f: &Fields) -> Option<SaveDistributionList> {
    Some(SaveDistributionList {
        id: f.number("id"),
        name: f.text("name"),
        addresses: f.text("addresses"),
        is_default: f.optional("is_default"),
    })
}
