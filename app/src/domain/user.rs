use super::{AppError, FieldError, Role};

pub const MAX_NAME_LEN: usize = 100;
pub const MAX_EMAIL_LEN: usize = 254;

/// A person's display name: trimmed, 1–100 characters, one line.
pub fn parse_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err("Enter your name.".into());
    }
    if name.chars().count() > MAX_NAME_LEN || name.chars().any(char::is_control) {
        return Err(format!(
            "Use a single line of at most {MAX_NAME_LEN} characters."
        ));
    }
    Ok(name.to_string())
}

/// An email address, lower-cased: one `@`, something on each side, a dot in the domain.
/// (Deliverability is the identity provider's business; this catches typos.)
pub fn parse_email(raw: &str) -> Result<String, String> {
    let email = raw.trim().to_lowercase();
    let valid = email.len() <= MAX_EMAIL_LEN
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
                && !domain.starts_with('.') && !domain.ends_with('.'));
    if valid {
        Ok(email)
    } else {
        Err(format!(
            "\"{}\" is not an email address like ada@example.com.",
            raw.trim()
        ))
    }
}

/// What the development login form asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevLogin {
    pub name: String,
    pub email: String,
    pub role: Role,
}

impl DevLogin {
    pub fn parse(name: &str, email: &str, role: &str) -> Result<Self, AppError> {
        let mut errors = Vec::new();
        let name = parse_name(name)
            .map_err(|m| errors.push(FieldError::new("name", m)))
            .ok();
        let email = parse_email(email)
            .map_err(|m| errors.push(FieldError::new("email", m)))
            .ok();
        let role = role
            .parse::<Role>()
            .map_err(|m| errors.push(FieldError::new("role", m)))
            .ok();
        match (name, email, role) {
            (Some(name), Some(email), Some(role)) => Ok(Self { name, email, role }),
            _ => Err(AppError::Validation(errors)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_email_is_lower_cased_and_trimmed() {
        assert_eq!(
            parse_email("  Ada@Example.COM ").as_deref(),
            Ok("ada@example.com")
        );
    }

    #[test]
    fn an_email_without_a_domain_is_rejected() {
        for bad in [
            "ada",
            "ada@",
            "@example.com",
            "ada@example",
            "a b@example.com",
            "a@b@example.com",
            "ada@.com",
        ] {
            assert!(parse_email(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn a_dev_login_reports_every_bad_field() {
        let AppError::Validation(errors) = DevLogin::parse(" ", "nope", "root").unwrap_err() else {
            panic!("expected a validation error")
        };
        assert_eq!(
            errors.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            ["name", "email", "role"]
        );
    }
}
