//! The parts of the OpenAPI document that no handler declares: title, security scheme,
//! tags, and the error responses every operation can give.

use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Spec, Ref, RefOr, Response, ResponseBuilder};

use crate::error::{FieldErrorView, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gocua API",
        description = "Backend of Vietnam's community digital technology teams (tổ công nghệ số cộng đồng): \
volunteers log household visits, VNeID assists, digital-signature registrations and training sessions; supervisors follow \
progress. Errors are RFC 9457 `application/problem+json`. Anything outside the caller's scope answers 404.",
        license(name = "MIT", url = "https://opensource.org/license/mit")
    ),
    components(schemas(Problem, FieldErrorView)),
    tags(
        (name = "auth", description = "Đăng nhập, phiên và mật khẩu (sign-in, sessions, passwords)"),
        (name = "units", description = "Đơn vị hành chính 2025 (administrative units)"),
        (name = "users", description = "Người dùng (users)"),
        (name = "teams", description = "Tổ công nghệ số cộng đồng và thành viên (teams and members)"),
        (name = "visits", description = "Thăm hộ gia đình (household visits)"),
        (name = "vneid-assists", description = "Hỗ trợ cài đặt, kích hoạt VNeID (VNeID assists)"),
        (name = "signature-registrations", description = "Đăng ký chữ ký số (digital-signature registrations)"),
        (name = "training-sessions", description = "Lớp học và điểm hỗ trợ (classes, support points and online sessions)"),
        (name = "follow-ups", description = "Việc cần quay lại (what a team must come back to)"),
        (name = "campaigns", description = "Chiến dịch và chỉ tiêu (campaigns and targets)"),
        (name = "certifications", description = "Chứng nhận số liệu theo kỳ (certified periods: a commune certifies, the province accepts, the period locks)"),
        (name = "stats", description = "Thống kê (statistics, read from per-day rollups)"),
        (name = "exports", description = "Xuất dữ liệu CSV (record-level CSV exports)"),
        (name = "privacy", description = "Quyền của công dân về dữ liệu cá nhân (residents' rights: look-up and erasure of citizen links)"),
        (name = "webhooks", description = "Đẩy sự kiện tới bảng điều khiển (signed webhooks from a durable outbox)"),
        (name = "api-keys", description = "Khóa API cho bảng điều khiển (read-only dashboard keys)"),
        (name = "audit", description = "Nhật ký thao tác (append-only audit log)"),
        (name = "sync", description = "Đồng bộ ngoại tuyến (offline sync) and server facts"),
        (name = "operations", description = "Probes")
    )
)]
struct BaseDoc;

/// The document before handlers add their paths.
pub fn base() -> Spec {
    BaseDoc::openapi()
}

fn problem(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                crate::error::PROBLEM_JSON,
                Content::new(Some(Ref::from_schema_name("Problem"))),
            )
            .build(),
    )
}

fn add_default(op: &mut Operation, status: &str, description: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| problem(description));
}

/// Gives every error response a handler declared (status and description only) the
/// problem+json body, so that no handler writes it again.
fn problem_bodies(op: &mut Operation) {
    for (status, response) in op.responses.responses.iter_mut() {
        if let RefOr::T(response) = response
            && status.parse::<u16>().is_ok_and(|s| s >= 400)
            && response.content.is_empty()
        {
            response.content.insert(
                crate::error::PROBLEM_JSON.to_owned(),
                RefOr::T(Content::new(Some(Ref::from_schema_name("Problem")))),
            );
        }
    }
}

