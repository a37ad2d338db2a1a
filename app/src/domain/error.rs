use leptos::server_fn::{
    codec::PostcardEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// A problem with one named input, shown next to that field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_string(),
            message: message.into(),
        }
    }
}

/// The one error type that crosses the wire: every server function returns it,
/// and each variant knows the HTTP status it stands for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{}", summarise(.0))]
    Validation(Vec<FieldError>),
    #[error("{0} was not found")]
    NotFound(String),
    #[error("you need to sign in")]
    Unauthorized,
    #[error("your role does not allow this")]
    Forbidden,
    #[error("{0}")]
    Conflict(String),
    #[error("something went wrong on our side; it has been logged")]
    Internal,
    /// Something the server depends on (the database) does not answer: retry shortly.
    #[error("{0}")]
    Unavailable(String),
    #[error("could not reach the server: {0}")]
    Transport(String),
}

/// People's text may hold any character but NUL, which PostgreSQL cannot store (SQLite
/// would keep it): refused alike on both databases, naming the field.
pub fn refuse_nul(field: &str, text: &str) -> Result<(), FieldError> {
    if text.contains('\0') {
        Err(FieldError::new(
            field,
            "Remove the NUL character (\\u0000): it cannot be stored.",
        ))
    } else {
        Ok(())
    }
}

fn summarise(errors: &[FieldError]) -> String {
    match errors {
        [] => "the input was not accepted".to_string(),
        [only] => format!("{}: {}", only.field, only.message),
        many => format!(
            "{} fields need attention: {}",
            many.len(),
            many.iter()
                .map(|e| e.field.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl AppError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, message)])
    }

    /// The message for one field, if this error names it.
    pub fn field(&self, field: &str) -> Option<String> {
        match self {
            Self::Validation(errors) => errors
                .iter()
                .find(|e| e.field == field)
                .map(|e| e.message.clone()),
            _ => None,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Validation(_) => 422,
            Self::NotFound(_) => 404,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::Conflict(_) => 409,
            Self::Internal => 500,
            Self::Unavailable(_) => 503,
            Self::Transport(_) => 502,
        }
    }
}

impl FromServerFnError for AppError {
    // Postcard, as the pages read everything (`model::wire`); a caller that does not ask
    // for postcard gets the same value as JSON (`ssr::error::for_server_fn_caller`).
    type Encoder = PostcardEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(detail) | ServerFnErrorErr::Response(detail) => {
                Self::Transport(detail)
            }
            ServerFnErrorErr::Args(detail) | ServerFnErrorErr::Deserialization(detail) => {
                Self::invalid("request", detail)
            }
            other => {
                #[cfg(feature = "ssr")]
                tracing::error!(error = %other, "server function framework error");
                #[cfg(not(feature = "ssr"))]
                let _ = other;
                Self::Internal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_s_text_is_refused_with_a_nul_in_it() {
        assert!(refuse_nul("body", "line one\nline two\t…").is_ok());
        let refused = refuse_nul("body", "bad\0byte").unwrap_err();
        assert_eq!(refused.field, "body");
        assert!(super::super::MessageBody::parse("a\0b")
            .unwrap_err()
            .field("body")
            .is_some());
    }

    #[test]
    fn a_validation_error_names_its_fields() {
        let err = AppError::Validation(vec![
            FieldError::new("title", "is empty"),
            FieldError::new("severity", "x"),
        ]);
        assert_eq!(err.field("title").as_deref(), Some("is empty"));
        assert_eq!(err.field("summary"), None);
        assert_eq!(err.to_string(), "2 fields need attention: title, severity");
        assert_eq!(err.status(), 422);
    }

    #[test]
    fn an_error_survives_the_wire() {
        let err = AppError::NotFound("incident #7".into());
        let bytes = err.ser();
        assert_eq!(AppError::de(bytes), err);
    }
}
