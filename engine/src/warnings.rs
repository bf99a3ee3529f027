//! Warnings a statement raises while it is planned or runs (MySQL's SHOW WARNINGS).
//!
//! Functions that MySQL lets go on with a warning (division by zero, a string that is not
//! a number) push a [`Warning`] into the statement's [`Warnings`] sink; the frontend takes
//! them when the statement ends and maps each [`WarningKind`] to its MySQL code.

use std::sync::{Arc, Mutex};

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningKind {
    /// `x / 0`, `x DIV 0`, `x % 0` (MySQL 1365).
    DivisionByZero,
    /// A string used as a number was not entirely a number (MySQL 1292).
    TruncatedValue,
    /// A function result longer than `max_allowed_packet` became NULL (MySQL 1301).
    ResultTooLarge,
}

/// One warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub kind: WarningKind,
    pub message: String,
}

/// At most this many warnings are kept per statement (MySQL's `max_error_count`); the
/// count goes on past it.
pub const MAX_KEPT: usize = 1024;

#[derive(Debug, Default)]
struct Inner {
    kept: Vec<Warning>,
    count: u64,
}

/// A statement's warnings, shared by the functions that raise them and the session.
#[derive(Debug, Clone, Default)]
pub struct Warnings(Arc<Mutex<Inner>>);

impl Warnings {
    pub fn push(&self, kind: WarningKind, message: impl FnOnce() -> String) {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        inner.count += 1;
        if inner.kept.len() < MAX_KEPT {
            inner.kept.push(Warning {
                kind,
                message: message(),
            });
        }
    }

    /// How many warnings were raised, kept or not.
    pub fn count(&self) -> u64 {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).count
    }

    /// Take the kept warnings and reset the count.
    pub fn take(&self) -> Vec<Warning> {
        let mut inner = self.0.lock().unwrap_or_else(|e| e.into_inner());
        inner.count = 0;
        std::mem::take(&mut inner.kept)
    }
}
