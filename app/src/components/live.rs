//! The browser's end of the live stream (`GET /live`, server-sent events). The browser's
//! `EventSource` reconnects by itself and sends `Last-Event-ID`, so the server resumes
//! exactly after the last event this page saw.

use crate::model::live::{LiveBatch, LiveChange, LIVE_PATH};
use leptos::prelude::*;
use std::time::Duration;

/// Fetches after a burst of changes wait this long for the burst to end.
pub const QUIET: Duration = Duration::from_millis(250);

/// How the page's link to the stream stands, for the "Live" badge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkState {
    Connecting,
    Live,
    Reconnecting,
    /// The browser says it is offline: the page catches up when it is back.
    Offline,
    /// The server refused the stream (signed out): the page no longer updates.
    Closed,
}

impl LinkState {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Connecting => "connecting",
            LinkState::Live => "live",
            LinkState::Reconnecting => "reconnecting",
            LinkState::Offline => "offline",
            LinkState::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            LinkState::Connecting => "Connecting…",
            LinkState::Live => "Live",
            LinkState::Reconnecting => "Reconnecting…",
            LinkState::Offline => "Offline: catching up when back",
            LinkState::Closed => "Not updating: reload the page",
        }
    }
}

/// What the stream says.
pub enum LiveMessage {
    Batch(LiveBatch),
    /// Too much was missed to replay: read the page's data again.
    Resync,
}

/// A page's link to the stream: opened once, after the page's first read (so it resumes
/// from that read's cursor), closed when the page goes.
#[derive(Clone, Copy)]
pub struct LiveLink {
    state: RwSignal<LinkState>,
    #[cfg(feature = "hydrate")]
    open: StoredValue<Option<browser::Stream>, LocalStorage>,
}

impl LiveLink {
    /// In a component's body: the link lives as long as the component.
    pub fn new() -> Self {
        let link = Self {
            state: RwSignal::new(LinkState::Connecting),
            #[cfg(feature = "hydrate")]
            open: StoredValue::new_local(None),
        };
        #[cfg(feature = "hydrate")]
        on_cleanup(move || {
            link.open.update_value(|stream| {
                if let Some(stream) = stream.take() {
                    stream.close();
                }
            })
        });
        link
    }

    pub fn state(&self) -> Signal<LinkState> {
        self.state.into()
    }

    /// Follows the stream after event `after`, handing every message to `on_message`;
    /// does nothing if already following (and nothing on the server).
    pub fn follow(&self, after: i64, on_message: impl Fn(LiveMessage) + 'static) {
        self.follow_page(LIVE_PATH, after, on_message)
    }

    /// [`Self::follow`] at another address of the stream (`/live?postmortem=N`).
    pub fn follow_page(&self, path: &str, after: i64, on_message: impl Fn(LiveMessage) + 'static) {
        #[cfg(feature = "hydrate")]
        {
            if self.open.with_value(Option::is_some) {
                return;
            }
            match browser::Stream::open(path, after, self.state, on_message) {
                Ok(stream) => self.open.set_value(Some(stream)),
                Err(err) => {
                    leptos::logging::warn!("live stream unavailable: {err}");
                    self.state.set(LinkState::Closed);
                }
            }
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (path, after, on_message);
    }
}

impl Default for LiveLink {
    fn default() -> Self {
        Self::new()
    }
}

/// Whether a batch says anything about incident `number`.
pub fn touches_incident(batch: &LiveBatch, number: i64) -> bool {
    batch
        .changes
        .iter()
        .any(|c| matches!(c, LiveChange::Incident(n) if *n == number))
}

/// A function that bumps `version` (so resources keyed on it fetch again) at most once
/// per `quiet` interval, however often it is called: a burst of changes costs one fetch.
pub fn debounced_bump(version: RwSignal<u64>, quiet: Duration) -> impl Fn() + Clone + 'static {
    let pending = StoredValue::new(false);
    move || {
        if pending.get_value() {
            return;
        }
        pending.set_value(true);
        set_timeout(
            move || {
                pending.set_value(false);
                version.update(|v| *v += 1);
            },
            quiet,
        );
    }
}

