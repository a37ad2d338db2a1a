//! The shared document of a postmortem: a yrs CRDT, so several people type into the
//! same paragraph at once and every copy converges without "someone else saved".
//! Offsets count UTF-16 units, as a browser's textarea does, so a cursor stays put when
//! someone types above it.
//!
//! Its schema, by root name:
//! - `description`, `factors`, `fix`, `impact`: the template's free text (Markdown).
//! - `timeline`: a map, line id → the line's moment (RFC 3339, UTC); each line's words
//!   are the text `timeline/<id>`.
//! - `chains`: a map, chain id → how many levels of "Why? — Because …" it has; its
//!   problem statement is `chain/<id>/problem`, level k's answer `chain/<id>/why/<k>`.
//!
//! The preamble is not here: nothing a client sends can touch it (see [`super::PREAMBLE`]).
//! The server applies every update to a copy first and refuses one that [`check`] fails.

use super::{MAX_CHAINS, MAX_FIELD_LEN, MAX_LINES, MAX_WHYS};
use crate::domain::AppError;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use yrs::{
    updates::decoder::Decode, Any, Doc, GetString, Map, MapRef, OffsetKind, Options, Out, ReadTxn,
    Text, TextRef, Transact, TransactionMut, Update, WriteTxn,
};

/// The free-text fields, by root name (each a [`super::Section`]'s key).
pub const TEXTS: [&str; 4] = ["description", "factors", "fix", "impact"];
pub const TIMELINE: &str = "timeline";
pub const CHAINS: &str = "chains";
/// The longest id of a line or chain.
const MAX_ID_LEN: usize = 40;

pub fn line_text(id: &str) -> String {
    format!("timeline/{id}")
}

pub fn problem_text(chain: &str) -> String {
    format!("chain/{chain}/problem")
}

/// Level `level` (1-based) of a chain: "Why? — Because …".
pub fn why_text(chain: &str, level: usize) -> String {
    format!("chain/{chain}/why/{level}")
}

/// A new, empty copy of a document. `client_id`: this copy's id among the writers (a
/// random one when None; every writer's must differ).
pub fn new_doc(client_id: Option<u64>) -> Doc {
    let mut options = Options {
        offset_kind: OffsetKind::Utf16,
        ..Options::default()
    };
    if let Some(id) = client_id {
        options.client_id = id;
    }
    Doc::with_options(options)
}

/// A writer id from a random number in [0, 1): every copy of a document needs its
/// own, and it must fit in 32 bits — yrs takes an update from a larger id that it has
/// already applied for a new one, so an editor's own echo would double its words.
pub fn writer_id(random: f64) -> u64 {
    1 + (random.clamp(0.0, 1.0) * f64::from(u32::MAX - 1)) as u64
}

/// The document as plain data: what a page shows before (and without) its own copy.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contents {
    pub description: String,
    /// In time order.
    pub timeline: Vec<Line>,
    /// In the order they were started.
    pub chains: Vec<Chain>,
    /// Contributing factors in free text, below the chains.
    pub factors: String,
    pub fix: String,
    pub impact: String,
}

/// "[2016-03-15 14:02] - @user does a thing".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    pub id: String,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// The 5 whys: a problem statement and its chain of becauses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Chain {
    pub id: String,
    pub problem: String,
    pub whys: Vec<String>,
}

impl Contents {
    /// The words of the root text `root` (the module's schema), empty when it has none.
    pub fn text(&self, root: &str) -> &str {
        let chain = |id: &str| self.chains.iter().find(|c| c.id == id);
        let found = match Root::parse(root) {
            Some(Root::Text("description")) => Some(&self.description),
            Some(Root::Text("factors")) => Some(&self.factors),
            Some(Root::Text("fix")) => Some(&self.fix),
            Some(Root::Text("impact")) => Some(&self.impact),
            Some(Root::Line(id)) => self.timeline.iter().find(|l| l.id == id).map(|l| &l.text),
            Some(Root::Problem(id)) => chain(id).map(|c| &c.problem),
            Some(Root::Why(id, k)) => chain(id).and_then(|c| c.whys.get(k.checked_sub(1)?)),
            Some(Root::Text(_)) | None => None,
        };
        found.map_or("", String::as_str)
    }