/// Adds the bearer scheme, the server (this one: paths are relative to where the spec is
/// served), `security: []` on public operations (so a generated client sends no token), the
/// problem+json body of every error response, and, to every operation, the error responses
/// its shape implies: 401 where a token is required,
/// 400/413/415/422 where there is a body, 400/422 where there are query parameters, 503
/// wherever the database is used, and 500 everywhere.
pub fn finish(mut api: Spec) -> Spec {
    each_operation(&mut api, |_, op| problem_bodies(op));
    // Next, as it goes through JSON, which drops the raw `allowEmptyValue` added below.
    let mut api = state_rules(api);
    api.servers = Some(vec![
        utoipa::openapi::server::ServerBuilder::new()
            .url("/")
            .description(Some("the server that serves this document"))
            .build(),
    ]);
    let components = api.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "Access token from /api/v1/auth/login, or a dashboard key (`gck_…`) on the read-only \
                     units, statistics and campaign endpoints",
                ))
                .build(),
        ),
    );
    each_operation(&mut api, |path, op| {
        // The liveness probe never touches the database, so it cannot answer 503.
        let uses_database = path != "/healthz";
        match &op.security {
            Some(s) if !s.is_empty() => {
                add_default(op, "401", "Missing, invalid or expired access token");
            }
            _ => op.security = Some(Vec::new()),
        }
        if op.request_body.is_some() {
            add_default(op, "400", "Malformed JSON");
            add_default(
                op,
                "408",
                "The body arrived too slowly (stalled or trickling)",
            );
            add_default(op, "413", "Body larger than the limit");
            add_default(op, "415", "Body is not application/json");
            add_default(op, "422", "Invalid fields (every failing field is listed)");
        }
        let has_query = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, utoipa::openapi::path::ParameterIn::Query)))
            });
        allow_empty_values(op);
        if has_query {
            add_default(op, "400", "Malformed query parameter");
            add_default(op, "422", "Invalid query parameter value");
        }
        add_default(
            op,
            "500",
            "Unexpected error (details are logged, never sent)",
        );
        if uses_database {
            add_default(
                op,
                "503",
                "Database unavailable; retry after `Retry-After` seconds",
            );
        }
    });
    api
}

/// Calls `f` with every operation of the document and its path.
fn each_operation(api: &mut Spec, mut f: impl FnMut(&str, &mut Operation)) {
    for (path, item) in api.paths.paths.iter_mut() {
        for op in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            f(path, op);
        }
    }
}

/// The server reads an empty optional query parameter (`?to=`, as forms send) as an absent
/// one, so the spec says so with OpenAPI's `allowEmptyValue`. utoipa has no field for that
/// keyword, hence the raw entry beside the extensions.
fn allow_empty_values(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::path::ParameterIn;
    for p in op.parameters.iter_mut().flatten() {
        if let RefOr::T(p) = p
            && matches!(p.parameter_in, ParameterIn::Query)
            && !matches!(p.required, utoipa::openapi::Required::True)
        {
            p.extensions
                .get_or_insert_with(Default::default)
                .insert("allowEmptyValue".into(), true.into());
        }
    }
}