/// The badge that says whether the page is live.
#[component]
pub fn LiveBadge(link: LiveLink) -> impl IntoView {
    let state = link.state();
    view! {
        <span
            class=move || format!("live-badge live-{}", state.get().as_str())
            id="live-status"
            data-state=move || state.get().as_str()
            role="status"
        >
            {move || state.get().label()}
        </span>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::{LinkState, LiveBatch, LiveMessage};
    use crate::model::wire::from_base64;
    use leptos::prelude::*;
    use std::{
        cell::{Cell, RefCell},
        rc::Rc,
    };
    use wasm_bindgen::{closure::Closure, JsCast};
    use web_sys::{Event, EventSource, MessageEvent};

    type Callback = Closure<dyn FnMut(Event)>;

    /// The stream as the page follows it: an `EventSource` (reopened after the browser
    /// comes back online, since a half-dead connection can take minutes to notice) and
    /// the window's online/offline listeners.
    pub struct Stream {
        link: Rc<Link>,
        window_callbacks: Vec<(&'static str, Callback)>,
    }

    struct Link {
        path: String,
        state: RwSignal<LinkState>,
        on_message: Box<dyn Fn(LiveMessage)>,
        /// The last event handed to the page: never hand it the same one twice, and
        /// resume after it.
        last: Cell<i64>,
        open: RefCell<Option<(EventSource, Vec<Callback>)>>,
    }

    impl Stream {
        pub fn open(
            path: &str,
            after: i64,
            state: RwSignal<LinkState>,
            on_message: impl Fn(LiveMessage) + 'static,
        ) -> Result<Self, String> {
            let link = Rc::new(Link {
                path: path.to_string(),
                state,
                on_message: Box::new(on_message),
                last: Cell::new(after),
                open: RefCell::new(None),
            });
            connect(&link)?;
            let window = web_sys::window().ok_or("no window")?;
            let mut window_callbacks = Vec::new();
            for (name, online) in [("offline", false), ("online", true)] {
                let link = link.clone();
                let callback = Callback::new(move |_: Event| {
                    disconnect(&link);
                    if online {
                        if let Err(err) = connect(&link) {
                            leptos::logging::warn!("live stream unavailable: {err}");
                        }
                    } else {
                        link.state.set(LinkState::Offline);
                    }
                });
                window
                    .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
                    .map_err(|e| format!("{e:?}"))?;
                window_callbacks.push((name, callback));
            }
            Ok(Self {
                link,
                window_callbacks,
            })
        }

        pub fn close(&self) {
            disconnect(&self.link);
            if let Some(window) = web_sys::window() {
                for (name, callback) in &self.window_callbacks {
                    let _ = window.remove_event_listener_with_callback(
                        name,
                        callback.as_ref().unchecked_ref(),
                    );
                }
            }
        }
    }

    fn disconnect(link: &Link) {
        if let Some((source, _callbacks)) = link.open.borrow_mut().take() {
            source.close();
        }
    }

    /// Opens the stream after the last event seen; the browser reconnects it by itself
    /// (with `Last-Event-ID`) after a dropped connection.
    fn connect(link: &Rc<Link>) -> Result<(), String> {
        let separator = if link.path.contains('?') { '&' } else { '?' };
        let source = EventSource::new(&format!(
            "{}{separator}wire=postcard&after={}",
            link.path,
            link.last.get()
        ))
        .map_err(|e| format!("{e:?}"))?;
        link.state.set(LinkState::Connecting);
        let mut callbacks = Vec::new();
        let mut listen = |name: &str, f: Box<dyn FnMut(Event)>| -> Result<(), String> {
            let callback = Callback::new(f);
            source
                .add_event_listener_with_callback(name, callback.as_ref().unchecked_ref())
                .map_err(|e| format!("{e:?}"))?;
            callbacks.push(callback);
            Ok(())
        };
        let state = link.state;
        listen("open", Box::new(move |_| state.set(LinkState::Live)))?;
        {
            let source = source.clone();
            listen(
                "error",
                Box::new(move |_| {
                    state.set(if source.ready_state() == EventSource::CLOSED {
                        LinkState::Closed
                    } else {
                        LinkState::Reconnecting
                    })
                }),
            )?;
        }
        {
            let link = link.clone();
            listen(
                "message",
                Box::new(move |event| {
                    let Some(data) = event
                        .dyn_ref::<MessageEvent>()
                        .and_then(|m| m.data().as_string())
                    else {
                        return;
                    };
                    // Postcard, as every page's data (`model::wire`): no JSON decoders.
                    match from_base64::<LiveBatch>(&data) {
                        Ok(batch) if batch.id > link.last.get() => {
                            link.last.set(batch.id);
                            (link.on_message)(LiveMessage::Batch(batch));
                        }
                        Ok(_) => {}
                        Err(err) => leptos::logging::warn!("unreadable live event: {err}"),
                    }
                }),
            )?;
        }
        {
            let link = link.clone();
            listen(
                "resync",
                Box::new(move |event| {
                    if let Some(id) = event
                        .dyn_ref::<MessageEvent>()
                        .and_then(|m| m.last_event_id().parse::<i64>().ok())
                    {
                        link.last.set(id);
                    }
                    (link.on_message)(LiveMessage::Resync);
                }),
            )?;
        }
        *link.open.borrow_mut() = Some((source, callbacks));
        Ok(())
    }
}
