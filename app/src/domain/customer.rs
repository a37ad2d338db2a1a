//! Affected customers: the per-incident table that replaces the Google Sheet the seed's
//! email links ("org name, org_id, app_id, and campaign_id where applicable").
//!
//! The field rules live here once: the browser runs them for instant feedback (and to
//! read a pasted block or a CSV file), the server runs them again on everything it
//! stores, and the migration backs them with NOT NULL, CHECK and UNIQUE constraints.

use super::{AppError, FieldError};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

pub const MAX_ORG_NAME_LEN: usize = 200;
pub const MAX_ID_LEN: usize = 64;
pub const MAX_NOTE_LEN: usize = 500;
/// Rows in one import: what fits a browser tab and one transaction comfortably.
pub const MAX_IMPORT_ROWS: usize = 200_000;

/// The columns, in the order of the table, the CSV export and a header-less paste.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CustomerField {
    OrgName,
    OrgId,
    AppId,
    CampaignId,
    Note,
}

impl CustomerField {
    pub const ALL: [CustomerField; 5] = [
        CustomerField::OrgName,
        CustomerField::OrgId,
        CustomerField::AppId,
        CustomerField::CampaignId,
        CustomerField::Note,
    ];

    /// The name in forms, URLs and CSV headers.
    pub fn as_str(self) -> &'static str {
        match self {
            CustomerField::OrgName => "org_name",
            CustomerField::OrgId => "org_id",
            CustomerField::AppId => "app_id",
            CustomerField::CampaignId => "campaign_id",
            CustomerField::Note => "note",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CustomerField::OrgName => "Org name",
            CustomerField::OrgId => "org_id",
            CustomerField::AppId => "app_id",
            CustomerField::CampaignId => "campaign_id",
            CustomerField::Note => "Note",
        }
    }

    pub fn parse_name(name: &str) -> Option<CustomerField> {
        Self::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// Recognises a header cell: `org_id`, `Org ID`, `org name`, `Organization`, …
    fn from_header(cell: &str) -> Option<CustomerField> {
        let key: String = cell
            .trim()
            .to_lowercase()
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect();
        match key.as_str() {
            "orgname" | "organization" | "organisation" | "organizationname" | "name"
            | "customer" => Some(CustomerField::OrgName),
            "orgid" | "organizationid" => Some(CustomerField::OrgId),
            "appid" | "app" => Some(CustomerField::AppId),
            "campaignid" | "campaign" => Some(CustomerField::CampaignId),
            "note" | "notes" | "comment" => Some(CustomerField::Note),
            _ => None,
        }
    }

    /// Checks one raw value; returns it trimmed ("" for an absent optional field).
    pub fn parse(self, raw: &str) -> Result<String, String> {
        let value = raw.trim();
        match self {
            CustomerField::OrgName => {
                if value.is_empty() {
                    return Err("Missing org name.".into());
                }
                if value.chars().count() > MAX_ORG_NAME_LEN {
                    return Err(format!(
                        "Org name is too long (at most {MAX_ORG_NAME_LEN} characters)."
                    ));
                }
                if value.chars().any(char::is_control) {
                    return Err(
                        "Org name has bad characters (line breaks or control characters).".into(),
                    );
                }
            }
            CustomerField::OrgId | CustomerField::AppId | CustomerField::CampaignId => {
                let name = self.as_str();
                if value.is_empty() {
                    return if self == CustomerField::OrgId {
                        Err("Missing org_id.".into())
                    } else {
                        Ok(String::new())
                    };
                }
                if value.chars().count() > MAX_ID_LEN {
                    return Err(format!(
                        "{name} is too long (at most {MAX_ID_LEN} characters)."
                    ));
                }
                if let Some(bad) = value.chars().find(|c| !is_id_char(*c)) {
                    return Err(format!(
                        "{name} has a bad character {bad:?}: use letters, digits and - _ . : only."
                    ));
                }
            }
            CustomerField::Note => {
                if value.chars().count() > MAX_NOTE_LEN {
                    return Err(format!(
                        "The note is too long (at most {MAX_NOTE_LEN} characters)."
                    ));
                }
                if value.chars().any(|c| c.is_control() && c != '\n') {
                    return Err("The note has bad characters (control characters).".into());
                }
            }
        }
        Ok(value.to_string())
    }
}

