//! Unit tests of `openapi`, apart so the rules read on their own.
use serde_json::Value;

fn spec() -> Value {
    serde_json::to_value(crate::app::openapi()).unwrap()
}

/// A parameter's enum is inlined or registered: a dangling `$ref` leaves generated
/// clients and schemathesis without its values.
#[test]
fn every_reference_resolves() {
    let spec = spec();
    let text = spec.to_string();
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    for part in text.split("\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "{name} is referred to but not defined"
        );
    }
}

#[test]
fn the_spec_states_the_servers_own_bounds() {
    let spec = spec();
    let s = &spec["components"]["schemas"];
    // A body with rules between fields is `allOf` its own schema and those rules.
    let prop = |schema: &str, field: &str| {
        let own = if s[schema]["allOf"].is_array() {
            &s[schema]["allOf"][0]
        } else {
            &s[schema]
        };
        own["properties"][field].clone()
    };
    let min = crate::rules::PASSWORD_MIN;
    assert_eq!(prop("CreateUser", "password")["minLength"], min);
    assert_eq!(prop("PasswordChange", "new_password")["minLength"], min);
    assert_eq!(
        prop("CreateApiKey", "name")["maxLength"],
        crate::rules::NAME_MAX
    );
    assert_eq!(prop("Location", "lat")["maximum"], 23.5);
    assert_eq!(prop("Location", "lon")["minimum"], 102.0);
    assert_eq!(prop("TargetInput", "target")["maximum"], 1_000_000_000);
    assert_eq!(prop("SignatureInput", "birth_year")["minimum"], 1900);
    assert_eq!(
        prop("AssistInput", "citizen_id")["pattern"],
        super::CITIZEN_ID
    );
    assert_eq!(prop("VisitInput", "hamlet")["maxLength"], 100);
    // Free text may hold newlines; a label may not.
    assert_eq!(prop("VisitInput", "note")["pattern"], super::FREE_TEXT);
    assert_eq!(
        prop("VisitInput", "household_ref")["pattern"],
        super::ONE_LINE
    );
    let review = &s["ReviewRequest"]["allOf"];
    assert_eq!(
        review[0]["properties"]["status"]["enum"],
        serde_json::json!(["approved", "flagged", "rejected"])
    );
    assert_eq!(
        review[1]["anyOf"][1]["required"],
        serde_json::json!(["note"])
    );
}

#[test]
fn every_operation_has_a_summary_and_public_ones_need_no_token() {
    let spec = spec();
    assert_eq!(spec["servers"][0]["url"], "/");
    assert!(spec["info"]["license"]["url"].is_string());
    let mut public = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["summary"].is_string(), "{method} {path} has no summary");
            let security = op["security"].as_array().expect("security stated");
            if security.is_empty() {
                public.push(format!("{method} {path}"));
            }
        }
    }
    public.sort();
    assert_eq!(
        public,
        [
            "get /api/v1/meta",
            "get /healthz",
            "get /metrics",
            "get /readyz",
            "post /api/v1/auth/login",
            "post /api/v1/auth/logout",
            "post /api/v1/auth/refresh",
        ]
    );
}

#[test]
fn no_component_goes_unused() {
    let spec = spec();
    let text = spec.to_string();
    for name in spec["components"]["schemas"].as_object().unwrap().keys() {
        assert!(
            text.contains(&format!("\"#/components/schemas/{name}\"")),
            "{name} is never used"
        );
    }
}
