//! The authorization matrix: every endpoint of the spec, called by every kind of caller, against
//! objects of one team in Phường Ba Đình (Hà Nội). Callers outside that team, commune or
//! province show what an out-of-scope object answers. An endpoint missing from the table fails
//! the test, so a new endpoint cannot skip it.

use std::collections::BTreeSet;

use actix_web::http::Method;
use gocua::access::Role;
use serde_json::{Value, json};

use crate::util::{BA_DINH, HANOI, NGOC_HA, TestApp, TestUser};
use crate::util::{CITIZEN, assist, signature, team_with, visit};

/// Who calls, in the order of the expectation columns.
const CALLERS: [&str; 12] = [
    "volunteer (author, member of the team)",
    "volunteer of another team",
    "lead of the team",
    "commune supervisor",
    "supervisor of another commune",
    "province supervisor",
    "supervisor of another province",
    "admin",
    "dashboard key of the province",
    "no token",
    "expired token",
    "token of a disabled user",
];

/// One endpoint: method, path and body (with `{placeholders}`), and the status each caller
/// must get. Placeholders: `{team}` the team; `{visit}`, `{assist}`, `{signature}` a record
/// the volunteer created just before the call; `{spare}` a volunteer of the commune outside
/// any team (added to the team before a DELETE of membership); `{campaign}` a campaign of the
/// commune; `{key}` a dashboard key just created; `{refresh}` a fresh refresh token;
/// `{phone}` and `{n}` something unused so far; `{period}` a finished month nobody certified;
/// `{submitted}` and `{accepted}` a certification of the commune in that state; `{webhook}`
/// a webhook of the province; `{held}` a hamlet the team holds; `{household}` a household of
/// it the volunteer registered just before the call.
struct Case {
    method: Method,
    path: &'static str,
    body: Option<Value>,
    expect: &'static str,
}

fn case(method: Method, path: &'static str, body: Option<Value>, expect: &'static str) -> Case {
    Case {
        method,
        path,
        body,
        expect,
    }
}

