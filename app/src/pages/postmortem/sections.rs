//! The template's sections over the shared document, who else is on the page, and the
//! fields bound to the document's texts.

use super::editor::Shared;
use crate::{
    domain::{
        blameless_hints,
        postmortem::document::{self, Contents, Edit},
        Section,
    },
    model::{
        actions::ActionView,
        postmortems::{PostmortemPage, Presence},
    },
};
use chrono::{DateTime, Utc};
use leptos::prelude::*;
#[cfg(feature = "hydrate")]
use std::time::Duration;
#[cfg(feature = "hydrate")]
use {crate::api::postmortems::postmortem_presence, leptos::task::spawn_local};

/// How long someone shows as here after their last word.
const PRESENCE_TTL_MS: f64 = 60_000.0;
/// How often the page says it is still here.
#[cfg(feature = "hydrate")]
const HEARTBEAT: Duration = Duration::from_secs(20);

#[derive(Clone)]
pub struct Ctx {
    pub editor: Shared,
    pub can_edit: bool,
    pub presence: Presences,
    /// The corrective actions as last read, for the factors they answer.
    pub actions: RwSignal<Vec<ActionView>>,
    /// Bumped to read the actions again (a change here or through the live stream).
    pub actions_version: RwSignal<u64>,
}

/// Who else is on the page: heard through the live stream, forgotten after a minute
/// of silence.
#[derive(Clone, Copy)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Presences {
    me: u64,
    others: RwSignal<Vec<(Presence, f64)>>,
    section: RwSignal<Option<String>>,
}

fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

impl Presences {
    pub fn new(me: u64) -> Self {
        Self {
            me,
            others: RwSignal::new(vec![]),
            section: RwSignal::new(None),
        }
    }

    pub fn seen(&self, p: Presence) {
        if p.client == self.me {
            return;
        }
        let now = now_ms();
        self.others.update(|all| {
            all.retain(|(q, at)| q.client != p.client && now - at < PRESENCE_TTL_MS);
            if p.section.is_some() {
                all.push((p, now));
            }
        });
    }

    /// Tells the others where this page is; keeps saying so while it is open (in the
    /// browser: the server renders the page for nobody in particular).
    pub fn announce(&self, number: i64, section: Option<Section>) {
        #[cfg(feature = "hydrate")]
        {
            let me = self.me;
            let key = section
                .map(|s| s.key().to_string())
                .or_else(|| Some("description".into()));
            if section.is_some() && self.section.get_untracked() == key {
                return;
            }
            self.section.set(key.clone());
            spawn_local(async move {
                let _ = postmortem_presence(number, me, key).await;
            });
            if section.is_none() {
                let this = *self;
                if let Ok(handle) = set_interval_with_handle(
                    move || {
                        let key = this.section.get_untracked();
                        this.others
                            .update(|all| all.retain(|(_, at)| now_ms() - at < PRESENCE_TTL_MS));
                        spawn_local(async move {
                            let _ = postmortem_presence(number, me, key).await;
                        });
                    },
                    HEARTBEAT,
                ) {
                    on_cleanup(move || {
                        handle.clear();
                        spawn_local(async move {
                            let _ = postmortem_presence(number, me, None).await;
                        });
                    });
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (number, section);
    }
}

/// "Also here: @rosa in Timeline".
#[component]
pub fn Others(presence: Presences) -> impl IntoView {
    let others = presence.others;
    view! {
        <p class="presence" id="presence">
            {move || {
                let all = others.get();
                if all.is_empty() {
                    return ().into_any();
                }
                let names = all
                    .iter()
                    .map(|(p, _)| {
                        let section = p
                            .section
                            .as_deref()
                            .and_then(Section::from_key)
                            .map_or("the page", Section::title);
                        view! { <span class="present" data-user=p.user>"@"{p.name.clone()}" in "{section}</span> }
                    })
                    .collect_view();
                view! { "Also here: " {names} }.into_any()
            }}
        </p>
    }
}

/// A moment as the viewer reads it: "2026-11-30 14:02".
pub fn local_text(iso: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(iso));
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            d.get_full_year(),
            d.get_month() + 1,
            d.get_date(),
            d.get_hours(),
            d.get_minutes()
        )
    }
    #[cfg(not(feature = "hydrate"))]
    {
        local_input(iso).replace('T', " ")
    }
}

/// A moment for `<input type="datetime-local">`, in the viewer's zone.
pub fn local_input(iso: &str) -> String {
    #[cfg(feature = "hydrate")]
    {
        local_text(iso).replace(' ', "T")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        #[cfg(feature = "ssr")]
        {
            let tz = crate::ssr::time::viewer_tz();
            DateTime::parse_from_rfc3339(iso)
                .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "ssr"))]
        {
            iso.to_string()
        }
    }
}