    /// Its words, one passage a line: what search finds a postmortem by.
    pub fn search_text(&self) -> String {
        let passages: Vec<&str> = self
            .passages()
            .into_iter()
            .map(|(_, text)| text)
            .filter(|text| !text.trim().is_empty())
            .collect();
        passages.join("\n")
    }

    /// Every field with words in it, with the section it belongs to: what the
    /// blameless hints read.
    pub fn passages(&self) -> Vec<(super::Section, &str)> {
        use super::Section;
        let mut out = vec![(Section::Description, self.description.as_str())];
        out.extend(
            self.timeline
                .iter()
                .map(|l| (Section::Timeline, l.text.as_str())),
        );
        for chain in &self.chains {
            out.push((Section::Factors, chain.problem.as_str()));
            out.extend(chain.whys.iter().map(|w| (Section::Factors, w.as_str())));
        }
        out.push((Section::Factors, self.factors.as_str()));
        out.push((Section::Fix, self.fix.as_str()));
        out.push((Section::Impact, self.impact.as_str()));
        out
    }
}

/// The root text `name` as it reads now (empty when nobody has written it).
pub fn text_of<T: ReadTxn>(txn: &T, name: &str) -> String {
    txn.get_text(name)
        .map(|t| t.get_string(txn))
        .unwrap_or_default()
}

/// The line ids and moments of the timeline, in time order.
pub fn lines<T: ReadTxn>(txn: &T) -> Vec<(String, DateTime<Utc>)> {
    let Some(map) = txn.get_map(TIMELINE) else {
        return vec![];
    };
    let mut lines: Vec<(String, DateTime<Utc>)> = map
        .iter(txn)
        .filter_map(|(id, value)| Some((id.to_string(), moment(&value)?)))
        .collect();
    lines.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
    lines
}

/// The chain ids and their levels, in the order they were started (ids sort so).
pub fn chains<T: ReadTxn>(txn: &T) -> Vec<(String, usize)> {
    let Some(map) = txn.get_map(CHAINS) else {
        return vec![];
    };
    let mut chains: Vec<(String, usize)> = map
        .iter(txn)
        .filter_map(|(id, value)| Some((id.to_string(), levels(&value)?)))
        .collect();
    chains.sort();
    chains
}

fn moment(value: &Out) -> Option<DateTime<Utc>> {
    match value {
        Out::Any(Any::String(s)) => DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|t| t.with_timezone(&Utc)),
        _ => None,
    }
}

fn levels(value: &Out) -> Option<usize> {
    match value {
        Out::Any(Any::Number(n)) if *n >= 0.0 && n.fract() == 0.0 => Some(*n as usize),
        Out::Any(Any::BigInt(n)) if *n >= 0 => Some(*n as usize),
        _ => None,
    }
}

/// Reads the whole document.
pub fn read(doc: &Doc) -> Contents {
    let txn = doc.transact();
    Contents {
        description: text_of(&txn, "description"),
        timeline: lines(&txn)
            .into_iter()
            .map(|(id, at)| Line {
                text: text_of(&txn, &line_text(&id)),
                id,
                at,
            })
            .collect(),
        chains: chains(&txn)
            .into_iter()
            .map(|(id, levels)| Chain {
                problem: text_of(&txn, &problem_text(&id)),
                whys: (1..=levels)
                    .map(|k| text_of(&txn, &why_text(&id, k)))
                    .collect(),
                id,
            })
            .collect(),
        factors: text_of(&txn, "factors"),
        fix: text_of(&txn, "fix"),
        impact: text_of(&txn, "impact"),
    }
}

/// The whole document as one update (what a new copy starts from).
pub fn state(doc: &Doc) -> Vec<u8> {
    doc.transact()
        .encode_state_as_update_v1(&yrs::StateVector::default())
}

/// Applies an update someone sent (or one read back from the log).
pub fn apply(doc: &Doc, update: &[u8]) -> Result<(), AppError> {
    let update = Update::decode_v1(update).map_err(|_| not_an_update())?;
    doc.transact_mut()
        .apply_update(update)
        .map_err(|_| not_an_update())
}

