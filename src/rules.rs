//! Field rules shared by request types, for `validator`'s `custom(function = ...)`: each
//! names the failure with a stable code and a message that never repeats the value.

use validator::ValidationError;

/// Longest name accepted (people, teams).
pub const NAME_MAX: usize = 100;

/// A broken rule with its bounds; the words come from `messages` when the answer is written.
fn error(code: &'static str, min: Option<usize>, max: Option<usize>) -> ValidationError {
    let mut e = ValidationError::new(code);
    if let Some(min) = min {
        e.add_param("min".into(), &min);
    }
    if let Some(max) = max {
        e.add_param("max".into(), &max);
    }
    e
}

/// A Vietnamese mobile number in any usual spelling.
pub fn vn_mobile(phone: &str) -> Result<(), ValidationError> {
    crate::access::phone::normalize(phone)
        .map(drop)
        .ok_or_else(|| error("invalid_phone", None, None))
}

/// A name: 1 to [`NAME_MAX`] characters once surrounding spaces are trimmed.
pub fn name(value: &str) -> Result<(), ValidationError> {
    let len = value.trim().chars().count();
    if len == 0 || len > NAME_MAX {
        Err(error("length", Some(1), Some(NAME_MAX)))
    } else {
        Ok(())
    }
}

/// Shortest new password.
pub const PASSWORD_MIN: usize = 8;
/// Longest new password.
pub const PASSWORD_MAX: usize = 128;

/// A new password: 8 to 128 characters.
pub fn new_password(value: &str) -> Result<(), ValidationError> {
    match value.chars().count() {
        0..PASSWORD_MIN => Err(error("too_short", Some(PASSWORD_MIN), None)),
        n if n > PASSWORD_MAX => Err(error("too_long", None, Some(PASSWORD_MAX))),
        _ => Ok(()),
    }
}