/// What a `datetime-local` input says, as a UTC moment (the browser knows its zone).
fn from_local_input(value: &str) -> Option<DateTime<Utc>> {
    #[cfg(feature = "hydrate")]
    {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_str(value));
        let ms = d.get_time();
        if ms.is_nan() {
            return None;
        }
        DateTime::from_timestamp_millis(ms as i64)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = value;
        None
    }
}

fn now() -> DateTime<Utc> {
    #[cfg(feature = "hydrate")]
    {
        DateTime::from_timestamp_millis(js_sys::Date::now() as i64).unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Utc::now()
    }
}

/// A fresh id for a line or chain: its start time, then randomness (so ids sort in
/// the order things were started).
fn fresh_id() -> String {
    #[cfg(feature = "hydrate")]
    let noise = (js_sys::Math::random() * 1e9) as u64;
    #[cfg(not(feature = "hydrate"))]
    let noise = 0u64;
    format!("{:012x}-{noise:08x}", now().timestamp_millis())
}

/// The document's sections, after the preamble.
#[component]
pub fn Document(ctx: Ctx, page: PostmortemPage) -> impl IntoView {
    let shown = ctx.editor.contents;
    let contents = Memo::new(move |_| shown.get());
    let impact_start = page.impact_start.clone();
    let description = view! { <CoText ctx=ctx.clone() root="description".into() section=Section::Description label="Short description" rows=3 /> };
    let timeline = view! { <Timeline ctx=ctx.clone() contents page=page.clone() /> };
    let factors = view! {
        <Factors ctx=ctx.clone() contents page=page.clone() />
        <CoText ctx=ctx.clone() root="factors".into() section=Section::Factors label="Other contributing factors" rows=4 />
    };
    let fix = view! { <CoText ctx=ctx.clone() root="fix".into() section=Section::Fix label="How did we fix it?" rows=4 /> };
    let start = (ctx.can_edit && !impact_start.is_empty()).then(|| {
        let editor = ctx.editor.clone();
        view! {
            <button class="button small" id="impact-start" on:click=move |_| {
                let old = editor.text("impact");
                let text = if old.trim().is_empty() { impact_start.clone() } else { format!("{old}\n\n{impact_start}") };
                editor.edit(Edit::Text { root: "impact".into(), text });
            }>"Start from the affected customers and the email"</button>
        }
    });
    let impact = view! {
        {start}
        <CoText ctx=ctx.clone() root="impact".into() section=Section::Impact label="Customer impact" rows=4 />
    };
    let actions = view! { <super::actions::Actions ctx=ctx.clone() contents page=page.clone() /> };
    view! {
        <Part section=Section::Description>{description}</Part>
        <Part section=Section::Timeline>{timeline}</Part>
        <Part section=Section::Factors>{factors}</Part>
        <Part section=Section::Fix>{fix}</Part>
        <Part section=Section::Impact>{impact}</Part>
        <Part section=Section::Actions>{actions}</Part>
    }
}

/// One section of the template: its heading and guidance.
#[component]
fn Part(section: Section, children: Children) -> impl IntoView {
    view! {
        <section class="pm-section" id=format!("section-{}", section.key()) data-section=section.key()>
            <h2>{section.title()}</h2>
            <p class="hint">{section.hint()}</p>
            {children()}
        </section>
    }
}

/// A textarea bound to a root text of the document, with its blameless hints below.
#[component]
fn CoText(
    ctx: Ctx,
    root: String,
    section: Section,
    label: &'static str,
    #[prop(default = 2)] rows: u32,
) -> impl IntoView {
    let editor = ctx.editor.clone();
    let initial = editor.text(&root);
    let hints = {
        let shown = editor.contents;
        let root = root.clone();
        Memo::new(move |_| shown.with(|c| blameless_hints(c.text(&root))))
    };
    let node = NodeRef::<leptos::html::Textarea>::new();
    #[cfg(feature = "hydrate")]
    {
        let editor = editor.clone();
        let root = root.clone();
        type Shown = leptos::__reexports::send_wrapper::SendWrapper<web_sys::HtmlTextAreaElement>;
        let shown = StoredValue::new(None::<Shown>);
        {
            let editor = editor.clone();
            node.on_load(move |el| {
                editor.register(&root, el.clone());
                shown.set_value(Some(Shown::new(el)));
            });
        }
        on_cleanup(move || {
            shown.with_value(|el| {
                if let Some(el) = el {
                    editor.unregister(el);
                }
            })
        });
    }
    let number = editor.number;
    let presence = ctx.presence;
    let on_input = {
        let editor = editor.clone();
        let root = root.clone();
        move |ev: leptos::ev::Event| editor.typed(&root, &event_target_value(&ev))
    };
    let id = format!("field-{}", root.replace('/', "-"));
    view! {
        <label class="co-text">
            <span class="visually-hidden">{label}</span>
            <textarea
                node_ref=node
                id=id
                data-root=root.clone()
                rows=rows
                readonly=!ctx.can_edit
                aria-label=label
                on:input=on_input
                on:focus=move |_| presence.announce(number, Some(section))
            >{initial}</textarea>
        </label>
        <ul class="blame-hints">
            {move || hints.get().into_iter().map(|h| view! {
                <li class="blame-hint" data-rule=format!("{:?}", h.rule)>{h.advice()}</li>
            }).collect_view()}
        </ul>
    }
}

