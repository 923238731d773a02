//! The shared field: two teams in Ba Đình, one in Ngọc Hà, their volunteers and the
//! supervisors above them, as typed callers every area's tests start from.

use actix_web::http::Method;
use gocua::access::Role;
use serde_json::json;

use super::{BA_DINH, HANOI, NGOC_HA, TestApp, TestUser};

/// Two teams in Ba Đình (a lead, a member, an outsider), one in Ngọc Hà, and supervisors.
pub struct Field {
    pub sup: TestUser,
    pub province: TestUser,
    pub far_province: TestUser,
    pub lead: TestUser,
    pub member: TestUser,
    pub outsider: TestUser,
    pub neighbour: TestUser,
    pub team: String,
    pub other_team: String,
    pub neighbour_team: String,
}

/// A team of `commune` made by `sup`, with these members and places.
pub async fn team_with(
    app: &TestApp,
    sup: &TestUser,
    commune: &str,
    name: &str,
    members: &[(&TestUser, &str)],
) -> String {
    let team = app
        .post(
            "/api/v1/teams",
            &sup.token,
            json!({"commune_code": commune, "name": name}),
        )
        .await
        .expect(201);
    let id = team.body["id"].as_str().unwrap().to_owned();
    for (user, role) in members {
        app.call(
            Method::PUT,
            &format!("/api/v1/teams/{id}/members/{}", user.id),
            Some(&sup.token),
            Some(json!({"role": role})),
        )
        .await
        .expect(200);
    }
    id
}

impl Field {
    pub async fn new(app: &TestApp) -> Self {
        let sup = app.seed_user(Role::CommuneSupervisor, Some(BA_DINH)).await;
        let province = app.seed_user(Role::ProvinceSupervisor, Some(HANOI)).await;
        let far_province = app.seed_user(Role::ProvinceSupervisor, Some("79")).await;
        let lead = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
        let member = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
        let outsider = app.seed_user(Role::Volunteer, Some(BA_DINH)).await;
        let neighbour = app.seed_user(Role::Volunteer, Some(NGOC_HA)).await;
        let ngoc_ha_sup = app.seed_user(Role::CommuneSupervisor, Some(NGOC_HA)).await;
        let team = team_with(
            app,
            &sup,
            BA_DINH,
            "Tổ 1",
            &[(&lead, "lead"), (&member, "member")],
        )
        .await;
        let other_team = team_with(app, &sup, BA_DINH, "Tổ 2", &[(&outsider, "member")]).await;
        let neighbour_team = team_with(
            app,
            &ngoc_ha_sup,
            NGOC_HA,
            "Tổ Ngọc Hà",
            &[(&neighbour, "lead")],
        )
        .await;
        Self {
            sup,
            province,
            far_province,
            lead,
            member,
            outsider,
            neighbour,
            team,
            other_team,
            neighbour_team,
        }
    }
}