fn cases() -> Vec<Case> {
    use Method as M;
    let b = |v: Value| Some(v);
    vec![
        // caller:                                                 vol vo2 led csu cso psu pso adm key non exp dis
        case(M::GET, "/healthz", None, "200 200 200 200 200 200 200 200 200 200 200 200"),
        case(M::GET, "/readyz", None, "200 200 200 200 200 200 200 200 200 200 200 200"),
        case(M::GET, "/metrics", None, "200 200 200 200 200 200 200 200 200 200 200 200"),
        case(M::GET, "/api/v1/meta", None, "200 200 200 200 200 200 200 200 200 200 200 200"),
        case(
            M::POST,
            "/api/v1/auth/login",
            b(json!({"phone": "{vol_phone}", "password": crate::util::PASSWORD})),
            "200 200 200 200 200 200 200 200 200 200 200 200",
        ),
        case(
            M::POST,
            "/api/v1/auth/refresh",
            b(json!({"refresh_token": "{refresh}"})),
            "200 200 200 200 200 200 200 200 200 200 200 200",
        ),
        case(
            M::POST,
            "/api/v1/auth/logout",
            b(json!({"refresh_token": "{refresh}"})),
            "204 204 204 204 204 204 204 204 204 204 204 204",
        ),
        case(M::GET, "/api/v1/me", None, "200 200 200 200 200 200 200 200 403 401 401 401"),
        case(
            M::POST,
            "/api/v1/me/password",
            b(json!({"current_password": "not-the-password", "new_password": "another-long-password"})),
            "422 422 422 422 422 422 422 422 403 401 401 401",
        ),
        case(M::GET, "/api/v1/units?q=ba%20dinh", None, "200 200 200 200 200 200 200 200 200 401 401 401"),
        case(M::GET, leak(format!("/api/v1/units/{BA_DINH}")), None, "200 200 200 200 200 200 200 200 200 401 401 401"),
        case(
            M::PUT,
            leak(format!("/api/v1/units/{BA_DINH}/population")),
            b(json!({"year": 2025, "residents": 9800, "adults": 6200, "aged_15_plus": 6900, "households": 2600})),
            "403 403 403 403 403 200 403 200 403 401 401 401",
        ),
        case(M::GET, leak(format!("/api/v1/units/{BA_DINH}/population")), None, "200 200 200 200 200 200 200 200 200 401 401 401"),
        case(
            M::POST,
            leak(format!("/api/v1/units/{BA_DINH}/hamlets")),
            b(json!({"name": "Tổ {n}", "kind": "to-dan-pho"})),
            "403 403 403 201 404 201 404 201 403 401 401 401",
        ),
        case(
            M::PATCH,
            "/api/v1/units/{hamlet}",
            b(json!({"name": "Tổ {n}"})),
            "403 403 403 200 404 200 404 200 403 401 401 401",
        ),
        case(
            M::POST,
            leak(format!("/api/v1/units/{BA_DINH}/rearrangements")),
            b(json!({"effective_on": "2026-06-01", "merges": [{"from": ["{hamlet}", "{hamlet}"], "name": "Tổ {n}", "kind": "to-dan-pho"}]})),
            "403 403 403 201 404 201 404 201 403 401 401 401",
        ),
        case(M::GET, leak(format!("/api/v1/units/{BA_DINH}/rearrangements")), None, "200 200 200 200 200 200 200 200 200 401 401 401"),
        case(
            M::PUT,
            "/api/v1/teams/{team}/hamlets",
            b(json!({"hamlet_codes": ["{held}", "{hamlet}"]})),
            "403 403 403 200 404 200 404 200 403 401 401 401",
        ),
        case(
            M::POST,
            "/api/v1/users",
            b(json!({"phone": "{phone}", "full_name": "Người mới", "role": "volunteer", "unit_code": BA_DINH, "password": "a-long-enough-password"})),
            "403 403 403 201 404 201 404 201 403 401 401 401",
        ),
        case(M::GET, "/api/v1/users?unit=00004", None, "403 403 403 200 404 200 404 200 403 401 401 401"),
        case(M::GET, "/api/v1/users/{spare}", None, "403 403 403 200 404 200 404 200 403 401 401 401"),
        case(
            M::PATCH,
            "/api/v1/users/{spare}",
            b(json!({"full_name": "Người dự bị"})),
            "403 403 403 200 404 200 404 200 403 401 401 401",
        ),
        case(
            M::POST,
            "/api/v1/teams",
            b(json!({"commune_code": BA_DINH, "name": "Tổ {n}"})),
            "403 403 403 201 404 201 404 201 403 401 401 401",
        ),
        case(M::GET, "/api/v1/teams?unit=00004", None, "200 200 200 200 404 200 404 200 403 401 401 401"),
        case(M::GET, "/api/v1/teams/{team}", None, "200 404 200 200 404 200 404 200 403 401 401 401"),
        case(
            M::PATCH,
            "/api/v1/teams/{team}",
            b(json!({"area": "Tổ dân phố 5"})),
            "403 403 403 200 404 200 404 200 403 401 401 401",
        ),
        case(
            M::PUT,
            "/api/v1/teams/{team}/members/{spare}",
            b(json!({"role": "member"})),
            "403 403 403 200 404 200 404 200 403 401 401 401",
        ),
        case(
            M::DELETE,
            "/api/v1/teams/{team}/members/{spare}",
            None,
            "403 403 403 204 404 204 404 204 403 401 401 401",
        ),
    ]
    .into_iter()
    .chain(record_cases())
    .chain(vec![
        case(M::GET, "/api/v1/follow-ups?team={team}", None, "200 404 200 200 404 200 404 200 403 401 401 401"),
        case(M::GET, "/api/v1/exports/visits.csv?unit=00004", None, "403 403 403 200 404 200 404 200 403 401 401 401"),
        case(M::GET, "/api/v1/exports/vneid-assists.csv?unit=00004", None, "403 403 403 200 404 200 404 200 403 401 401 401"),
        case(
            M::GET,
            "/api/v1/exports/signature-registrations.csv?unit=00004",
            None,
            "403 403 403 200 404 200 404 200 403 401 401 401",
        ),
        case(
            M::GET,
            "/api/v1/exports/training-sessions.csv?unit=00004",
            None,
            "403 403 403 200 404 200 404 200 403 401 401 401",
        ),
        case(
            M::POST,
            "/api/v1/campaigns",
            b(json!({"name": "Chiến dịch {n}", "unit_code": BA_DINH, "starts_on": "2026-01-01", "ends_on": "2026-12-31"})),
            "403 403 403 201 404 201 404 201 403 401 401 401",
        ),
        case(M::GET, "/api/v1/campaigns?unit=00004", None, "200 200 200 200 404 200 404 200 200 401 401 401"),
        case(M::GET, "/api/v1/campaigns/{campaign}", None, "200 200 200 200 404 200 404 200 200 401 401 401"),
        case(
            M::PUT,
            "/api/v1/campaigns/{campaign}/targets",
            b(json!([{"unit_code": BA_DINH, "metric": "visits", "target": 100}])),
            "403 403 403 200 404 200 404 200 403 401 401 401",
        ),
        case(M::GET, "/api/v1/campaigns/{campaign}/progress", None, "200 200 200 200 404 200 404 200 200 401 401 401"),
        // Webhooks: an admin, or a province supervisor in scope.
        case(
            M::POST,
            "/api/v1/webhooks",
            b(json!({"url": "https://8.8.8.8/hook", "unit_code": HANOI, "events": ["record.created"]})),
            "403 403 403 403 403 201 404 201 403 401 401 401",
        ),
        case(M::GET, "/api/v1/webhooks", None, "403 403 403 403 403 200 200 200 403 401 401 401"),
        case(M::GET, "/api/v1/webhooks/{webhook}", None, "403 403 403 403 403 200 404 200 403 401 401 401"),
        case(M::DELETE, "/api/v1/webhooks/{webhook}", None, "403 403 403 403 403 204 404 204 403 401 401 401"),
        case(M::POST, "/api/v1/webhooks/{webhook}/test", b(json!({})), "403 403 403 403 403 202 404 202 403 401 401 401"),
        case(
            M::GET,
            "/api/v1/webhooks/{webhook}/deliveries",
            None,
            "403 403 403 403 403 200 404 200 403 401 401 401",
        ),
        // Residents' rights: an admin, or a province supervisor (another province finds an
        // empty list and erases nothing: the answer does not say the resident exists).
        case(
            M::POST,
            "/api/v1/privacy/lookup",
            b(json!({"citizen_id": CITIZEN})),
            "403 403 403 403 403 200 200 200 403 401 401 401",
        ),
        case(
            M::POST,
            "/api/v1/privacy/erase",
            b(json!({"citizen_id": CITIZEN, "reason": "Yêu cầu của công dân"})),
            "403 403 403 403 403 200 200 200 403 401 401 401",
        ),
        // Certified periods: supervisors certify in scope, the province decides, keys read.
        case(
            M::POST,
            "/api/v1/certifications",
            b(json!({"unit_code": BA_DINH, "period": "{period}"})),
            "403 403 403 201 404 201 404 201 403 401 401 401",
        ),
        case(M::GET, "/api/v1/certifications", None, "403 403 403 200 200 200 200 200 200 401 401 401"),
        case(M::GET, "/api/v1/certifications/{submitted}", None, "403 403 403 200 404 200 404 200 200 401 401 401"),
        case(
            M::POST,
            "/api/v1/certifications/{submitted}/accept",
            b(json!({})),
            "403 403 403 403 404 200 404 200 403 401 401 401",
        ),
        case(
            M::POST,
            "/api/v1/certifications/{submitted}/return",
            b(json!({"note": "Thiếu số liệu"})),
            "403 403 403 403 404 200 404 200 403 401 401 401",
        ),
        case(
            M::POST,
            "/api/v1/certifications/{accepted}/reopen",
            b(json!({"reason": "Có bản ghi nhập trùng"})),
            "403 403 403 403 404 200 404 200 403 401 401 401",
        ),
        case(M::GET, "/api/v1/stats/summary?unit=00004", None, "200 200 200 200 404 200 404 200 200 401 401 401"),
        case(M::GET, "/api/v1/stats/summary.csv?unit=00004", None, "200 200 200 200 404 200 404 200 200 401 401 401"),
        case(M::GET, "/api/v1/stats/breakdown?unit=00004&by=team", None, "200 200 200 200 404 200 404 200 200 401 401 401"),
        case(
            M::GET,
            "/api/v1/stats/breakdown.csv?unit=00004&by=team",
            None,
            "200 200 200 200 404 200 404 200 200 401 401 401",
        ),
        case(M::GET, "/api/v1/stats/anomalies?unit=00004", None, "403 403 403 200 404 200 404 200 403 401 401 401"),
        case(M::GET, "/api/v1/audit?unit=00004", None, "403 403 403 200 404 200 404 200 403 401 401 401"),
        case(
            M::POST,
            "/api/v1/api-keys",
            b(json!({"name": "Bảng điều khiển {n}", "unit_code": BA_DINH})),
            "403 403 403 201 404 201 404 201 403 401 401 401",
        ),
        case(M::GET, "/api/v1/api-keys", None, "403 403 403 200 200 200 200 200 403 401 401 401"),
        case(M::DELETE, "/api/v1/api-keys/{key}", None, "403 403 403 204 404 204 404 204 403 401 401 401"),
        case(
            M::POST,
            "/api/v1/sync",
            b(json!({"visits": [visit_template()]})),
            "200 200 200 200 200 200 200 200 403 401 401 401",
        ),
        case(M::GET, "/api/v1/sync/state", None, "200 200 200 200 200 200 200 200 403 401 401 401"),
        case(
            M::POST,
            "/api/v1/households",
            b(json!({"id": "{uuid}", "hamlet_code": "{held}", "label": "H{n}", "members": 3, "adults": 2})),
            "201 403 201 201 404 201 404 201 403 401 401 401",
        ),
        case(M::GET, "/api/v1/households", None, "200 200 200 200 200 200 200 200 403 401 401 401"),
        case(M::GET, "/api/v1/households/{household}", None, "200 404 200 200 404 200 404 200 403 401 401 401"),
        case(
            M::PATCH,
            "/api/v1/households/{household}",
            b(json!({"base_version": 1, "members": 5})),
            "200 404 200 200 404 200 404 200 403 401 401 401",
        ),
        case(
            M::POST,
            "/api/v1/households/{household}/close",
            b(json!({"reason": "moved_away"})),
            "200 404 200 200 404 200 404 200 403 401 401 401",
        ),
        case(M::GET, "/api/v1/households/{household}/history", None, "200 404 200 200 404 200 404 200 403 401 401 401"),
        case(M::GET, leak(format!("/api/v1/units/{HANOI}/digital-family")), None, "200 200 200 200 200 200 404 200 403 401 401 401"),
        case(
            M::PUT,
            leak(format!("/api/v1/units/{HANOI}/digital-family")),
            b(json!({"criteria": ["smart_device", "internet"], "residential_area_share": 80})),
            "403 403 403 403 403 200 404 200 403 401 401 401",
        ),
        case(M::GET, "/api/v1/sync/households?team_id={team}", None, "200 404 200 200 404 200 404 200 403 401 401 401"),
        case(M::GET, "/api/v1/stats/households?unit=00004", None, "200 200 200 200 404 200 404 200 200 401 401 401"),
        case(
            M::POST,
            "/api/v1/privacy/erase-household",
            b(json!({"household_id": "{household}", "reason": "Yêu cầu của chủ hộ"})),
            "403 403 403 403 403 200 404 200 403 401 401 401",
        ),
    ])
    .collect()
}