fn is_id_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')
}

/// One affected customer, every field checked. Absent optional fields are "".
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Customer {
    pub org_name: String,
    pub org_id: String,
    pub app_id: String,
    pub campaign_id: String,
    pub note: String,
}

/// What identifies a row within an incident: the same org, app and campaign twice is a
/// duplicate.
pub type CustomerKey = (String, String, String);

impl Customer {
    /// Checks every field of raw input, reporting each bad one.
    pub fn parse(raw: &Customer) -> Result<Customer, AppError> {
        let mut errors = Vec::new();
        let mut checked = Customer::default();
        for field in CustomerField::ALL {
            match field.parse(raw.get(field)) {
                Ok(value) => *checked.get_mut(field) = value,
                Err(message) => errors.push(FieldError::new(field.as_str(), message)),
            }
        }
        if errors.is_empty() {
            Ok(checked)
        } else {
            Err(AppError::Validation(errors))
        }
    }

    /// This customer with one field replaced (an in-place edit), checked.
    pub fn with(&self, field: CustomerField, raw: &str) -> Result<Customer, AppError> {
        let value = field
            .parse(raw)
            .map_err(|m| AppError::invalid(field.as_str(), m))?;
        let mut changed = self.clone();
        *changed.get_mut(field) = value;
        Ok(changed)
    }

    pub fn get(&self, field: CustomerField) -> &str {
        match field {
            CustomerField::OrgName => &self.org_name,
            CustomerField::OrgId => &self.org_id,
            CustomerField::AppId => &self.app_id,
            CustomerField::CampaignId => &self.campaign_id,
            CustomerField::Note => &self.note,
        }
    }

    pub fn set(&mut self, field: CustomerField, value: String) {
        *self.get_mut(field) = value;
    }

    fn get_mut(&mut self, field: CustomerField) -> &mut String {
        match field {
            CustomerField::OrgName => &mut self.org_name,
            CustomerField::OrgId => &mut self.org_id,
            CustomerField::AppId => &mut self.app_id,
            CustomerField::CampaignId => &mut self.campaign_id,
            CustomerField::Note => &mut self.note,
        }
    }

    pub fn key(&self) -> CustomerKey {
        (
            self.org_id.clone(),
            self.app_id.clone(),
            self.campaign_id.clone(),
        )
    }

    /// "org_id acme, app_id web" for messages about this row.
    pub fn describe(&self) -> String {
        let mut parts = vec![format!("org_id {}", self.org_id)];
        if !self.app_id.is_empty() {
            parts.push(format!("app_id {}", self.app_id));
        }
        if !self.campaign_id.is_empty() {
            parts.push(format!("campaign_id {}", self.campaign_id));
        }
        parts.join(", ")
    }
}

/// A problem with one row of a sheet: its row number (as a spreadsheet counts, header
/// included) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: usize,
    pub message: String,
}

impl RowProblem {
    /// A row the field rules refused, with each field's message.
    pub fn invalid(row: usize, err: AppError) -> Self {
        let message = match err {
            AppError::Validation(fields) => fields
                .into_iter()
                .map(|f| f.message)
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        };
        Self { row, message }
    }
}

/// A pasted block or a CSV file, read and checked row by row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportPlan {
    /// Whether the first row was a header (and so not a customer).
    pub header: bool,
    /// Valid rows, first occurrence of each key, with their row numbers.
    pub valid: Vec<(usize, Customer)>,
    /// Rows repeating an earlier row of the same sheet.
    pub duplicates: Vec<RowProblem>,
    pub errors: Vec<RowProblem>,
}

