//! The blameless postmortem (the seed's step 4): its template, word for word, its
//! lifecycle, the shared document several people write at once ([`document`]), the
//! blameless-language hints ([`hints`]) and when it is due ([`calendar`]).

pub mod actions;
pub mod calendar;
pub mod document;
pub mod hints;

use super::AppError;
use serde::{Deserialize, Serialize};

/// The three statements that start every postmortem. They are not part of the shared
/// document (nothing anyone sends can reach them): every page, export and print renders
/// them first, from here.
pub const PREAMBLE: [&str; 3] = [
    "This is a blameless Postmortem.",
    "Hindsight is 20/20 - we will not dwell on \"could've\" and \"should've\".",
    "Action items will have assignees. If the item is not going to be top priority leaving the meeting, don't make it a follow up item.",
];

/// The longest text of one field of the document, in characters.
pub const MAX_FIELD_LEN: usize = 20_000;
/// The most timeline lines and 5-whys chains a postmortem holds.
pub const MAX_LINES: usize = 500;
pub const MAX_CHAINS: usize = 50;
/// The most levels of one chain of whys.
pub const MAX_WHYS: usize = 12;

/// Where a postmortem stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sea_orm::EnumIter, sea_orm::DeriveActiveEnum))]
#[cfg_attr(feature = "ssr", sea_orm(rs_type = "String", db_type = "Text"))]
pub enum PostmortemStatus {
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "draft"))]
    Draft,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "in_review"))]
    InReview,
    #[cfg_attr(feature = "ssr", sea_orm(string_value = "published"))]
    Published,
}

impl PostmortemStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PostmortemStatus::Draft => "draft",
            PostmortemStatus::InReview => "in_review",
            PostmortemStatus::Published => "published",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PostmortemStatus::Draft => "Draft",
            PostmortemStatus::InReview => "In review",
            PostmortemStatus::Published => "Published",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, AppError> {
        [Self::Draft, Self::InReview, Self::Published]
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| {
                AppError::invalid("status", "A postmortem is a draft, in review or published.")
            })
    }

    /// Whether people may still write in it (a published postmortem is read-only until
    /// it is reopened).
    pub fn editable(self) -> bool {
        self != PostmortemStatus::Published
    }

    /// The move from `self` to `to`, as the timeline words it, or why it cannot be made.
    /// Draft → in review → published; a review can go back to the draft; a published
    /// postmortem is reopened as a draft.
    pub fn move_to(self, to: PostmortemStatus) -> Result<&'static str, AppError> {
        use PostmortemStatus::*;
        match (self, to) {
            (Draft, InReview) => Ok("moved the postmortem to review"),
            (InReview, Published) => Ok("published the postmortem"),
            (InReview, Draft) => Ok("took the postmortem back to a draft"),
            (Published, Draft) => Ok("reopened the published postmortem"),
            (from, to) if from == to => Err(AppError::Conflict(format!(
                "The postmortem is already {}.",
                to.label().to_lowercase()
            ))),
            (from, to) => Err(AppError::invalid(
                "status",
                format!(
                    "A postmortem that is {} cannot become {} directly.",
                    from.label().to_lowercase(),
                    to.label().to_lowercase()
                ),
            )),
        }
    }
}

/// The template's sections, in its order: headings, the Markdown export and where each
/// editor is ("Rosa is in Timeline").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Section {
    Participants,
    Leader,
    Description,
    Timeline,
    Factors,
    Fix,
    Impact,
    Actions,
}

