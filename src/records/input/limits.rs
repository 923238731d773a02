//! Bounds of a record's fields, shared by validation, the spec and the tests.

use chrono::TimeDelta;

/// How far in the future `occurred_at` may be (phone clocks drift).
pub const FUTURE_TOLERANCE: TimeDelta = TimeDelta::minutes(10);
/// Longest note.
pub const NOTE_MAX: usize = 500;
/// Longest hamlet name.
pub const HAMLET_MAX: usize = 100;
/// Longest household label.
pub const HOUSEHOLD_REF_MAX: usize = 32;
/// Longest provider name.
pub const PROVIDER_MAX: usize = 100;
/// Most people one visit can guide.
pub const PEOPLE_GUIDED_MAX: i32 = 50;
/// Vietnam's latitudes, the Trường Sa islands included.
pub const LAT_RANGE: (f64, f64) = (6.0, 23.5);
/// Vietnam's longitudes.
pub const LON_RANGE: (f64, f64) = (102.0, 117.9);
/// Largest GPS accuracy accepted, in metres.
pub const ACCURACY_MAX: f64 = 10_000.0;
/// Earliest year of birth accepted.
pub const BIRTH_YEAR_MIN: i32 = 1900;
/// Youngest age at which a digital signature can be registered.
pub const SIGNATURE_MIN_AGE: i32 = 15;
/// Most people one training session can count.
pub const ATTENDEES_MAX: i32 = 1000;
/// Shortest and longest training session, in minutes.
pub const DURATION_RANGE: (i32, i32) = (10, 600);
/// Longest venue name.
pub const VENUE_MAX: usize = 200;
