//! The page's copy of the shared document, and how it meets the textareas: a keystroke
//! becomes the smallest yrs change (UTF-16 offsets) and an update sent to the server;
//! an update from someone else is applied and written into the textareas with each
//! cursor kept where it was (a sticky index, not a number). Edits made offline wait
//! here and go when the server answers again; nothing is dropped but what the server
//! refuses for good.

use crate::{
    api::postmortems::edit_postmortem,
    domain::{postmortem::document, AppError},
};
use base64::{engine::general_purpose::STANDARD, Engine};
use leptos::{prelude::*, task::spawn_local};
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};
use yrs::{Doc, GetString, Transact, WriteTxn};

/// How the page's edits stand with the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SyncState {
    Saved,
    Saving,
    /// Edits wait here; they go when the server answers.
    Waiting(usize),
}

pub struct Editor {
    pub number: i64,
    pub doc: Doc,
    /// Bumped after every change, local or remote: what reads the document tracks.
    pub rev: RwSignal<u64>,
    pub sync: RwSignal<SyncState>,
    pub error: RwSignal<Option<AppError>>,
    pending: Mutex<Vec<Vec<u8>>>,
    in_flight: AtomicBool,
    /// The textareas showing a root text, to write remote changes into (the browser
    /// has one thread).
    #[cfg(feature = "hydrate")]
    fields: leptos::__reexports::send_wrapper::SendWrapper<
        std::cell::RefCell<Vec<(String, web_sys::HtmlTextAreaElement)>>,
    >,
}

pub type Shared = Arc<Editor>;

impl Editor {
    pub fn new(number: i64, state: &str) -> Shared {
        // Every copy needs its own writer id: two copies with the same one would take
        // each other's edits for their own and drop them.
        #[cfg(feature = "hydrate")]
        let client = Some(document::writer_id(js_sys::Math::random()));
        #[cfg(not(feature = "hydrate"))]
        let client = None;
        let doc = document::new_doc(client);
        if let Ok(bytes) = STANDARD.decode(state) {
            let _ = document::apply(&doc, &bytes);
        }
        Arc::new(Editor {
            number,
            doc,
            rev: RwSignal::new(0),
            sync: RwSignal::new(SyncState::Saved),
            error: RwSignal::new(None),
            pending: Mutex::new(Vec::new()),
            in_flight: AtomicBool::new(false),
            #[cfg(feature = "hydrate")]
            fields: leptos::__reexports::send_wrapper::SendWrapper::new(Default::default()),
        })
    }

    /// This copy's writer id (its presence key too).
    pub fn client(&self) -> u64 {
        self.doc.client_id()
    }

    pub fn text(&self, root: &str) -> String {
        document::text_of(&self.doc.transact(), root)
    }

    /// A local change: made in one transaction, then sent.
    pub fn change(self: &Arc<Self>, f: impl FnOnce(&mut yrs::TransactionMut)) {
        let update = {
            let mut txn = self.doc.transact_mut();
            f(&mut txn);
            txn.encode_update_v1()
        };
        self.rev.update(|r| *r += 1);
        self.pending().push(update);
        self.flush();
    }

    /// A textarea's new value.
    pub fn typed(self: &Arc<Self>, root: &str, value: &str) {
        let root = root.to_string();
        let value = value.to_string();
        self.change(move |txn| {
            let text = txn.get_or_insert_text(root.as_str());
            let old = text.get_string(txn);
            document::replace(txn, &text, &old, &value);
        });
    }

    /// Sends what waits, one request at a time, merged.
    fn flush(self: &Arc<Self>) {
        if self.in_flight.load(Ordering::Relaxed) || self.pending().is_empty() {
            return;
        }
        let batch: Vec<Vec<u8>> = self.pending().drain(..).collect();
        let merged = match yrs::merge_updates_v1(batch.iter().map(Vec::as_slice)) {
            Ok(merged) => merged,
            Err(_) => batch.concat(),
        };
        self.in_flight.store(true, Ordering::Relaxed);
        self.sync.set(SyncState::Saving);
        let this = self.clone();
        spawn_local(async move {
            let result = edit_postmortem(this.number, STANDARD.encode(&merged)).await;
            this.in_flight.store(false, Ordering::Relaxed);
            match result {
                Ok(()) => {
                    this.error.set(None);
                    if this.pending().is_empty() {
                        this.sync.set(SyncState::Saved);
                    } else {
                        this.flush();
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
                        let mut pending = this.pending();
                        pending.insert(0, merged);
                        pending.len()
                    };
                    this.sync.set(SyncState::Waiting(waiting));
                    let again = this.clone();
                    set_timeout(move || again.flush(), Duration::from_millis(1500));
                }
            }
        });
    }

    fn pending(&self) -> std::sync::MutexGuard<'_, Vec<Vec<u8>>> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// An update from the server (someone's edit, or a whole state after a resync).
    pub fn receive(&self, update: &str) {
        let Ok(bytes) = STANDARD.decode(update) else {
            return;
        };
        #[cfg(feature = "hydrate")]
        let kept = self.keep_selection();
        if document::apply(&self.doc, &bytes).is_err() {
            return;
        }
        #[cfg(feature = "hydrate")]
        self.refresh_fields(kept);
        self.rev.update(|r| *r += 1);
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::Editor;
    use wasm_bindgen::JsCast;
    use yrs::{Assoc, IndexedSequence, StickyIndex, Transact, WriteTxn};

    /// The focused field's selection, as positions in the text rather than numbers.
    pub struct Kept {
        root: String,
        start: StickyIndex,
        end: StickyIndex,
    }

    impl Editor {
        /// A textarea now shows `root` (until [`Editor::unregister`]).
        pub fn register(&self, root: &str, el: web_sys::HtmlTextAreaElement) {
            let mut fields = self.fields.borrow_mut();
            if !fields.iter().any(|(r, e)| r == root && e == &el) {
                fields.push((root.to_string(), el));
            }
        }

        pub fn unregister(&self, el: &web_sys::HtmlTextAreaElement) {
            self.fields.borrow_mut().retain(|(_, e)| e != el);
        }

        pub(super) fn keep_selection(&self) -> Option<Kept> {
            let active = web_sys::window()?.document()?.active_element()?;
            let el = active.dyn_into::<web_sys::HtmlTextAreaElement>().ok()?;
            let root = self
                .fields
                .borrow()
                .iter()
                .find(|(_, e)| e == &el)
                .map(|(r, _)| r.clone())?;
            let mut txn = self.doc.transact_mut();
            let text = txn.get_or_insert_text(root.as_str());
            let start = el.selection_start().ok()??;
            let end = el.selection_end().ok()??;
            Some(Kept {
                start: text.sticky_index(&mut txn, start, Assoc::Before)?,
                end: text.sticky_index(&mut txn, end, Assoc::Before)?,
                root,
            })
        }

        pub(super) fn refresh_fields(&self, kept: Option<Kept>) {
            let fields = self.fields.borrow();
            for (root, el) in fields.iter() {
                let now = self.text(root);
                if el.value() == now {
                    continue;
                }
                el.set_value(&now);
                if let Some(kept) = kept.as_ref().filter(|k| &k.root == root) {
                    let txn = self.doc.transact();
                    if let (Some(start), Some(end)) =
                        (kept.start.get_offset(&txn), kept.end.get_offset(&txn))
                    {
                        let _ = el.set_selection_range(start.index, end.index);
                    }
                }
            }
        }
    }
}
