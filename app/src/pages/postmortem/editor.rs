//! The page's side of the shared document. The page shows the document as plain data
//! (the server's [`Contents`]) and asks for changes as plain [`Edit`]s; its own copy
//! of the document — yrs, most of this page's code — loads as a chunk of its own when
//! first needed (a field focused, a button pressed, someone else's edit heard), so a
//! reader who only reads never fetches it. Until then, what the page is asked to do
//! waits: the reader's own edits first, in order (each was typed over the text the
//! page was rendered with, which is where the copy starts), then what others sent,
//! which merges with them as it would have on arrival.
//!
//! With the copy: a keystroke becomes the smallest change and an update sent to the
//! server; an update from someone else is applied and written into the textareas with
//! each cursor kept where it was. Edits made offline wait here and go when the server
//! answers again; nothing is dropped but what the server refuses for good.

use crate::{
    domain::{
        postmortem::document::{self, Contents, Edit},
        AppError,
    },
    model::postmortems::PostmortemInfo,
};
use leptos::prelude::*;
use std::sync::Arc;

/// How the page's edits stand with the server.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    Saved,
    Saving,
    /// Edits wait here; they go when the server answers.
    Waiting(usize),
}

pub struct Editor {
    pub number: i64,
    /// This page's writer id among the document's copies (its presence key too).
    pub client: u64,
    /// The document as it reads now: what the page shows.
    pub contents: RwSignal<Contents>,
    pub sync: RwSignal<SyncState>,
    pub error: RwSignal<Option<AppError>>,
    #[cfg(feature = "hydrate")]
    browser: leptos::__reexports::send_wrapper::SendWrapper<browser::Side>,
}

pub type Shared = Arc<Editor>;

impl Editor {
    pub fn new(number: i64, info: &PostmortemInfo) -> Shared {
        // Every copy needs its own writer id: two copies with the same one would take
        // each other's edits for their own and drop them.
        #[cfg(feature = "hydrate")]
        let client = document::writer_id(js_sys::Math::random());
        #[cfg(not(feature = "hydrate"))]
        let client = document::writer_id(0.0);
        Arc::new(Editor {
            number,
            client,
            contents: RwSignal::new(info.contents.clone()),
            sync: RwSignal::new(SyncState::Saved),
            error: RwSignal::new(None),
            #[cfg(feature = "hydrate")]
            browser: leptos::__reexports::send_wrapper::SendWrapper::new(browser::Side::new(
                info.state.clone(),
            )),
        })
    }

    /// The root text `root` as it reads now (untracked).
    pub fn text(&self, root: &str) -> String {
        self.contents.with_untracked(|c| c.text(root).to_string())
    }

