//! Field rules shared by request types, for `validator`'s `custom(function = ...)`: each
//! names the failure with a stable code and a message that never repeats the value.

use std::borrow::Cow;

use validator::ValidationError;

/// Longest name accepted (people, teams).
pub const NAME_MAX: usize = 100;

fn error(code: &'static str, message: &'static str) -> ValidationError {
    ValidationError::new(code).with_message(Cow::Borrowed(message))
}

/// A Vietnamese mobile number in any usual spelling.
pub fn vn_mobile(phone: &str) -> Result<(), ValidationError> {
    crate::auth::phone::normalize(phone)
        .map(drop)
        .ok_or_else(|| error("invalid_phone", "not a Vietnamese mobile number"))
}

/// A name: 1 to [`NAME_MAX`] characters once surrounding spaces are trimmed.
pub fn name(value: &str) -> Result<(), ValidationError> {
    let len = value.trim().chars().count();
    if len == 0 || len > NAME_MAX {
        Err(error("length", "1 to 100 characters"))
    } else {
        Ok(())
    }
}

/// A new password: 8 to 128 characters.
pub fn new_password(value: &str) -> Result<(), ValidationError> {
    match value.chars().count() {
        0..8 => Err(error("too_short", "at least 8 characters")),
        129.. => Err(error("too_long", "at most 128 characters")),
        _ => Ok(()),
    }
}