/// Paths are built once per test run; leaking them keeps the table's type simple.
fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

fn visit_template() -> Value {
    let mut v = visit("{team}");
    v["id"] = json!("{uuid}");
    v
}

/// The same seven endpoints for each record kind.
fn record_cases() -> Vec<Case> {
    use Method as M;
    let mut out = Vec::new();
    for (path, placeholder, body, patch) in [
        (
            "visits",
            "{visit}",
            visit_template(),
            json!({"note": "Sửa ghi chú"}),
        ),
        (
            "vneid-assists",
            "{assist}",
            {
                let mut v = assist("{team}", CITIZEN, "install", "pending");
                v["id"] = json!("{uuid}");
                v
            },
            json!({"note": "Sửa ghi chú"}),
        ),
        (
            "signature-registrations",
            "{signature}",
            {
                let mut v = signature("{team}", CITIZEN, "submitted");
                v["id"] = json!("{uuid}");
                v
            },
            json!({"note": "Sửa ghi chú"}),
        ),
        (
            "training-sessions",
            "{session}",
            {
                let mut v = crate::sessions::session("{team}", 30);
                v["id"] = json!("{uuid}");
                v
            },
            json!({"attendees": 31}),
        ),
    ] {
        let at = |suffix: &str| leak(format!("/api/v1/{path}/{placeholder}{suffix}"));
        let list = leak(format!("/api/v1/{path}?team={{team}}"));
        // Only members log records; supervisors and admins review them.
        // caller:                                 vol vo2 led csu cso psu pso adm key non exp dis
        out.extend([
            case(
                M::POST,
                leak(format!("/api/v1/{path}")),
                Some(body),
                "201 404 201 403 404 403 404 403 403 401 401 401",
            ),
            case(
                M::GET,
                list,
                None,
                "200 404 200 200 404 200 404 200 403 401 401 401",
            ),
            case(
                M::GET,
                at(""),
                None,
                "200 404 200 200 404 200 404 200 403 401 401 401",
            ),
            // The author (while pending, within 72 hours) or a supervisor in scope; not the lead.
            case(
                M::PATCH,
                at(""),
                Some(patch),
                "200 404 403 200 404 200 404 200 403 401 401 401",
            ),
            case(
                M::POST,
                at("/void"),
                Some(json!({"reason": "Ghi nhầm"})),
                "200 404 403 200 404 200 404 200 403 401 401 401",
            ),
            // Nobody reviews their own record; the lead reviews the others'.
            case(
                M::POST,
                at("/review"),
                Some(json!({"status": "approved"})),
                "403 404 200 200 404 200 404 200 403 401 401 401",
            ),
        ]);
    }
    out
}