impl Section {
    pub const ALL: [Section; 8] = [
        Section::Participants,
        Section::Leader,
        Section::Description,
        Section::Timeline,
        Section::Factors,
        Section::Fix,
        Section::Impact,
        Section::Actions,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Section::Participants => "participants",
            Section::Leader => "leader",
            Section::Description => "description",
            Section::Timeline => "timeline",
            Section::Factors => "factors",
            Section::Fix => "fix",
            Section::Impact => "impact",
            Section::Actions => "actions",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Section::Participants => "Participants",
            Section::Leader => "Incident Leader",
            Section::Description => "Short description",
            Section::Timeline => "Timeline",
            Section::Factors => "Contributing Factors",
            Section::Fix => "How Did We Fix It?",
            Section::Impact => "Customer Impact",
            Section::Actions => "Corrective Actions",
        }
    }

    /// The template's guidance under the heading.
    pub fn hint(self) -> &'static str {
        match self {
            Section::Participants => "Everyone who posted in the channel is suggested.",
            Section::Leader => "Who leads the postmortem: the incident's leader.",
            Section::Description => "Short description of what the problem was.",
            Section::Timeline => "[2016-03-15 14:02] - @user does a thing",
            Section::Factors => "What caused the problem? Use the 5 Whys if you'd like.",
            Section::Fix => {
                "What did we do to stabilize our systems, either temporarily or permanently."
            }
            Section::Impact => "How did this affect customers?",
            Section::Actions => "A list of TODOs with engineer names and expected dates.",
        }
    }

    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The postmortem as the template lays it out, with the parts that are not in the shared
/// document (participants, leader) filled in: what the Markdown export writes.
pub struct Export<'a> {
    pub incident: i64,
    pub title: &'a str,
    pub status: PostmortemStatus,
    pub participants: &'a [String],
    pub leader: Option<&'a str>,
    pub document: &'a document::Contents,
    /// A timeline line's moment as "2016-03-15 14:02" (in the organisation's zone).
    pub stamp: &'a dyn Fn(&chrono::DateTime<chrono::Utc>) -> String,
    /// The corrective actions, each as [`actions::action_line`] writes it.
    pub actions: &'a [String],
    /// What was not top priority leaving the meeting.
    pub not_now: &'a [String],
}

