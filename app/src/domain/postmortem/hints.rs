//! Blameless-language hints, from the seed's table of blaming and blameless questions:
//! wording that makes a person the cause, or dwells on hindsight, marked with why and
//! with a blameless way to ask it. Run in the browser as people type and on the server,
//! which counts the open ones.

use serde::{Deserialize, Serialize};

/// What a passage does wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BlameRule {
    /// "@x broke…", "X's fault", "human error".
    PersonAsCause,
    /// "Which engineer forgot…", "who broke…".
    WhoDidIt,
    /// "didn't know enough…".
    Knowledge,
    /// "shut off his/her access".
    Punishment,
    /// "should have", "could've", "should've".
    Hindsight,
}

impl BlameRule {
    /// Why the passage is marked.
    pub fn reason(self) -> &'static str {
        match self {
            BlameRule::PersonAsCause => {
                "names a person as the cause; issues are rarely the fault of a single person"
            }
            BlameRule::WhoDidIt => {
                "looks for the engineer to blame rather than the gap that let it happen"
            }
            BlameRule::Knowledge => "blames what one person knew rather than how the team learns",
            BlameRule::Punishment => {
                "disciplines a person; the postmortem fixes processes and tools"
            }
            BlameRule::Hindsight => {
                "is hindsight: we will not dwell on \"could've\" and \"should've\""
            }
        }
    }

    /// A blameless way to ask it, from the seed's table.
    pub fn ask(self) -> &'static str {
        match self {
            BlameRule::PersonAsCause => {
                "Did the peer review process not catch it? What in our tooling let it through?"
            }
            BlameRule::WhoDidIt => {
                "Is there test coverage in that part of the code? Does our release schedule discourage writing tests?"
            }
            BlameRule::Knowledge => {
                "Does the team have enough education (on Explain Plans, say) to be informed about worrisome queries?"
            }
            BlameRule::Punishment => {
                "Could this run somewhere safer, like a Read Replica instead of the primary?"
            }
            BlameRule::Hindsight => {
                "What did people know at the time, and what would have surfaced it sooner (monitoring, tests, review)?"
            }
        }
    }
}

/// One marked passage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlameHint {
    pub rule: BlameRule,
    /// The words as written.
    pub found: String,
}

impl BlameHint {
    pub fn advice(&self) -> String {
        format!(
            "\"{}\" {}. Ask instead: {}",
            self.found,
            self.rule.reason(),
            self.rule.ask()
        )
    }
}

const HINDSIGHT: [&str; 10] = [
    "should have",
    "should've",
    "shouldn't have",
    "should not have",
    "could have",
    "could've",
    "couldn't have",
    "would have",
    "would've",
    "if only",
];
const WHO: [&str; 8] = [
    "which engineer",
    "which developer",
    "who forgot",
    "who broke",
    "who caused",
    "who pushed",
    "whose fault",
    "who is to blame",
];
const KNOWLEDGE: [&str; 6] = [
    "didn't know enough",
    "did not know enough",
    "doesn't know enough",
    "does not know enough",
    "know enough",
    "not competent",
];
const PUNISHMENT: [&str; 7] = [
    "shut off his",
    "shut off her",
    "shut off their access",
    "his/her access",
    "revoke his",
    "revoke her",
    "take away his",
];
const FAULT: [&str; 5] = [
    "'s fault",
    "’s fault",
    "fault of",
    "human error",
    "to blame",
];
/// Verbs that, after a person, make them the cause.
const BLAME_VERBS: [&str; 14] = [
    "broke", "caused", "forgot", "missed", "deleted", "dropped", "pushed", "ran", "messed",
    "screwed", "failed", "ignored", "botched", "crashed",
];

