//! Posts of the incident channel and the postmortem discussion: earlier wordings.

use super::Stamp;
use serde::{Deserialize, Serialize};

/// An earlier wording of an edited post.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub body: String,
    pub html: String,
    /// When this wording was replaced, and by whom.
    pub replaced: Stamp,
    pub by: Option<String>,
}
