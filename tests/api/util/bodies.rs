//! Bodies of the record creates, valid as they stand, for tests to send or change.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

/// A citizen born in 1985, female (century/sex digit 1).
pub const CITIZEN: &str = "001185012345";

/// An instant `hours` ago, written in Vietnam's offset.
pub fn hours_ago(hours: i64) -> String {
    let vn = chrono::FixedOffset::east_opt(7 * 3600).unwrap();
    (Utc::now() - Duration::hours(hours))
        .with_timezone(&vn)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

/// A visit to a household of `team`, two hours ago, with every field.
pub fn visit(team: &str) -> Value {
    json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "team_id": team,
        "occurred_at": hours_ago(2),
        "location": {"lat": 21.0341, "lon": 105.8372, "accuracy_m": 12.5},
        "hamlet": "Tổ dân phố số 5",
        "note": "Bà cụ cần hướng dẫn thêm",
        "household_ref": "KP1-23",
        "outcome": "guided",
        "people_guided": 2,
        "topics": ["public_services", "vneid"]
    })
}

/// A record of `team` for `citizen` (born 1985), an hour ago, with its kind's fields.
fn for_citizen(team: &str, citizen: &str, fields: Value) -> Value {
    let mut body = json!({
        "id": uuid::Uuid::new_v4().to_string(),
        "team_id": team,
        "occurred_at": hours_ago(1),
        "citizen_id": citizen,
        "birth_year": 1985
    });
    if let (Some(body), Value::Object(fields)) = (body.as_object_mut(), fields) {
        body.extend(fields);
    }
    body
}

/// A VNeID assist of `team` for `citizen` (born 1985, female), an hour ago.
pub fn assist(team: &str, citizen: &str, action: &str, result: &str) -> Value {
    for_citizen(
        team,
        citizen,
        json!({"sex": "female", "action": action, "result": result}),
    )
}

/// A VNPT-CA signature registration of `team` for `citizen` (born 1985), an hour ago.
pub fn signature(team: &str, citizen: &str, status: &str) -> Value {
    for_citizen(
        team,
        citizen,
        json!({"provider": "VNPT-CA", "status": status}),
    )
}