    /// A local change, made in one transaction, then sent.
    pub fn change(self: &Arc<Self>, edits: Vec<Edit>) {
        #[cfg(feature = "hydrate")]
        if self.sync.get_untracked() == SyncState::Saved {
            self.sync.set(SyncState::Saving);
        }
        #[cfg(feature = "hydrate")]
        self.with_copy(Whose::Mine, move |this, copy| {
            let update = copy.edit(&edits);
            this.contents.set(copy.contents());
            this.browser.pending.borrow_mut().push(update);
            this.flush(copy);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = edits;
    }

    pub fn edit(self: &Arc<Self>, edit: Edit) {
        self.change(vec![edit]);
    }

    /// A textarea's new value.
    pub fn typed(self: &Arc<Self>, root: &str, value: &str) {
        self.edit(Edit::Text {
            root: root.to_string(),
            text: value.to_string(),
        });
    }

    /// An update from the server: someone's edit.
    pub fn receive(self: &Arc<Self>, update: &str) {
        #[cfg(feature = "hydrate")]
        {
            let update = update.to_string();
            self.with_copy(Whose::Theirs, move |this, copy| this.apply(copy, &update));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = update;
    }

    /// Starts loading the copy, for what the reader is about to do (a field focused).
    pub fn prepare(self: &Arc<Self>) {
        #[cfg(feature = "hydrate")]
        self.with_copy(Whose::Theirs, |_, _| {});
    }
}

#[cfg(feature = "hydrate")]
use browser::Whose;

#[cfg(feature = "hydrate")]
mod browser {
    use super::{Editor, SyncState};
    use crate::{
        api::postmortems::edit_postmortem,
        domain::AppError,
        pages::postmortem::replica::{self, Replica},
    };
    use base64::{engine::general_purpose::STANDARD, Engine};
    use leptos::{prelude::*, task::spawn_local};
    use std::{
        cell::{Cell, RefCell},
        rc::Rc,
        sync::Arc,
        time::Duration,
    };

    type Waiting = Box<dyn FnOnce(&Arc<Editor>, &Rc<dyn Replica>)>;

    /// Whose change waits for the copy: the reader's own go first (see the module).
    #[derive(Clone, Copy)]
    pub enum Whose {
        Mine,
        Theirs,
    }

    enum Slot {
        /// Not asked for yet: the state a copy would start from.
        Unloaded(String),
        /// Its chunk is on the way (again, after a failure); what to do with it when
        /// it is here.
        Loading {
            state: String,
            /// Whether an attempt has failed: the reader's edits wait on the network.
            failed: bool,
            mine: Vec<Waiting>,
            theirs: Vec<Waiting>,
        },
        Ready(Rc<dyn Replica>),
    }

    /// What only the browser holds: the copy, the edits not yet sent, the textareas.
    pub struct Side {
        slot: RefCell<Slot>,
        pub(super) pending: RefCell<Vec<Vec<u8>>>,
        in_flight: Cell<bool>,
        /// The textareas showing a root text, to write remote changes into.
        fields: RefCell<Vec<(String, web_sys::HtmlTextAreaElement)>>,
    }

    impl Side {
        pub fn new(state: String) -> Self {
            Side {
                slot: RefCell::new(Slot::Unloaded(state)),
                pending: RefCell::default(),
                in_flight: Cell::new(false),
                fields: RefCell::default(),
            }
        }
    }

    impl Editor {
        /// Runs `f` with the copy: now if it is here, else once its chunk has loaded,
        /// after whatever of the same `whose` was asked before it.
        pub(super) fn with_copy(
            self: &Arc<Self>,
            whose: Whose,
            f: impl FnOnce(&Arc<Editor>, &Rc<dyn Replica>) + 'static,
        ) {
            let mut slot = self.browser.slot.borrow_mut();
            match &mut *slot {
                Slot::Ready(copy) => {
                    let copy = copy.clone();
                    drop(slot);
                    f(self, &copy);
                }
                Slot::Loading {
                    mine,
                    theirs,
                    failed,
                    ..
                } => match whose {
                    Whose::Mine => {
                        mine.push(Box::new(f));
                        if *failed {
                            self.sync.set(SyncState::Waiting(mine.len()));
                        }
                    }
                    Whose::Theirs => theirs.push(Box::new(f)),
                },
                Slot::Unloaded(state) => {
                    *slot = Slot::Loading {
                        state: std::mem::take(state),
                        failed: false,
                        mine: vec![],
                        theirs: vec![],
                    };
                    drop(slot);
                    self.with_copy(whose, f);
                    self.load();
                }
            }
        }

        /// Fetches the copy's chunk; when it does not come, says the edits wait and
        /// asks again.
        fn load(self: &Arc<Self>) {
            let state = match &*self.browser.slot.borrow() {
                Slot::Loading { state, .. } => state.clone(),
                _ => return,
            };
            let this = self.clone();
            spawn_local(async move {
                let slot = &this.browser.slot;
                match replica::load_replica(this.client, state).await {
                    Ok(copy) => {
                        let copy: Rc<dyn Replica> = copy.into();
                        let ready = Slot::Ready(copy.clone());
                        let before = std::mem::replace(&mut *slot.borrow_mut(), ready);
                        if let Slot::Loading { mine, theirs, .. } = before {
                            for f in mine.into_iter().chain(theirs) {
                                f(&this, &copy);
                            }
                        }
                    }
                    Err(_) => {
                        if let Slot::Loading { mine, failed, .. } = &mut *slot.borrow_mut() {
                            *failed = true;
                            if !mine.is_empty() {
                                this.sync.set(SyncState::Waiting(mine.len()));
                            }
                        }
                        let again = this.clone();
                        set_timeout(move || again.load(), Duration::from_millis(1500));
                    }
                }
            });
        }

        pub(super) fn apply(&self, copy: &Rc<dyn Replica>, update: &str) {
            let Ok(bytes) = STANDARD.decode(update) else {
                return;
            };
            if copy.receive(&bytes, &self.browser.fields.borrow()) {
                self.contents.set(copy.contents());
            }
        }

        /// Sends what waits, one request at a time, merged.
        pub(super) fn flush(self: &Arc<Self>, copy: &Rc<dyn Replica>) {
            let side = &self.browser;
            if side.in_flight.get() || side.pending.borrow().is_empty() {
                return;
            }
            let batch: Vec<Vec<u8>> = side.pending.borrow_mut().drain(..).collect();
            let merged = copy.merge(batch);
            side.in_flight.set(true);
            self.sync.set(SyncState::Saving);
            let this = self.clone();
            let copy = copy.clone();
            spawn_local(async move {
                let result = edit_postmortem(this.number, STANDARD.encode(&merged)).await;
                let side = &this.browser;
                side.in_flight.set(false);
                match result {
                    Ok(()) => {
                        this.error.set(None);
                        if side.pending.borrow().is_empty() {
                            this.sync.set(SyncState::Saved);
                        } else {
                            this.flush(&copy);
                        }
                    }
                    // Refused for good: say so, and do not send it again.
                    Err(
                        e @ (AppError::Validation(_) | AppError::Conflict(_) | AppError::Forbidden),
                    ) => {
                        this.error.set(Some(e));
                        this.sync.set(SyncState::Saved);
                    }
                    Err(_) => {
                        let waiting = {
                            let mut pending = side.pending.borrow_mut();
                            pending.insert(0, merged);
                            pending.len()
                        };
                        this.sync.set(SyncState::Waiting(waiting));
                        let again = this.clone();
                        set_timeout(move || again.flush(&copy), Duration::from_millis(1500));
                    }
                }
            });
        }

        /// A textarea now shows `root` (until [`Editor::unregister`]).
        pub fn register(&self, root: &str, el: web_sys::HtmlTextAreaElement) {
            let mut fields = self.browser.fields.borrow_mut();
            if !fields.iter().any(|(r, e)| r == root && e == &el) {
                fields.push((root.to_string(), el));
            }
        }

        pub fn unregister(&self, el: &web_sys::HtmlTextAreaElement) {
            self.browser.fields.borrow_mut().retain(|(_, e)| e != el);
        }
    }
}