/// The blaming passages in `text`, each named once, in the order they appear.
pub fn blameless_hints(text: &str) -> Vec<BlameHint> {
    let lower = text.to_lowercase().replace('’', "'");
    // (start, end, rule), as byte offsets of `lower`.
    let mut spans: Vec<(usize, usize, BlameRule)> = Vec::new();
    for (rule, phrases) in [
        (BlameRule::Hindsight, &HINDSIGHT[..]),
        (BlameRule::WhoDidIt, &WHO[..]),
        (BlameRule::Knowledge, &KNOWLEDGE[..]),
        (BlameRule::Punishment, &PUNISHMENT[..]),
        (BlameRule::PersonAsCause, &FAULT[..]),
    ] {
        for phrase in phrases {
            let phrase = phrase.replace('’', "'");
            for (at, _) in lower.match_indices(&phrase) {
                if phrase.starts_with('\'') {
                    // "Bob's fault": from the start of the owner's name.
                    let start = lower[..at]
                        .char_indices()
                        .rev()
                        .take_while(|(_, c)| !c.is_whitespace())
                        .last()
                        .map_or(at, |(i, _)| i);
                    if start < at {
                        spans.push((start, at + phrase.len(), rule));
                    }
                } else if starts_word(&lower, at) {
                    spans.push((at, at + phrase.len(), rule));
                }
            }
        }
    }
    // "@x broke …".
    let words: Vec<(usize, &str)> = word_spans(&lower);
    for pair in words.windows(2) {
        let ((at, who), (next_at, verb)) = (pair[0], pair[1]);
        let verb = verb.trim_matches(|c: char| !c.is_alphanumeric());
        if who.starts_with('@') && who.len() > 1 && BLAME_VERBS.contains(&verb) {
            spans.push((at, next_at + verb.len(), BlameRule::PersonAsCause));
        }
    }
    // In the order they appear; where two marks overlap ("shut off his/her access"),
    // the first and longest stands for both.
    spans.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut hints: Vec<BlameHint> = Vec::new();
    let mut covered = 0;
    for (start, end, rule) in spans {
        if start < covered {
            continue;
        }
        covered = end;
        let found = excerpt(text, &lower, start, end - start);
        if !hints.iter().any(|h| h.rule == rule && h.found == found) {
            hints.push(BlameHint { rule, found });
        }
    }
    hints
}

fn starts_word(lower: &str, at: usize) -> bool {
    lower[..at]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

fn word_spans(lower: &str) -> Vec<(usize, &str)> {
    let mut spans = Vec::new();
    let mut start = None;
    for (i, c) in lower.char_indices() {
        match (c.is_whitespace(), start) {
            (false, None) => start = Some(i),
            (true, Some(s)) => {
                spans.push((s, &lower[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        spans.push((s, &lower[s..]));
    }
    spans
}

/// The original words at a match in the lowercased copy (lowercasing keeps byte offsets
/// for the text people write here; where it does not, the lowercased words are shown).
fn excerpt(text: &str, lower: &str, at: usize, len: usize) -> String {
    let end = (at + len).min(lower.len());
    if text.len() == lower.len() && text.is_char_boundary(at) && text.is_char_boundary(end) {
        text[at..end].to_string()
    } else {
        lower[at..end].to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> Vec<BlameRule> {
        blameless_hints(text).into_iter().map(|h| h.rule).collect()
    }

    #[test]
    fn each_blaming_question_of_the_seed_is_marked() {
        assert_eq!(
            rules("Why didn't [Engineer X] know enough SQL to understand that query would break the database?"),
            [BlameRule::Knowledge]
        );
        assert_eq!(
            rules("We need to shut off his/her access."),
            [BlameRule::Punishment]
        );
        assert_eq!(
            rules("Which engineer forgot to write tests?"),
            [BlameRule::WhoDidIt]
        );
    }

    #[test]
    fn each_blameless_question_of_the_seed_is_not_marked() {
        for question in [
            "Did the peer review process not catch the query?",
            "Could this query be run on a Read Replica database instead of the primary?",
            "Does the team have enough education on Explain Plans to be informed about worrisome queries?",
            "Does our release schedule discourage writing tests?",
            "Is there test coverage in any part of that code?",
            "Do we have an automated code coverage tool that can surface areas that need more tests?",
        ] {
            assert_eq!(rules(question), [], "{question}");
        }
    }

    #[test]
    fn a_named_person_as_the_cause_is_marked_with_its_words() {
        let hints = blameless_hints(
            "The outage happened because @bob broke the deploy. It was Bob's fault.",
        );
        assert_eq!(hints.len(), 2, "{hints:?}");
        assert_eq!(hints[0].found, "@bob broke");
        assert_eq!(hints[0].rule, BlameRule::PersonAsCause);
        assert_eq!(hints[1].found, "Bob's fault");
        assert!(hints[0].advice().contains("peer review"));
    }

    #[test]
    fn hindsight_is_marked_in_each_spelling() {
        for text in [
            "We should have caught it.",
            "We could've waited.",
            "They should've known.",
            "It Should Have paged someone.",
        ] {
            assert_eq!(rules(text), [BlameRule::Hindsight], "{text}");
        }
        assert_eq!(rules("The job should run hourly."), []);
    }
}