/// The people and objects the calls are about.
struct World {
    app: TestApp,
    callers: Vec<Option<String>>,
    vol: TestUser,
    admin: TestUser,
    team: String,
    held: String,
    spare: String,
    campaign: String,
    psup: TestUser,
    counter: std::cell::Cell<u32>,
}

impl World {
    async fn new() -> Self {
        let (app, admin) = TestApp::init().with_admin().await;
        let csup = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
        let csup_other = app.seed_user(Role::CommuneSupervisor, Some(NGOC_HA)).await;
        let psup = app.seed_user(Role::ProvinceSupervisor, Some(HANOI)).await;
        let psup_other = app.seed_user(Role::ProvinceSupervisor, Some("79")).await;
        let vol = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
        let vol_other = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
        let lead = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
        let disabled = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
        let spare = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
        let team = team_with(
            &app,
            &csup,
            BA_DINH,
            "Tổ 1",
            &[(&lead, "lead"), (&vol, "member"), (&disabled, "member")],
        )
        .await;
        team_with(&app, &csup, BA_DINH, "Tổ 2", &[(&vol_other, "lead")]).await;
        let held = crate::households::hamlet(&app, BA_DINH, "Tổ dân phố của tổ").await;
        crate::households::assign(&app, &csup, &team, &[&held]).await;
        app.patch(
            &format!("/api/v1/users/{}", disabled.id),
            &admin.token,
            json!({"active": false}),
        )
        .await
        .expect(200);
        let key = app
            .post(
                "/api/v1/api-keys",
                &psup.token,
                json!({"name": "Bảng điều khiển tỉnh", "unit_code": HANOI}),
            )
            .await
            .expect(201)
            .body["key"]
            .as_str()
            .unwrap()
            .to_owned();
        let campaign = app
            .post(
                "/api/v1/campaigns",
                &csup.token,
                json!({"name": "Chiến dịch phường", "unit_code": BA_DINH, "starts_on": "2026-01-01", "ends_on": "2026-12-31"}),
            )
            .await
            .expect(201)
            .body["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let callers = vec![
            Some(vol.token.clone()),
            Some(vol_other.token.clone()),
            Some(lead.token.clone()),
            Some(csup.token.clone()),
            Some(csup_other.token.clone()),
            Some(psup.token.clone()),
            Some(psup_other.token.clone()),
            Some(admin.token.clone()),
            Some(key),
            None,
            Some(expired_token(&vol.id)),
            Some(disabled.token.clone()),
        ];
        Self {
            app,
            callers,
            vol,
            admin,
            team,
            held,
            spare: spare.id,
            campaign,
            psup,
            counter: std::cell::Cell::new(0),
        }
    }

