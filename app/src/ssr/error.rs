use crate::domain::AppError;
use sea_orm::{DbErr, SqlErr, TransactionError};

/// Database errors are logged with their cause and reach the client as `Internal`,
/// except constraint violations a person can act on.
impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => {
                tracing::info!(%detail, "unique constraint violated");
                AppError::Conflict("That already exists.".into())
            }
            _ => {
                tracing::error!(error = %err, "database error");
                AppError::Internal
            }
        }
    }
}

impl From<TransactionError<AppError>> for AppError {
    fn from(err: TransactionError<AppError>) -> Self {
        match err {
            TransactionError::Connection(db) => db.into(),
            TransactionError::Transaction(app) => app,
        }
    }
}