impl Export<'_> {
    /// The postmortem in Markdown, in the seed's layout: participants, the preamble,
    /// the leader, the description, the timeline lines, the sections.
    pub fn markdown(&self) -> String {
        let doc = self.document;
        let mut out = format!("# Postmortem: #{} {}\n\n", self.incident, self.title);
        if self.status != PostmortemStatus::Published {
            out.push_str(&format!("_{}_\n\n", self.status.label()));
        }
        let people = |names: &[String]| {
            if names.is_empty() {
                "—".to_string()
            } else {
                names
                    .iter()
                    .map(|n| format!("@{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        out.push_str(&format!("Participants: {}\n\n", people(self.participants)));
        for (i, line) in PREAMBLE.iter().enumerate() {
            out.push_str(&format!("{}. {line}\n", i + 1));
        }
        out.push_str(&format!(
            "\nIncident Leader: {}\n\n",
            self.leader.map_or("—".to_string(), |l| format!("@{l}"))
        ));
        push_text(&mut out, &doc.description);
        out.push_str("## Timeline\n\n");
        if doc.timeline.is_empty() {
            out.push_str("—\n\n");
        }
        for line in &doc.timeline {
            out.push_str(&format!(
                "- [{}] - {}\n",
                (self.stamp)(&line.at),
                line.text.trim()
            ));
        }
        if !doc.timeline.is_empty() {
            out.push('\n');
        }
        out.push_str("## Contributing Factors\n\n");
        for chain in &doc.chains {
            out.push_str(&format!("**{}**\n\n", one_line(&chain.problem)));
            for (level, because) in chain.whys.iter().enumerate() {
                out.push_str(&format!(
                    "{}. Why? — Because {}\n",
                    level + 1,
                    one_line(because)
                ));
            }
            out.push('\n');
        }
        push_text(&mut out, &doc.factors);
        for (section, text) in [(Section::Fix, &doc.fix), (Section::Impact, &doc.impact)] {
            out.push_str(&format!("## {}\n\n", section.title()));
            push_text(&mut out, text);
        }
        out.push_str(&format!("## {}\n\n", Section::Actions.title()));
        push_list(&mut out, self.actions);
        out.push_str("### Not now\n\n");
        push_list(&mut out, self.not_now);
        out
    }
}

fn push_list(out: &mut String, items: &[String]) {
    if items.is_empty() {
        out.push_str("—\n");
    }
    for item in items {
        out.push_str(&format!("- {}\n", one_line(item)));
    }
    out.push('\n');
}

fn push_text(out: &mut String, text: &str) {
    let text = text.trim();
    out.push_str(if text.is_empty() { "—" } else { text });
    out.push_str("\n\n");
}

fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.is_empty() {
        "…".to_string()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::{document::*, *};
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_lifecycle_runs_draft_review_published_and_reopens_as_a_draft() {
        use PostmortemStatus::*;
        assert!(Draft.move_to(InReview).is_ok());
        assert!(InReview.move_to(Published).is_ok());
        assert!(InReview.move_to(Draft).is_ok());
        assert_eq!(
            Published.move_to(Draft).unwrap(),
            "reopened the published postmortem"
        );
        assert!(Draft.move_to(Published).is_err(), "review comes first");
        assert!(matches!(
            Published.move_to(Published),
            Err(AppError::Conflict(_))
        ));
        assert!(!Published.editable() && Draft.editable() && InReview.editable());
    }

    #[test]
    fn the_markdown_export_follows_the_seed_template() {
        let contents = Contents {
            description: "Push campaigns stopped sending.".into(),
            timeline: vec![
                Line {
                    id: "a".into(),
                    at: Utc.with_ymd_and_hms(2016, 3, 15, 14, 2, 0).unwrap(),
                    text: "@rosa declared the incident".into(),
                },
                Line {
                    id: "b".into(),
                    at: Utc.with_ymd_and_hms(2016, 3, 15, 14, 30, 0).unwrap(),
                    text: "@ada rolled back the deploy".into(),
                },
            ],
            chains: vec![Chain {
                id: "c".into(),
                problem: "The database went down.".into(),
                whys: vec!["a query scanned a whole table".into(), "no index".into()],
            }],
            factors: "The release went out on a Friday.".into(),
            fix: "Rolled back.".into(),
            impact: "38 orgs could not send.".into(),
        };
        let participants = vec!["rosa".to_string(), "ada".to_string()];
        let md = Export {
            incident: 7,
            title: "Push delays",
            status: PostmortemStatus::Published,
            participants: &participants,
            leader: Some("rosa"),
            document: &contents,
            stamp: &|at| at.format("%Y-%m-%d %H:%M").to_string(),
            actions: &["Add an index — @ada — by 2016-03-18".to_string()],
            not_now: &[],
        }
        .markdown();
        let expected = "# Postmortem: #7 Push delays

Participants: @rosa, @ada

1. This is a blameless Postmortem.
2. Hindsight is 20/20 - we will not dwell on \"could've\" and \"should've\".
3. Action items will have assignees. If the item is not going to be top priority leaving the meeting, don't make it a follow up item.

Incident Leader: @rosa

Push campaigns stopped sending.

## Timeline

- [2016-03-15 14:02] - @rosa declared the incident
- [2016-03-15 14:30] - @ada rolled back the deploy

## Contributing Factors

**The database went down.**

1. Why? — Because a query scanned a whole table
2. Why? — Because no index

The release went out on a Friday.

## How Did We Fix It?

Rolled back.

## Customer Impact

38 orgs could not send.

## Corrective Actions

- Add an index — @ada — by 2016-03-18

### Not now

—

";
        assert_eq!(md, expected);
    }

    #[test]
    fn sections_are_named_by_their_keys() {
        for section in Section::ALL {
            assert_eq!(Section::from_key(section.key()), Some(section));
        }
        assert_eq!(Section::from_key("preamble"), None);
    }
}