    fn next(&self) -> u32 {
        self.counter.set(self.counter.get() + 1);
        self.counter.get()
    }

    /// A finished month nobody certified yet.
    fn period(&self) -> String {
        let n = self.next();
        format!("{:04}-{:02}", 2001 + n / 12, 1 + n % 12)
    }

    /// Replaces the placeholders of `text`, creating what they name.
    async fn fill(&self, case: &Case, text: &str) -> String {
        let mut out = text
            .replace("{team}", &self.team)
            .replace("{held}", &self.held)
            .replace("{spare}", &self.spare)
            .replace("{campaign}", &self.campaign)
            .replace("{vol_phone}", &self.vol.phone);
        if out.contains("{uuid}") {
            out = out.replace("{uuid}", &uuid::Uuid::new_v4().to_string());
        }
        if out.contains("{n}") {
            out = out.replace("{n}", &self.next().to_string());
        }
        if out.contains("{phone}") {
            out = out.replace("{phone}", &self.app.phone());
        }
        if out.contains("{webhook}") {
            let id = self
                .app
                .post(
                    "/api/v1/webhooks",
                    &self.psup.token,
                    json!({"url": "https://8.8.8.8/hook", "unit_code": HANOI, "events": ["record.created"]}),
                )
                .await
                .expect(201)
                .body["id"]
                .as_str()
                .unwrap()
                .to_owned();
            out = out.replace("{webhook}", &id);
        }
        if out.contains("{period}") {
            out = out.replace("{period}", &self.period());
        }
        while out.contains("{hamlet}") {
            let n = self.next();
            let code = self
                .app
                .post(
                    &format!("/api/v1/units/{BA_DINH}/hamlets"),
                    &self.admin.token,
                    json!({"name": format!("Thôn {n}"), "kind": "thon", "valid_from": "2026-01-01"}),
                )
                .await
                .expect(201)
                .body["code"]
                .as_str()
                .unwrap()
                .to_owned();
            out = out.replacen("{hamlet}", &code, 1);
        }
        for (placeholder, accept) in [("{submitted}", false), ("{accepted}", true)] {
            if out.contains(placeholder) {
                let made = self
                    .app
                    .post(
                        "/api/v1/certifications",
                        &self.psup.token,
                        json!({"unit_code": BA_DINH, "period": self.period()}),
                    )
                    .await
                    .expect(201);
                let id = made.body["id"].as_str().unwrap().to_owned();
                if accept {
                    self.app
                        .post(
                            &format!("/api/v1/certifications/{id}/accept"),
                            &self.psup.token,
                            json!({}),
                        )
                        .await
                        .expect(200);
                }
                out = out.replace(placeholder, &id);
            }
        }
        for (placeholder, path, body) in [
            ("{visit}", "visits", visit(&self.team)),
            (
                "{assist}",
                "vneid-assists",
                assist(&self.team, CITIZEN, "install", "pending"),
            ),
            (
                "{signature}",
                "signature-registrations",
                signature(&self.team, CITIZEN, "submitted"),
            ),
            (
                "{session}",
                "training-sessions",
                crate::sessions::session(&self.team, 30),
            ),
        ] {
            if out.contains(placeholder) {
                let id = self
                    .app
                    .post(&format!("/api/v1/{path}"), &self.vol.token, body)
                    .await
                    .expect(201)
                    .body["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                out = out.replace(placeholder, &id);
            }
        }
        if out.contains("{household}") {
            let n = self.next();
            let made = self
                .app
                .post(
                    "/api/v1/households",
                    &self.vol.token,
                    crate::households::household(&self.held, &format!("M{n}")),
                )
                .await
                .expect(201);
            out = out.replace("{household}", made.body["id"].as_str().unwrap());
        }
        if out.contains("{key}") {
            let id = self
                .app
                .post(
                    "/api/v1/api-keys",
                    &self.psup.token,
                    json!({"name": format!("Khoá {}", self.next()), "unit_code": BA_DINH}),
                )
                .await
                .expect(201)
                .body["id"]
                .as_str()
                .unwrap()
                .to_owned();
            out = out.replace("{key}", &id);
        }
        if out.contains("{refresh}") {
            let fresh = self.app.signed_in(&self.vol.phone).await;
            out = out.replace("{refresh}", &fresh.refresh_token);
        }
        if case.method == Method::DELETE && case.path.contains("/members/") {
            self.app
                .call(
                    Method::PUT,
                    &format!("/api/v1/teams/{}/members/{}", self.team, self.spare),
                    Some(&self.admin.token),
                    Some(json!({"role": "member"})),
                )
                .await
                .expect(200);
        }
        out
    }
}

/// A token signed with the server's key that expired two minutes ago.
fn expired_token(user_id: &str) -> String {
    use jsonwebtoken::{Algorithm, EncodingKey, Header};
    let now = jsonwebtoken::get_current_timestamp();
    jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": user_id, "exp": now - 120, "iat": now - 1000, "iss": "gocua", "aud": "gocua-api", "gen": 0}),
        &EncodingKey::from_secret(b"test-jwt-secret-that-is-long-enough-0001"),
    )
    .unwrap()
}