/// What JSON Schema can say of one field. Each bound is the constant the server's own
/// check uses, so the spec and the check cannot drift apart.
#[derive(Debug, Clone)]
enum Rule {
    /// Characters (code points), inclusive.
    Chars(usize, usize),
    /// A whole number, inclusive.
    Int(i64, i64),
    /// A number, inclusive.
    Num(f64, f64),
    /// A number above the first bound, up to the second inclusive.
    Above(f64, f64),
    /// At least this whole number (the upper bound moves: a year of birth up to this year).
    IntFrom(i64),
    /// A regular expression (ECMA-262, as JSON Schema reads it).
    Pattern(&'static str),
    /// One of these strings (narrower than the field's type).
    Choice(Vec<&'static str>),
    /// At least this many items in a list.
    ItemsFrom(usize),
    /// A list of distinct strings, each one of these.
    DistinctOf(Vec<&'static str>),
    /// A list of distinct strings, each matching this pattern.
    DistinctMatching(&'static str),
}

/// A Vietnamese mobile number as `auth::phone::normalize` reads it: `0` or `84`, a mobile
/// range digit (3, 5, 7, 8, 9) and eight more digits, with spaces, dots, dashes or
/// brackets anywhere and a leading `+`.
const PHONE: &str = r"^[+ .()-]*(0|8[ .()-]*4)[ .()-]*[35789]([ .()-]*[0-9]){8}[ .()-]*$";
/// A CCCD: 12 digits, the first three a province code 001–096 (`records::citizen`).
const CITIZEN_ID: &str = r"^0(0[1-9]|[1-8][0-9]|9[0-6])[0-9]{9}$";
/// Text without control characters (`text::has_control`): one line.
const ONE_LINE: &str = r"^[^\u0000-\u001F\u007F]*$";
/// Text without control characters but tab and newline (free text).
const FREE_TEXT: &str = r"^[^\u0000-\u0008\u000B-\u001F\u007F]*$";
/// A name: one line, and not only spaces (names are trimmed, then must not be empty).
const NAME: &str = r"^[^\u0000-\u001F\u007F]*[^\s\u0000-\u001F\u007F][^\u0000-\u001F\u007F]*$";
/// Free text that must say something (a reason).
const SAYS_SOMETHING: &str = r"^[^\u0000-\u0008\u000B-\u001F\u007F]*[^\s\u0000-\u001F\u007F][^\u0000-\u0008\u000B-\u001F\u007F]*$";

/// What a review may decide, as the API spells it.
const REVIEW_DECISION_NAMES: [&str; 3] = {
    use crate::records::model::REVIEW_DECISIONS as D;
    [D[0].as_str(), D[1].as_str(), D[2].as_str()]
};

/// The rules of request fields, by schema and property.
fn field_rules() -> Vec<(&'static [&'static str], &'static str, Rule)> {
    use crate::households::service as hh;
    use crate::population::service as pop;
    use crate::records::input as rec;
    use Rule::*;
    const RECORDS: &[&str] = &[
        "VisitInput",
        "VisitPatch",
        "AssistInput",
        "AssistPatch",
        "SignatureInput",
        "SignaturePatch",
        "TrainingSessionInput",
        "TrainingSessionPatch",
    ];
    const SESSIONS: &[&str] = &["TrainingSessionInput", "TrainingSessionPatch"];
    const CITIZENS: &[&str] = &[
        "AssistInput",
        "AssistPatch",
        "SignatureInput",
        "SignaturePatch",
    ];
    const SIGNATURES: &[&str] = &["SignatureInput", "SignaturePatch"];
    const VISITS: &[&str] = &["VisitInput", "VisitPatch"];
    const USER_NAMES: &[&str] = &["CreateUser", "UpdateUser"];
    const TEAMS: &[&str] = &["CreateTeam", "UpdateTeam"];
    const PHONES: &[&str] = &["CreateUser", "LoginRequest"];
    const HAMLET_NAMES: &[&str] = &["CreateHamlet", "RenameUnit", "MergeInput", "SplitPart"];
    const HOUSEHOLDS: &[&str] = &["CreateHousehold", "UpdateHousehold"];
    let name = crate::rules::NAME_MAX;
    vec![
        (RECORDS, "note", Chars(0, rec::NOTE_MAX)),
        (RECORDS, "hamlet", Chars(0, rec::HAMLET_MAX)),
        (
            RECORDS,
            "hamlet_code",
            Pattern(crate::units::hamlets::CODE_PATTERN),
        ),
        (HAMLET_NAMES, "name", Chars(1, name)),
        (HAMLET_NAMES, "name", Pattern(NAME)),
        (
            &["CreateHamlet", "MergeInput", "SplitPart"],
            "kind",
            Choice(crate::units::UnitKind::hamlet_kinds()),
        ),
        (
            &["PutHamlets"],
            "hamlet_codes",
            DistinctMatching(crate::units::hamlets::HAMLET_CODE),
        ),
        (
            &["MergeInput"],
            "from",
            DistinctMatching(crate::units::hamlets::HAMLET_CODE),
        ),
        (
            &["SplitInput"],
            "from",
            Pattern(crate::units::hamlets::HAMLET_CODE),
        ),
        (HOUSEHOLDS, "label", Chars(1, hh::LABEL_MAX)),
        (HOUSEHOLDS, "label", Pattern(NAME)),
        (HOUSEHOLDS, "address", Chars(0, hh::ADDRESS_MAX)),
        (HOUSEHOLDS, "address", Pattern(FREE_TEXT)),
        (HOUSEHOLDS, "members", Int(1, hh::MEMBERS_MAX.into())),
        (HOUSEHOLDS, "adults", Int(0, hh::MEMBERS_MAX.into())),
        (
            HOUSEHOLDS,
            "hamlet_code",
            Pattern(crate::units::hamlets::HAMLET_CODE),
        ),
        (&["UpdateHousehold"], "base_version", IntFrom(1)),
        (VISITS, "household_ref", Chars(0, rec::HOUSEHOLD_REF_MAX)),
        (
            VISITS,
            "people_guided",
            Int(0, rec::PEOPLE_GUIDED_MAX.into()),
        ),
        (
            &["Location"],
            "lat",
            Num(rec::LAT_RANGE.0, rec::LAT_RANGE.1),
        ),
        (
            &["Location"],
            "lon",
            Num(rec::LON_RANGE.0, rec::LON_RANGE.1),
        ),
        (&["Location"], "accuracy_m", Num(0.0, rec::ACCURACY_MAX)),
        (CITIZENS, "citizen_id", Pattern(CITIZEN_ID)),
        (CITIZENS, "birth_year", IntFrom(rec::BIRTH_YEAR_MIN.into())),
        (SIGNATURES, "provider", Chars(1, rec::PROVIDER_MAX)),
        (SESSIONS, "attendees", Int(1, rec::ATTENDEES_MAX.into())),
        (SESSIONS, "people_helped", Int(0, rec::ATTENDEES_MAX.into())),
        (
            SESSIONS,
            "duration_minutes",
            Int(rec::DURATION_RANGE.0.into(), rec::DURATION_RANGE.1.into()),
        ),
        (SESSIONS, "venue", Chars(0, rec::VENUE_MAX)),
        (SESSIONS, "audience", ItemsFrom(1)),
        (SIGNATURES, "provider", Pattern(NAME)),
        (&["ReviewRequest"], "note", Chars(0, rec::NOTE_MAX)),
        (&["VoidRequest"], "reason", Chars(1, rec::NOTE_MAX)),
        (&["VoidRequest"], "reason", Pattern(SAYS_SOMETHING)),
        (PHONES, "phone", Pattern(PHONE)),
        (USER_NAMES, "full_name", Chars(1, name)),
        (USER_NAMES, "full_name", Pattern(NAME)),
        (
            &["CreateUser"],
            "password",
            Chars(crate::rules::PASSWORD_MIN, crate::rules::PASSWORD_MAX),
        ),
        (
            &["PasswordChange"],
            "new_password",
            Chars(crate::rules::PASSWORD_MIN, crate::rules::PASSWORD_MAX),
        ),
        (TEAMS, "name", Chars(1, name)),
        (TEAMS, "name", Pattern(NAME)),
        (
            TEAMS,
            "area",
            Chars(0, crate::teams::model::AREA_MAX as usize),
        ),
        (&["CreateApiKey"], "name", Chars(1, name)),
        (&["CreateApiKey"], "name", Pattern(NAME)),
        (
            &["CreateCampaign"],
            "name",
            Chars(1, crate::campaigns::model::NAME_MAX),
        ),
        (&["CreateCampaign"], "name", Pattern(NAME)),
        (
            &["TargetInput"],
            "target",
            Int(0, crate::campaigns::model::TARGET_MAX),
        ),
        (
            &["ReviewRequest"],
            "status",
            Choice(REVIEW_DECISION_NAMES.to_vec()),
        ),
        (
            &["PopulationInput"],
            "year",
            Int(pop::YEAR_RANGE.0, pop::YEAR_RANGE.1),
        ),
        (&["TargetInput"], "percent", Above(0.0, 100.0)),
        (
            &["CertifyRequest", "DecisionRequest"],
            "note",
            Chars(0, crate::certifications::model::NOTE_MAX),
        ),
        (
            &["ReopenRequest"],
            "reason",
            Chars(1, crate::certifications::model::NOTE_MAX),
        ),
        (&["ReopenRequest"], "reason", Pattern(SAYS_SOMETHING)),
        (
            &["EraseRequest"],
            "reason",
            Chars(1, crate::privacy::service::REASON_MAX),
        ),
        (&["EraseRequest"], "reason", Pattern(SAYS_SOMETHING)),
        (
            &["CreateWebhook"],
            "url",
            Chars(1, crate::webhooks::model::URL_MAX),
        ),
        (
            &["CreateWebhook"],
            "description",
            Chars(0, crate::webhooks::model::DESCRIPTION_MAX),
        ),
        (&["CreateWebhook"], "events", ItemsFrom(1)),
        (
            &["CreateWebhook"],
            "events",
            DistinctOf(
                crate::webhooks::model::SUBSCRIBABLE
                    .iter()
                    .map(|e| e.as_str())
                    .collect(),
            ),
        ),
        (&["PopulationInput"], "residents", Int(0, pop::FIGURE_MAX)),
        (&["PopulationInput"], "adults", Int(0, pop::FIGURE_MAX)),
        (
            &["PopulationInput"],
            "aged_15_plus",
            Int(0, pop::FIGURE_MAX),
        ),
        (&["PopulationInput"], "households", Int(0, pop::FIGURE_MAX)),
    ]
}

/// Writes the field rules into the schemas, then a control-character pattern on every
/// other string a client sends (body fields and query parameters), then drops components
/// nothing refers to. Works on the JSON form: utoipa's types have no setter for a
/// property of an already built schema (and reading it back keeps only `x-` extensions).
fn state_rules(api: Spec) -> Spec {
    use serde_json::{Value, json};
    let mut doc = serde_json::to_value(&api).expect("the spec is JSON");
    let schemas = &mut doc["components"]["schemas"];
    for (names, property, rule) in field_rules() {
        for name in names.iter() {
            let Some(field) = schemas
                .get_mut(*name)
                .and_then(|s| s.get_mut("properties"))
                .and_then(|p| p.get_mut(property))
                .and_then(Value::as_object_mut)
            else {
                panic!("no property {name}.{property} in the spec: the rule table is stale");
            };
            match rule {
                Rule::Chars(min, max) => {
                    field.insert("minLength".into(), json!(min));
                    field.insert("maxLength".into(), json!(max));
                }
                Rule::Int(min, max) => {
                    field.insert("minimum".into(), json!(min));
                    field.insert("maximum".into(), json!(max));
                }
                Rule::Num(min, max) => {
                    field.insert("minimum".into(), json!(min));
                    field.insert("maximum".into(), json!(max));
                }
                Rule::Above(min, max) => {
                    field.insert("exclusiveMinimum".into(), json!(min));
                    field.insert("maximum".into(), json!(max));
                }
                Rule::IntFrom(min) => {
                    field.insert("minimum".into(), json!(min));
                }
                Rule::Pattern(p) => {
                    field.insert("pattern".into(), json!(p));
                }
                Rule::Choice(ref values) => {
                    field.remove("$ref");
                    field.insert("type".into(), json!("string"));
                    field.insert("enum".into(), json!(values));
                }
                Rule::ItemsFrom(min) => {
                    field.insert("minItems".into(), json!(min));
                }
                Rule::DistinctOf(ref values) => {
                    field.insert("items".into(), json!({"type": "string", "enum": values}));
                    field.insert("uniqueItems".into(), json!(true));
                }
                Rule::DistinctMatching(pattern) => {
                    field.insert(
                        "items".into(),
                        json!({"type": "string", "pattern": pattern}),
                    );
                    field.insert("uniqueItems".into(), json!(true));
                }
            }
        }
    }
    let requests = request_schemas(&doc);
    let schemas = doc["components"]["schemas"]
        .as_object_mut()
        .expect("components hold schemas");
    for name in &requests {
        if let Some(props) = schemas
            .get_mut(name)
            .and_then(|s| s.get_mut("properties"))
            .and_then(Value::as_object_mut)
        {
            for (property, field) in props.iter_mut() {
                forbid_control(field, crate::text::is_free_text(property));
            }
        }
    }
    for item in doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|p| p.values_mut())
    {
        for op in item
            .as_object_mut()
            .into_iter()
            .flat_map(|o| o.values_mut())
        {
            for param in op["parameters"].as_array_mut().into_iter().flatten() {
                if param["in"] == "query" {
                    forbid_control(&mut param["schema"], false);
                }
            }
        }
    }
    cross_field_rules(&mut doc["components"]["schemas"]);
    prune_unused(&mut doc);
    serde_json::from_value(doc).expect("the spec reads back")
}

/// A string field with no format, enum or pattern of its own gets the control-character
/// pattern (arrays of such strings too).
fn forbid_control(field: &mut serde_json::Value, free_text: bool) {
    let is_string = match &field["type"] {
        serde_json::Value::String(t) => t == "string",
        serde_json::Value::Array(ts) => ts.iter().any(|t| t == "string"),
        _ => false,
    };
    if field.get("items").is_some() {
        forbid_control(&mut field["items"], free_text);
    }
    let open = ["format", "enum", "pattern", "$ref"]
        .iter()
        .all(|k| field.get(k).is_none());
    if is_string && open {
        field["pattern"] = (if free_text { FREE_TEXT } else { ONE_LINE }).into();
    }
}

/// The schemas request bodies use, directly or through others.
fn request_schemas(doc: &serde_json::Value) -> Vec<String> {
    fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    match (k.as_str(), v.as_str()) {
                        ("$ref", Some(r)) => {
                            if let Some(name) = r.strip_prefix("#/components/schemas/") {
                                out.push(name.to_owned());
                            }
                        }
                        _ => refs(v, out),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    for item in doc["paths"]
        .as_object()
        .into_iter()
        .flat_map(|p| p.values())
    {
        for op in item.as_object().into_iter().flat_map(|o| o.values()) {
            refs(&op["requestBody"], &mut found);
        }
    }
    let mut i = 0;
    while i < found.len() {
        let mut more = Vec::new();
        refs(&doc["components"]["schemas"][&found[i]], &mut more);
        for name in more {
            if !found.contains(&name) {
                found.push(name);
            }
        }
        i += 1;
    }
    found
}

/// Removes schemas no path and no other used schema refers to (generic list pages inline
/// their items, leaving the item's own component unused).
fn prune_unused(doc: &mut serde_json::Value) {
    loop {
        let text = serde_json::to_string(&doc["paths"]).unwrap_or_default()
            + &serde_json::to_string(&doc["components"]["schemas"]).unwrap_or_default();
        let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
            return;
        };
        let unused: Vec<String> = schemas
            .keys()
            .filter(|name| !text.contains(&format!("\"#/components/schemas/{name}\"")))
            .cloned()
            .collect();
        if unused.is_empty() {
            return;
        }
        for name in unused {
            schemas.remove(&name);
        }
    }
}

/// Rules between two fields of one body, as `allOf` the body's own schema and an `anyOf`
/// of the allowed combinations (JSON Schema's `if`/`then` would do, but the spec is read
/// back through utoipa's types, which have no such keywords). Enum values come from the
/// types the checks use.
fn cross_field_rules(schemas: &mut serde_json::Value) {
    use crate::records::model::{AssistResult, Outcome};
    use serde_json::json;
    let except = |all: &[&'static str], one: &str| -> Vec<&'static str> {
        all.iter().copied().filter(|v| *v != one).collect()
    };
    let outcomes: Vec<&str> = Outcome::ALL.iter().map(|o| o.as_str()).collect();
    let results: Vec<&str> = AssistResult::ALL.iter().map(|r| r.as_str()).collect();
    let failed = AssistResult::Failed.as_str();
    let rules = [
        // Nobody home, nobody guided (`records::input`, `not_home`).
        (
            "VisitInput",
            json!([
                {"type": "object", "properties": {"outcome": {"type": "string", "enum": except(&outcomes, Outcome::NotHome.as_str())}}},
                {"type": "object", "properties": {"people_guided": {"type": ["integer", "null"], "maximum": 0}}}
            ]),
        ),
        // A failure says why, and only a failure (`required`, `not_allowed`).
        (
            "AssistInput",
            json!([
                {"type": "object", "required": ["failure_reason"], "properties": {
                    "result": {"type": "string", "enum": [failed]},
                    "failure_reason": {"type": "string"}}},
                {"type": "object", "properties": {
                    "result": {"type": "string", "enum": except(&results, failed)},
                    "failure_reason": {"type": "null"}}}
            ]),
        ),
        // A rejection says why (`records::service::review`).
        (
            "ReviewRequest",
            json!([
                {"type": "object", "properties": {"status": {"type": "string", "enum": except(&REVIEW_DECISION_NAMES, "rejected")}}},
                {"type": "object", "required": ["note"], "properties": {
                    "status": {"type": "string", "enum": ["rejected"]},
                    "note": {"type": "string", "pattern": SAYS_SOMETHING}}}
            ]),
        ),
    ];
    for (name, alternatives) in rules {
        let own = schemas[name].take();
        schemas[name] = json!({"allOf": [own, {"anyOf": alternatives}]});
    }
}

#[cfg(test)]
mod tests;