/// Reads spreadsheet text: tab-separated when the first line has a tab (a paste from
/// Sheets or Excel), comma-separated otherwise (a CSV file, RFC 4180 quoting). A first
/// row naming known columns is a header and maps them in any order (unknown columns,
/// such as an export's `added_by`, are ignored); without one, columns are taken in the
/// table's order: org name, org_id, app_id, campaign_id, note.
pub fn plan_import(text: &str) -> Result<ImportPlan, String> {
    let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    let delimiter = if first_line.contains('\t') {
        b'\t'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut plan = ImportPlan::default();
    let mut columns: Vec<Option<CustomerField>> = CustomerField::ALL.map(Some).to_vec();
    let mut seen: HashSet<CustomerKey> = HashSet::new();
    for (index, record) in reader.records().enumerate() {
        let row = index + 1;
        let record = match record {
            Ok(record) => record,
            Err(err) => {
                plan.errors.push(RowProblem {
                    row,
                    message: format!("Cannot be read: {err}."),
                });
                continue;
            }
        };
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        if index == 0 {
            let mapped: Vec<Option<CustomerField>> =
                record.iter().map(CustomerField::from_header).collect();
            if mapped.contains(&Some(CustomerField::OrgId)) {
                columns = mapped;
                plan.header = true;
                continue;
            }
        }
        if plan.valid.len() + plan.duplicates.len() + plan.errors.len() >= MAX_IMPORT_ROWS {
            return Err(format!(
                "More than {MAX_IMPORT_ROWS} rows: split the sheet and import it in parts."
            ));
        }
        let mut raw = Customer::default();
        for (cell, column) in record.iter().zip(&columns) {
            if let Some(field) = column {
                *raw.get_mut(*field) = cell.to_string();
            }
        }
        match Customer::parse(&raw) {
            Ok(customer) => {
                if seen.insert(customer.key()) {
                    plan.valid.push((row, customer));
                } else {
                    plan.duplicates.push(RowProblem {
                        row,
                        message: format!(
                            "Repeats an earlier row of this sheet ({}).",
                            customer.describe()
                        ),
                    });
                }
            }
            Err(err) => plan.errors.push(RowProblem::invalid(row, err)),
        }
    }
    Ok(plan)
}

/// Writes rows as CSV with a header (RFC 4180 quoting), or as TSV for a spreadsheet.
pub fn write_sheet<'a>(
    rows: impl IntoIterator<Item = (&'a Customer, [&'a str; 2])>,
    tab_separated: bool,
) -> String {
    let mut writer = csv::WriterBuilder::new()
        .delimiter(if tab_separated { b'\t' } else { b',' })
        .from_writer(Vec::new());
    let mut header: Vec<&str> = CustomerField::ALL.iter().map(|f| f.as_str()).collect();
    header.extend(["added_by", "added_at"]);
    // Writing to a Vec cannot fail.
    let _ = writer.write_record(&header);
    for (customer, [added_by, added_at]) in rows {
        let mut record: Vec<&str> = CustomerField::ALL
            .iter()
            .map(|f| customer.get(*f))
            .collect();
        record.extend([added_by, added_at]);
        let _ = writer.write_record(&record);
    }
    String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer(org_id: &str, app_id: &str) -> Customer {
        Customer {
            org_name: "Acme".into(),
            org_id: org_id.into(),
            app_id: app_id.into(),
            ..Default::default()
        }
    }

    #[test]
    fn org_id_and_org_name_are_required_and_the_rest_optional() {
        let err = Customer::parse(&Customer::default()).unwrap_err();
        assert_eq!(err.field("org_name").as_deref(), Some("Missing org name."));
        assert_eq!(err.field("org_id").as_deref(), Some("Missing org_id."));
        assert_eq!(err.field("app_id"), None);
        let ok = Customer::parse(&customer(" acme-1 ", "")).unwrap();
        assert_eq!(ok.org_id, "acme-1");
        assert_eq!(ok.campaign_id, "");
    }

    #[test]
    fn ids_take_letters_digits_and_four_marks_only() {
        assert!(CustomerField::AppId.parse("web_2.prod:eu-1").is_ok());
        let err = CustomerField::OrgId.parse("acme 1").unwrap_err();
        assert!(err.contains("bad character ' '"), "{err}");
        assert!(CustomerField::CampaignId.parse("c;drop").is_err());
    }

    #[test]
    fn values_too_long_are_refused() {
        assert!(CustomerField::OrgId.parse(&"a".repeat(MAX_ID_LEN)).is_ok());
        assert!(CustomerField::OrgId
            .parse(&"a".repeat(MAX_ID_LEN + 1))
            .unwrap_err()
            .contains("too long"));
        assert!(CustomerField::OrgName
            .parse(&"é".repeat(MAX_ORG_NAME_LEN + 1))
            .is_err());
        assert!(CustomerField::Note
            .parse(&"n".repeat(MAX_NOTE_LEN + 1))
            .is_err());
    }

    #[test]
    fn an_org_name_is_one_line() {
        assert!(CustomerField::OrgName.parse("Acme\nInc").is_err());
        assert!(CustomerField::Note.parse("first\nsecond").is_ok());
    }

    #[test]
    fn an_edit_checks_the_one_field() {
        let row = customer("acme", "web");
        assert_eq!(
            row.with(CustomerField::AppId, " ios ").unwrap().app_id,
            "ios"
        );
        let err = row.with(CustomerField::OrgId, "").unwrap_err();
        assert_eq!(err.field("org_id").as_deref(), Some("Missing org_id."));
    }

    #[test]
    fn a_paste_from_a_spreadsheet_with_a_header_maps_its_columns() {
        let text = "Org ID\tOrg name\tApp ID\n42\tAcme\tweb\n43\tGlobex\t\n";
        let plan = plan_import(text).unwrap();
        assert!(plan.header);
        assert_eq!(plan.valid.len(), 2);
        assert_eq!(
            plan.valid[0],
            (
                2,
                Customer {
                    org_name: "Acme".into(),
                    org_id: "42".into(),
                    app_id: "web".into(),
                    ..Default::default()
                }
            )
        );
        assert_eq!(plan.valid[1].1.app_id, "");
    }

    #[test]
    fn a_paste_without_a_header_takes_the_table_order() {
        let plan = plan_import("Acme\t42\tweb\tspring\tbig one").unwrap();
        assert!(!plan.header);
        assert_eq!(plan.valid[0].1.campaign_id, "spring");
        assert_eq!(plan.valid[0].1.note, "big one");
    }

    #[test]
    fn bad_rows_and_repeats_are_reported_with_their_row_numbers() {
        let text = "org_name,org_id,app_id\nAcme,42,web\n,43,web\nAcme,42,web\nGlobex,bad id,\n";
        let plan = plan_import(text).unwrap();
        assert_eq!(plan.valid.len(), 1);
        assert_eq!(
            plan.duplicates,
            [RowProblem {
                row: 4,
                message: "Repeats an earlier row of this sheet (org_id 42, app_id web).".into()
            }]
        );
        assert_eq!(
            plan.errors.iter().map(|e| e.row).collect::<Vec<_>>(),
            [3, 5]
        );
        assert_eq!(plan.errors[0].message, "Missing org name.");
    }

    #[test]
    fn csv_quoting_survives_the_round_trip() {
        let tricky = Customer {
            org_name: "Acme, \"The\" Company".into(),
            org_id: "42".into(),
            note: "line one\nline two".into(),
            ..Default::default()
        };
        let csv = write_sheet([(&tricky, ["Ada", "2026-11-24T10:00:00Z"])], false);
        assert!(csv.starts_with("org_name,org_id,app_id,campaign_id,note,added_by,added_at\n"));
        assert!(csv.contains("\"Acme, \"\"The\"\" Company\""), "{csv}");
        let plan = plan_import(&csv).unwrap();
        assert_eq!(plan.valid, [(2, tricky.clone())]);
        let tsv = write_sheet([(&tricky, ["Ada", "x"])], true);
        assert_eq!(plan_import(&tsv).unwrap().valid[0].1, tricky);
    }
}