fn not_an_update() -> AppError {
    AppError::invalid("update", "That is not an update of a postmortem document.")
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// A root text's name, as the module's schema spells it.
enum Root<'a> {
    /// One of [`TEXTS`].
    Text(&'a str),
    Line(&'a str),
    Problem(&'a str),
    /// A chain's level (1-based).
    Why(&'a str, usize),
}

impl<'a> Root<'a> {
    fn parse(name: &'a str) -> Option<Self> {
        if TEXTS.contains(&name) {
            return Some(Root::Text(name));
        }
        if let Some(id) = name.strip_prefix("timeline/") {
            return Some(Root::Line(id));
        }
        let (id, part) = name.strip_prefix("chain/")?.split_once('/')?;
        match part {
            "problem" => Some(Root::Problem(id)),
            _ => Some(Root::Why(id, part.strip_prefix("why/")?.parse().ok()?)),
        }
    }
}

/// Whether a root name belongs to the schema.
fn known_root(name: &str) -> bool {
    if name == TIMELINE || name == CHAINS {
        return true;
    }
    match Root::parse(name) {
        Some(Root::Text(_)) => true,
        Some(Root::Line(id) | Root::Problem(id)) => valid_id(id),
        Some(Root::Why(id, k)) => valid_id(id) && (1..=MAX_WHYS).contains(&k),
        None => false,
    }
}

/// What the server requires of a document after an update: only the schema's parts,
/// each within its limits. The error names what is wrong.
pub fn check(doc: &Doc) -> Result<(), AppError> {
    let txn = doc.transact();
    for (name, _) in txn.root_refs() {
        if !known_root(name) {
            return Err(AppError::invalid(
                "update",
                format!("A postmortem has no part called \"{name}\": the update was refused."),
            ));
        }
    }
    for (name, value) in txn.root_refs() {
        if let Out::YText(text) = value {
            if text.get_string(&txn).chars().count() > MAX_FIELD_LEN {
                return Err(AppError::invalid(
                    "update",
                    format!("Keep each part under {MAX_FIELD_LEN} characters ({name} is longer)."),
                ));
            }
        }
    }
    let too = |what: &str| Err(AppError::invalid("update", what.to_string()));
    if let Some(map) = txn.get_map(TIMELINE) {
        if map.len(&txn) as usize > MAX_LINES {
            return too(&format!("A timeline holds at most {MAX_LINES} lines."));
        }
        if map
            .iter(&txn)
            .any(|(id, v)| !valid_id(id) || moment(&v).is_none())
        {
            return too("Each timeline line needs an id and a moment.");
        }
    }
    if let Some(map) = txn.get_map(CHAINS) {
        if map.len(&txn) as usize > MAX_CHAINS {
            return too(&format!("Keep it to {MAX_CHAINS} chains of whys."));
        }
        if map
            .iter(&txn)
            .any(|(id, v)| !valid_id(id) || levels(&v).is_none_or(|l| l > MAX_WHYS))
        {
            return too(&format!(
                "A chain of whys goes at most {MAX_WHYS} levels deep."
            ));
        }
    }
    Ok(())
}

/// Makes `text` (whose content is `old`) read `new`, as the fewest UTF-16 units deleted
/// and inserted where the two differ: what a keystroke in a textarea becomes.
pub fn replace(txn: &mut TransactionMut, text: &TextRef, old: &str, new: &str) {
    let a: Vec<u16> = old.encode_utf16().collect();
    let b: Vec<u16> = new.encode_utf16().collect();
    let mut start = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    // Never split a surrogate pair.
    if start > 0 && (0xD800..0xDC00).contains(&a[start - 1]) {
        start -= 1;
    }
    let max_end = a.len().min(b.len()) - start;
    let mut end = a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take(max_end)
        .take_while(|(x, y)| x == y)
        .count();
    if end > 0 && (0xDC00..0xE000).contains(&a[a.len() - end]) {
        end -= 1;
    }
    let removed = a.len() - start - end;
    if removed > 0 {
        text.remove_range(txn, start as u32, removed as u32);
    }
    let inserted = String::from_utf16_lossy(&b[start..b.len() - end]);
    if !inserted.is_empty() {
        text.insert(txn, start as u32, &inserted);
    }
}

/// Sets the root text `name` to `new` (by [`replace`]).
pub fn set_text(txn: &mut TransactionMut, name: &str, new: &str) {
    let text = txn.get_or_insert_text(name);
    let old = text.get_string(txn);
    replace(txn, &text, &old, new);
}

fn timeline(txn: &mut TransactionMut) -> MapRef {
    txn.get_or_insert_map(TIMELINE)
}

/// Adds a timeline line (or moves an existing one to `at`, keeping its words when
/// `text` is None).
pub fn put_line(txn: &mut TransactionMut, id: &str, at: DateTime<Utc>, text: Option<&str>) {
    let map = timeline(txn);
    map.insert(txn, id, at.to_rfc3339());
    if let Some(text) = text {
        set_text(txn, &line_text(id), text);
    }
}

pub fn remove_line(txn: &mut TransactionMut, id: &str) {
    let map = timeline(txn);
    map.remove(txn, id);
    set_text(txn, &line_text(id), "");
}

/// Starts a chain of whys with its problem statement and one empty level.
pub fn add_chain(txn: &mut TransactionMut, id: &str, problem: &str) {
    let map = txn.get_or_insert_map(CHAINS);
    map.insert(txn, id, 1.0);
    set_text(txn, &problem_text(id), problem);
}

/// Sets how many levels a chain has (clearing the words of levels it loses).
pub fn set_levels(txn: &mut TransactionMut, id: &str, count: usize) {
    let count = count.clamp(1, MAX_WHYS);
    let map = txn.get_or_insert_map(CHAINS);
    let before = map.get(txn, id).as_ref().and_then(levels).unwrap_or(0);
    map.insert(txn, id, count as f64);
    for k in count + 1..=before {
        set_text(txn, &why_text(id, k), "");
    }
}

pub fn remove_chain(txn: &mut TransactionMut, id: &str) {
    let map = txn.get_or_insert_map(CHAINS);
    let before = map.get(txn, id).as_ref().and_then(levels).unwrap_or(0);
    map.remove(txn, id);
    set_text(txn, &problem_text(id), "");
    for k in 1..=before {
        set_text(txn, &why_text(id, k), "");
    }
}

/// One change to the document, as plain data: what a page asks of its copy, which
/// (with yrs) it loads only when it first needs it.
#[derive(Clone, Debug, PartialEq)]
pub enum Edit {
    /// The root text `root` now reads `text` (a keystroke, or a whole paragraph).
    Text {
        root: String,
        text: String,
    },
    /// See [`put_line`].
    PutLine {
        id: String,
        at: DateTime<Utc>,
        text: Option<String>,
    },
    RemoveLine(String),
    /// See [`add_chain`].
    AddChain {
        id: String,
        problem: String,
    },
    /// See [`set_levels`].
    SetLevels {
        id: String,
        count: usize,
    },
    RemoveChain(String),
}

impl Edit {
    pub fn apply(&self, txn: &mut TransactionMut) {
        match self {
            Edit::Text { root, text } => set_text(txn, root, text),
            Edit::PutLine { id, at, text } => put_line(txn, id, *at, text.as_deref()),
            Edit::RemoveLine(id) => remove_line(txn, id),
            Edit::AddChain { id, problem } => add_chain(txn, id, problem),
            Edit::SetLevels { id, count } => set_levels(txn, id, *count),
            Edit::RemoveChain(id) => remove_chain(txn, id),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sync(from: &Doc, to: &Doc) {
        apply(to, &state(from)).unwrap();
    }

    #[test]
    fn two_copies_typing_into_the_same_paragraph_converge_with_nothing_lost() {
        let a = new_doc(Some(1));
        let b = new_doc(Some(2));
        set_text(&mut a.transact_mut(), "fix", "We rolled back.");
        sync(&a, &b);
        set_text(&mut a.transact_mut(), "fix", "We rolled back the deploy.");
        set_text(&mut b.transact_mut(), "fix", "Then we rolled back.");
        sync(&a, &b);
        sync(&b, &a);
        assert_eq!(read(&a), read(&b));
        assert_eq!(read(&a).fix, "Then we rolled back the deploy.");
    }

    #[test]
    fn a_keystroke_is_the_smallest_change_in_utf16_units() {
        let doc = new_doc(Some(1));
        set_text(&mut doc.transact_mut(), "impact", "Pushes 🚀 failed");
        set_text(&mut doc.transact_mut(), "impact", "Pushes 🚀 mostly failed");
        set_text(
            &mut doc.transact_mut(),
            "impact",
            "Pushes 🚀🚀 mostly failed",
        );
        set_text(&mut doc.transact_mut(), "impact", "Pushes 🛰 mostly failed");
        assert_eq!(read(&doc).impact, "Pushes 🛰 mostly failed");
    }

    #[test]
    fn timeline_lines_stay_in_time_order_and_chains_in_the_order_started() {
        let doc = new_doc(Some(1));
        let at = |h| Utc.with_ymd_and_hms(2026, 11, 30, h, 0, 0).unwrap();
        {
            let mut txn = doc.transact_mut();
            put_line(&mut txn, "late", at(15), Some("@ada rolled back"));
            put_line(&mut txn, "early", at(14), Some("@rosa declared it"));
            add_chain(&mut txn, "c2", "Second");
            add_chain(&mut txn, "c1", "First");
            set_levels(&mut txn, "c1", 2);
            set_text(&mut txn, &why_text("c1", 2), "no index");
        }
        let contents = read(&doc);
        let texts: Vec<&str> = contents.timeline.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["@rosa declared it", "@ada rolled back"]);
        assert_eq!(contents.chains[0].problem, "First");
        assert_eq!(contents.chains[0].whys, ["", "no index"]);
        remove_line(&mut doc.transact_mut(), "late");
        set_levels(&mut doc.transact_mut(), "c1", 1);
        let contents = read(&doc);
        assert_eq!(contents.timeline.len(), 1);
        assert_eq!(contents.chains[0].whys, [""]);
        check(&doc).unwrap();
    }

    #[test]
    fn the_plain_contents_name_every_root_text_as_the_document_does() {
        let doc = new_doc(Some(1));
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 14, 0, 0).unwrap();
        let edits = [
            Edit::Text {
                root: "fix".into(),
                text: "Rolled back.".into(),
            },
            Edit::PutLine {
                id: "l1".into(),
                at,
                text: Some("@ada paged".into()),
            },
            Edit::AddChain {
                id: "c1".into(),
                problem: "Pushes failed".into(),
            },
            Edit::SetLevels {
                id: "c1".into(),
                count: 3,
            },
            Edit::Text {
                root: why_text("c1", 2),
                text: "no index".into(),
            },
        ];
        {
            let mut txn = doc.transact_mut();
            edits.iter().for_each(|e| e.apply(&mut txn));
        }
        let contents = read(&doc);
        let txn = doc.transact();
        let mut roots: Vec<String> = TEXTS.iter().map(|t| t.to_string()).collect();
        roots.extend([line_text("l1"), problem_text("c1")]);
        roots.extend((1..=4).map(|k| why_text("c1", k)));
        roots.extend([line_text("gone"), "chain/c1".into(), "nothing".into()]);
        for root in &roots {
            assert_eq!(contents.text(root), text_of(&txn, root), "{root}");
        }
        assert_eq!(contents.text(&why_text("c1", 2)), "no index");
        assert_eq!(contents.text(&line_text("l1")), "@ada paged");
        drop(txn);
        Edit::RemoveChain("c1".into()).apply(&mut doc.transact_mut());
        Edit::RemoveLine("l1".into()).apply(&mut doc.transact_mut());
        let contents = read(&doc);
        assert!(contents.chains.is_empty() && contents.timeline.is_empty());
        assert_eq!(contents.text(&problem_text("c1")), "");
    }

    #[test]
    fn an_editor_applying_its_own_echo_changes_nothing() {
        for random in [0.0, 0.5, 0.999_999] {
            let doc = new_doc(Some(writer_id(random)));
            let update = {
                let mut txn = doc.transact_mut();
                set_text(&mut txn, "fix", "Rolled back.");
                txn.encode_update_v1()
            };
            let merged = yrs::merge_updates_v1([update.as_slice()]).unwrap();
            apply(&doc, &merged).unwrap();
            apply(&doc, &update).unwrap();
            assert_eq!(read(&doc).fix, "Rolled back.");
        }
    }

    #[test]
    fn a_part_outside_the_schema_fails_the_check() {
        let doc = new_doc(Some(1));
        set_text(&mut doc.transact_mut(), "preamble", "Blame is fine.");
        let err = check(&doc).unwrap_err();
        assert!(err.to_string().contains("preamble"), "{err}");
        let doc = new_doc(Some(1));
        set_text(&mut doc.transact_mut(), &why_text("c1", MAX_WHYS + 1), "x");
        assert!(check(&doc).is_err());
        assert!(apply(&doc, b"not an update").is_err());
    }
}
