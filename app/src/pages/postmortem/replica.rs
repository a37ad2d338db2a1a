//! The page's own copy of the shared document: yrs, in a chunk of its own that
//! [`load_replica`] fetches the first time the page needs it (see [`super::editor`]). Nothing
//! else on the page names yrs, so nothing else pulls it into the page's chunk.

use crate::domain::postmortem::document::{self, Contents, Edit};
use wasm_bindgen::JsCast;
use yrs::{Assoc, Doc, IndexedSequence, StickyIndex, Transact, WriteTxn};

/// What the page asks of its copy.
pub trait Replica {
    /// Makes `edits` in one transaction; the update to send.
    fn edit(&self, edits: &[Edit]) -> Vec<u8>;
    /// Applies someone's update and writes it into the `fields` (root text, textarea),
    /// the focused one's selection kept; false when it was not an update.
    fn receive(&self, update: &[u8], fields: &[(String, web_sys::HtmlTextAreaElement)]) -> bool;
    fn contents(&self) -> Contents;
    /// Updates waiting to be sent, as one.
    fn merge(&self, batch: Vec<Vec<u8>>) -> Vec<u8>;
}

/// The copy's chunk did not arrive (the network, most likely): asked for again later.
pub struct NotLoaded;

impl From<leptos::wasm_split::SplitLoaderError> for NotLoaded {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        NotLoaded
    }
}

/// A copy with writer id `client`, from `state` (base64, as the server sends it). A
/// split point of its own (as Leptos's `#[lazy]`, but a chunk that fails to arrive is
/// an error to retry rather than the end of the page).
#[leptos::wasm_split::wasm_split(
    postmortem_replica,
    wasm_split_path = ::leptos::wasm_split,
    fallible
)]
pub fn load_replica(client: u64, state: String) -> Result<Box<dyn Replica>, NotLoaded> {
    use base64::{engine::general_purpose::STANDARD, Engine};
    let doc = document::new_doc(Some(client));
    if let Ok(bytes) = STANDARD.decode(state) {
        let _ = document::apply(&doc, &bytes);
    }
    Ok(Box::new(YReplica(doc)))
}

struct YReplica(Doc);

/// The focused field's selection, as positions in the text rather than numbers.
struct Kept {
    root: String,
    start: StickyIndex,
    end: StickyIndex,
}

impl YReplica {
    fn keep_selection(&self, fields: &[(String, web_sys::HtmlTextAreaElement)]) -> Option<Kept> {
        let active = web_sys::window()?.document()?.active_element()?;
        let el = active.dyn_into::<web_sys::HtmlTextAreaElement>().ok()?;
        let root = fields
            .iter()
            .find(|(_, e)| e == &el)
            .map(|(r, _)| r.clone())?;
        let mut txn = self.0.transact_mut();
        let text = txn.get_or_insert_text(root.as_str());
        let start = el.selection_start().ok()??;
        let end = el.selection_end().ok()??;
        Some(Kept {
            start: text.sticky_index(&mut txn, start, Assoc::Before)?,
            end: text.sticky_index(&mut txn, end, Assoc::Before)?,
            root,
        })
    }
}

impl Replica for YReplica {
    fn edit(&self, edits: &[Edit]) -> Vec<u8> {
        let mut txn = self.0.transact_mut();
        for edit in edits {
            edit.apply(&mut txn);
        }
        txn.encode_update_v1()
    }

    fn receive(&self, update: &[u8], fields: &[(String, web_sys::HtmlTextAreaElement)]) -> bool {
        let kept = self.keep_selection(fields);
        if document::apply(&self.0, update).is_err() {
            return false;
        }
        for (root, el) in fields {
            let now = document::text_of(&self.0.transact(), root);
            if el.value() == now {
                continue;
            }
            el.set_value(&now);
            if let Some(kept) = kept.as_ref().filter(|k| &k.root == root) {
                let txn = self.0.transact();
                if let (Some(start), Some(end)) =
                    (kept.start.get_offset(&txn), kept.end.get_offset(&txn))
                {
                    let _ = el.set_selection_range(start.index, end.index);
                }
            }
        }
        true
    }

    fn contents(&self) -> Contents {
        document::read(&self.0)
    }

    fn merge(&self, batch: Vec<Vec<u8>>) -> Vec<u8> {
        yrs::merge_updates_v1(batch.iter().map(Vec::as_slice)).unwrap_or_else(|_| batch.concat())
    }
}