/// The timeline: lines in time order, editable, and the import from the channel.
#[component]
fn Timeline(ctx: Ctx, contents: Memo<Contents>, page: PostmortemPage) -> impl IntoView {
    let can_edit = ctx.can_edit;
    let lines = Memo::new(move |_| {
        contents
            .get()
            .timeline
            .into_iter()
            .map(|l| (l.id, l.at.to_rfc3339()))
            .collect::<Vec<_>>()
    });
    let picked = RwSignal::new(Vec::<i64>::new());
    let record = page.record.clone();
    let editor = ctx.editor.clone();
    let import = move |_| {
        let chosen = picked.get_untracked();
        let lines: Vec<_> = record
            .iter()
            .filter(|e| chosen.contains(&e.id))
            .filter_map(|e| {
                let at = DateTime::parse_from_rfc3339(&e.at.iso)
                    .ok()?
                    .with_timezone(&Utc);
                Some((format!("ev{}", e.id), at, e.postmortem_line()))
            })
            .collect();
        editor.change(
            lines
                .into_iter()
                .map(|(id, at, text)| Edit::PutLine {
                    id,
                    at,
                    text: Some(text),
                })
                .collect(),
        );
        picked.set(vec![]);
    };
    let add = {
        let editor = ctx.editor.clone();
        move |_| {
            editor.edit(Edit::PutLine {
                id: fresh_id(),
                at: now(),
                text: Some("@".into()),
            });
        }
    };
    let record = page.record.clone();
    view! {
        <ol class="pm-timeline" id="pm-timeline">
            <For each=move || lines.get() key=|(id, at)| (id.clone(), at.clone()) let((id, at))>
                {
                    let editor = ctx.editor.clone();
                    let remove_id = id.clone();
                    let time_id = id.clone();
                    view! {
                        <li class="pm-line" data-line=id.clone()>
                            <span class="pm-at">"["{local_text(&at)}"]"</span>
                            {can_edit.then(|| {
                                let editor = editor.clone();
                                view! {
                                    <input type="datetime-local" class="pm-at-input" aria-label="When" value=local_input(&at)
                                        on:change=move |ev| {
                                            if let Some(at) = from_local_input(&event_target_value(&ev)) {
                                                editor.edit(Edit::PutLine { id: time_id.clone(), at, text: None });
                                            }
                                        } />
                                }
                            })}
                            " - "
                            <CoText ctx=ctx.clone() root=document::line_text(&id) section=Section::Timeline label="What happened" rows=1 />
                            {can_edit.then(|| {
                                let editor = editor.clone();
                                view! {
                                    <button class="link remove-line" title="Remove the line" on:click=move |_| {
                                        editor.edit(Edit::RemoveLine(remove_id.clone()));
                                    }>"Remove"</button>
                                }
                            })}
                        </li>
                    }
                }
            </For>
        </ol>
        {can_edit.then(|| view! {
            <button class="button small" id="add-line" on:click=add>"Add a line"</button>
            <details class="import" id="import-record">
                <summary>"Import from the channel"</summary>
                <ul class="record">
                    {record.iter().map(|e| {
                        let id = e.id;
                        view! {
                            <li>
                                <label>
                                    <input type="checkbox" class="pick-line" value=id
                                        prop:checked=move || picked.get().contains(&id)
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            picked.update(|p| { p.retain(|x| *x != id); if on { p.push(id); } });
                                        } />
                                    {format!("[{}] - {}", e.at.text, e.postmortem_line())}
                                </label>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <button class="button small" id="import-lines" on:click=import>
                    {move || format!("Add {} line(s)", picked.get().len())}
                </button>
            </details>
        })}
    }
}

/// The 5 whys: chains of "Why? — Because …" under a problem statement.
#[component]
fn Factors(ctx: Ctx, contents: Memo<Contents>, page: PostmortemPage) -> impl IntoView {
    let can_edit = ctx.can_edit;
    let chains = Memo::new(move |_| {
        contents
            .get()
            .chains
            .into_iter()
            .map(|c| (c.id, c.whys.len()))
            .collect::<Vec<_>>()
    });
    let start = {
        let editor = ctx.editor.clone();
        move |problem: String| {
            editor.edit(Edit::AddChain {
                id: fresh_id(),
                problem,
            });
        }
    };
    let start_empty = {
        let start = start.clone();
        move |_| start(String::new())
    };
    let ideas = page.ideas.clone();
    let actions = ctx.actions;
    view! {
        <div class="chains" id="chains">
            <For each=move || chains.get() key=|c| c.clone() let((id, levels))>
                {
                    let editor = ctx.editor.clone();
                    let bare = {
                        let id = id.clone();
                        Signal::derive(move || !actions.with(|all| all.iter().any(|a| a.trace().is_some_and(|t| t.in_chain(&id)))))
                    };
                    view! {
                        <div class="chain" data-chain=id.clone() class:bare-factor=bare>
                            <CoText ctx=ctx.clone() root=document::problem_text(&id) section=Section::Factors label="Problem statement" rows=1 />
                            <Answered actions chain=id.clone() level=None />
                            {move || bare.get().then(|| view! { <p class="hint no-action">"No corrective action answers this chain yet."</p> })}
                            <ol class="whys">
                                {(1..=levels).map(|k| view! {
                                    <li class="why"><span class="why-label">"Why? — Because …"</span>
                                        <CoText ctx=ctx.clone() root=document::why_text(&id, k) section=Section::Factors label="Because" rows=1 />
                                        <Answered actions chain=id.clone() level=Some(k) />
                                    </li>
                                }).collect_view()}
                            </ol>
                            {can_edit.then(|| {
                                let (more, fewer, drop) = (editor.clone(), editor.clone(), editor.clone());
                                let (a, b, c) = (id.clone(), id.clone(), id.clone());
                                view! {
                                    <button class="button small add-why" on:click=move |_| more.edit(Edit::SetLevels { id: a.clone(), count: levels + 1 })>"Add a why"</button>
                                    {(levels > 1).then(|| view! {
                                        <button class="link" on:click=move |_| fewer.edit(Edit::SetLevels { id: b.clone(), count: levels - 1 })>"Remove the last why"</button>
                                    })}
                                    <button class="link" on:click=move |_| drop.edit(Edit::RemoveChain(c.clone()))>"Remove this chain"</button>
                                }
                            })}
                        </div>
                    }
                }
            </For>
        </div>
        {can_edit.then(|| view! {
            <button class="button small" id="add-chain" on:click=start_empty>"Start a chain of whys"</button>
            {(!ideas.is_empty()).then(|| {
                let start = start.clone();
                let ideas2 = ideas.clone();
                view! {
                    <select id="pull-idea" aria-label="Pull in an idea from the discussion" on:change=move |ev| {
                        if let Ok(id) = event_target_value(&ev).parse::<i64>() {
                            if let Some(idea) = ideas2.iter().find(|e| e.id == id) {
                                start(idea.body.clone());
                            }
                        }
                    }>
                        <option value="">"Pull in a hypothesis or idea…"</option>
                        {ideas.iter().map(|e| view! { <option value=e.id>{format!("{}: {}", e.kind.label(), e.body)}</option> }).collect_view()}
                    </select>
                }
            })}
        })}
    }
}

/// The actions that answer a chain's problem (`level` None) or one of its whys.
#[component]
fn Answered(
    actions: RwSignal<Vec<ActionView>>,
    chain: String,
    level: Option<usize>,
) -> impl IntoView {
    use crate::domain::Trace;
    let target = match level {
        None => Trace::Chain(chain),
        Some(level) => Trace::Why { chain, level },
    };
    move || {
        let answering: Vec<ActionView> = actions.with(|all| {
            all.iter()
                .filter(|a| a.trace().as_ref() == Some(&target))
                .cloned()
                .collect()
        });
        (!answering.is_empty()).then(|| view! {
            <ul class="answered-by">
                {answering.into_iter().map(|a| view! {
                    <li><a href=format!("#action-{}", a.id)>{format!("→ {} (@{}, by {})", a.title, a.assignee.name, a.due)}</a></li>
                }).collect_view()}
            </ul>
        })
    }
}