#[actix_web::test]
async fn every_endpoint_answers_every_caller_as_the_table_says() {
    let cases = cases();
    let listed: BTreeSet<(String, String)> = cases
        .iter()
        .map(|c| {
            (
                c.method.to_string(),
                c.path.split('?').next().unwrap().to_owned(),
            )
        })
        .map(|(m, p)| (m, normalise(&p)))
        .collect();
    let spec = gocua::app::openapi();
    let mut missing = Vec::new();
    for (path, item) in &spec.paths.paths {
        for (method, present) in [
            ("GET", item.get.is_some()),
            ("POST", item.post.is_some()),
            ("PUT", item.put.is_some()),
            ("PATCH", item.patch.is_some()),
            ("DELETE", item.delete.is_some()),
        ] {
            if present && !listed.contains(&(method.to_owned(), normalise(path))) {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "endpoints missing from the matrix: {missing:?}"
    );

    let world = World::new().await;
    let mut wrong = Vec::new();
    let mut table = String::new();
    for case in &cases {
        let mut got = Vec::new();
        for token in &world.callers {
            let path = world.fill(case, case.path).await;
            let body = match &case.body {
                Some(b) => {
                    Some(serde_json::from_str(&world.fill(case, &b.to_string()).await).unwrap())
                }
                None => None,
            };
            let reply = world
                .app
                .call(case.method.clone(), &path, token.as_deref(), body)
                .await;
            got.push(reply.status.as_u16());
            if reply.status.as_u16() >= 400 {
                assert_eq!(
                    reply
                        .headers
                        .get("content-type")
                        .map(|v| v.to_str().unwrap()),
                    Some("application/problem+json"),
                    "{} {path}",
                    case.method
                );
            }
        }
        let got_text = got.iter().map(u16::to_string).collect::<Vec<_>>().join(" ");
        table.push_str(&format!(
            "{} {} => \"{got_text}\"\n",
            case.method, case.path
        ));
        if got_text != case.expect {
            let expect: Vec<&str> = case.expect.split(' ').collect();
            for (i, status) in got.iter().enumerate() {
                if expect.get(i) != Some(&status.to_string().as_str()) {
                    wrong.push(format!(
                        "{} {}: {} got {status}, expected {}",
                        case.method,
                        case.path,
                        CALLERS[i],
                        expect.get(i).unwrap_or(&"?")
                    ));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{}\n\nwhole table:\n{table}",
        wrong.join("\n")
    );
}

/// `{id}`, `{code}` and our placeholders all become `{}`, so table and spec paths compare.
fn normalise(path: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push('{');
            }
            '}' => {
                inside = false;
                out.push('}');
            }
            _ if inside => {}
            _ => out.push(c),
        }
    }
    out.replace(BA_DINH, "{}")
        .replace(&format!("/units/{HANOI}/"), "/units/{}/")
}
