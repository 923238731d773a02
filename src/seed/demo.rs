//! `gocua seed-demo`: a small, believable province to try every endpoint on (the README's
//! walkthrough runs against it): Hà Nội with three wards and their population figures, two
//! teams of three volunteers each, supervisors, a 100-day campaign with the targets of Buôn
//! Ma Thuột ward's (70% of adults guided, 40% of adults certified, 200 signatures), and 30
//! days of records with the same daily rhythm, follow-ups, duplicate flags and rejections as
//! the benchmark data. Each ward has six residential groups, two of which were merged 15
//! days ago (a rearrangement in the past), and each team works in three of them.

use anyhow::bail;
use chrono::{NaiveDate, TimeDelta};
use diesel::prelude::*;

use super::bench::{Commune, day_table, generate, user_row};
use crate::access::Role;
use crate::campaigns::model::{CampaignRow, TargetRow};
use crate::config::Secret;
use crate::db::DbConn;
use crate::population::model::{PopulationBase, PopulationRow};
use crate::records::model::RecordRow;
use crate::schema::{team_members, teams, units, users};
use crate::stats::model::Metric;
use crate::teams::model::{MemberRole, MemberRow, TeamRow};
use crate::units::UnitKind;
use crate::units::hamlets::model::LineageRow;

/// The wards' figures, in the order of their codes: (residents, adults, aged 15 and over,
/// households), a small ward each, so that a month of two teams' work shows on the bars.
const WARD_FIGURES: [(i64, i64, i64, i64); 3] = [
    (4_900, 3_400, 3_750, 1_350),
    (6_200, 4_350, 4_800, 1_720),
    (3_800, 2_650, 2_900, 1_040),
];
/// The reference year of the demo figures.
const FIGURES_YEAR: i32 = 2025;

/// The password of every demo user (a demo database only).
pub const PASSWORD: &str = "gocua-demo-2026";
/// The demo province (Hà Nội).
pub const PROVINCE: &str = "01";

/// Who can log in, for the printout: (phone, role, what they see).
pub type Login = (String, &'static str, String);

/// Fills a database that has no users yet; returns the logins and the number of records.
pub fn seed(
    conn: &mut DbConn,
    key: &Secret,
    today: NaiveDate,
) -> anyhow::Result<(Vec<Login>, usize)> {
    let existing: i64 = users::table.count().get_result(conn)?;
    if existing > 0 {
        bail!("the database already has users; seed the demo into a fresh one");
    }
    let hash = crate::access::password::hash(PASSWORD)?;
    let now = crate::clock::now();
    let communes: Vec<(String, String)> = units::table
        .filter(units::parent_code.eq(PROVINCE))
        .order(units::code)
        .select((units::code, units::name))
        .limit(3)
        .load(conn)?;
    let mut people = vec![
        user_row(
            "+84900000001".into(),
            "Quản trị hệ thống".into(),
            Role::Admin,
            None,
            &hash,
        ),
        user_row(
            "+84900000002".into(),
            "Nguyễn Thị Hạnh".into(),
            Role::ProvinceSupervisor,
            Some(PROVINCE.into()),
            &hash,
        ),
    ];
    let mut logins: Vec<Login> = vec![
        ("0900000001".into(), "admin", "everything".into()),
        (
            "0900000002".into(),
            "province_supervisor",
            "Thành phố Hà Nội".into(),
        ),
    ];
    let (mut team_rows, mut members, mut places) = (Vec::new(), Vec::new(), Vec::new());
    let (mut rearrangements, mut lineage, mut team_hamlets) = (Vec::new(), Vec::new(), Vec::new());
    let mut reviewers = std::collections::HashMap::new();
    let names = [
        "Trần Văn",
        "Lê Thị",
        "Phạm Minh",
        "Hoàng Thu",
        "Vũ Đức",
        "Đặng Ngọc",
    ];
    for (c, (code, name)) in communes.iter().enumerate() {
        let c = c + 1;
        let supervisor = user_row(
            format!("+8490000001{c}"),
            format!("Giám sát {name}"),
            Role::CommuneSupervisor,
            Some(code.clone()),
            &hash,
        );
        reviewers.insert(code.clone(), supervisor.id.clone());
        people.push(supervisor);
        logins.push((format!("090000001{c}"), "commune_supervisor", name.clone()));
        let mut teams_here = Vec::new();
        for t in 1..=2 {
            let team_id = uuid::Uuid::new_v4().to_string();
            team_rows.push(TeamRow {
                id: team_id.clone(),
                commune_code: code.clone(),
                name: format!("Tổ công nghệ số cộng đồng số {t}"),
                area: Some(format!("Tổ dân phố {}–{}", t * 5 - 4, t * 5)),
                active: true,
                created_by: None,
                created_at: now,
                updated_at: now,
            });
            let mut volunteers = Vec::new();
            for v in 1..=3 {
                let person = user_row(
                    format!("+84900001{c}{t}{v}"),
                    format!(
                        "{} {}",
                        names[(c + t + v) % names.len()],
                        ["An", "Bình", "Chi"][v - 1]
                    ),
                    Role::Volunteer,
                    Some(code.clone()),
                    &hash,
                );
                if t == 1 {
                    logins.push((
                        format!("0900001{c}{t}{v}"),
                        "volunteer",
                        format!("Tổ {t}, {name}"),
                    ));
                }
                members.push(MemberRow {
                    team_id: team_id.clone(),
                    user_id: person.id.clone(),
                    role: if v == 1 {
                        MemberRole::Lead
                    } else {
                        MemberRole::Member
                    },
                    added_by: None,
                    added_at: now,
                });
                volunteers.push(person.id.clone());
                people.push(person);
            }
            teams_here.push((team_id, volunteers));
        }
        let mut hamlets = super::hamlets::numbered(code, "Tổ dân phố", UnitKind::ToDanPho, 6, now);
        for (t, (team_id, _)) in teams_here.iter().enumerate() {
            for h in &hamlets[t * 3..t * 3 + 3] {
                team_hamlets.push((team_id.clone(), h.code.clone()));
            }
        }
        if let Some((done, edges)) =
            super::hamlets::merge_last_two(&mut hamlets, today - TimeDelta::days(15), now)
        {
            // The second team worked in the two merged groups: it now works in the new one.
            team_hamlets.retain(|(_, h)| !edges.iter().any(|e| &e.from_code == h));
            if let Some((team, _)) = teams_here.get(1) {
                team_hamlets.push((team.clone(), edges[0].to_code.clone()));
            }
            rearrangements.push(done);
            lineage.extend(edges);
        }
        places.push(Commune {
            code: code.clone(),
            teams: teams_here,
            lat: 21.03 + 0.01 * c as f64,
            lon: 105.83 + 0.01 * c as f64,
            hamlets,
        });
    }
    let mut rng = fastrand::Rng::with_seed(2026);
    let days = day_table(30, today);
    let mut rows: Vec<RecordRow> = Vec::new();
    for place in &places {
        generate(&mut rng, key, place, 30 * 36, &days, &mut rows);
    }
    // Each residential group's doors, registered by its ward's supervisor over a fortnight.
    let (mut households, mut versions) = (Vec::new(), Vec::new());
    for place in &places {
        let by = reviewers.get(&place.code).cloned().unwrap_or_default();
        let (h, v) = super::households::generate(&mut rng, &place.hamlets, 24, 14, &by, now);
        households.extend(h);
        versions.extend(v);
    }
    super::households::name_visits(&mut rng, &mut rows, &households);
    // Reviews in the demo are the ward supervisor's, as they would be.
    for row in rows.iter_mut().filter(|r| r.reviewed_by.is_some()) {
        row.reviewed_by = reviewers.get(&row.commune_code).cloned();
    }
    let campaign = CampaignRow {
        id: uuid::Uuid::new_v4().to_string(),
        name: "Chiến dịch 100 ngày Bình dân học vụ số".into(),
        unit_code: PROVINCE.into(),
        starts_on: today - TimeDelta::days(29),
        ends_on: today + TimeDelta::days(70),
        created_by: None,
        created_at: now,
        updated_at: now,
    };
    let population: Vec<PopulationRow> = communes
        .iter()
        .zip(WARD_FIGURES)
        .map(
            |((code, _), (residents, adults, aged_15_plus, households))| PopulationRow {
                unit_code: code.clone(),
                year: FIGURES_YEAR,
                residents,
                adults,
                aged_15_plus,
                households,
                updated_at: now,
                updated_by: None,
            },
        )
        .collect();
    let targets = demo_targets(&campaign.id, &communes);
    let count = rows.len();
    let hamlet_rows: Vec<_> = places.iter().flat_map(|p| p.hamlets.clone()).collect();
    conn.transaction(|conn| {
        insert_all!(conn, users::table, people, 13);
        insert_all!(conn, teams::table, team_rows, 8);
        insert_all!(conn, team_members::table, members, 5);
        insert_all!(conn, crate::schema::hamlets::table, hamlet_rows, 11);
        for r in &rearrangements {
            let edges: Vec<_> = lineage
                .iter()
                .filter(|e: &&LineageRow| e.rearrangement_id == r.id)
                .cloned()
                .collect();
            crate::units::hamlets::queries::insert_rearrangement(conn, r, &edges)?;
        }
        for team in &team_rows {
            let mut codes: Vec<String> = team_hamlets
                .iter()
                .filter(|(t, _)| *t == team.id)
                .map(|(_, h)| h.clone())
                .collect();
            codes.sort();
            crate::units::hamlets::queries::set_team_hamlets(conn, &team.id, &codes)?;
        }
        insert_all!(conn, crate::schema::households::table, households, 21);
        insert_all!(conn, crate::schema::household_versions::table, versions, 9);
        insert_all!(conn, crate::schema::records::table, rows, 46);
        let changes: Vec<_> = rows.iter().map(|r| (None, Some(r))).collect();
        crate::records::tally::apply(conn, &changes)?;
        let codes: Vec<String> = places.iter().map(|p| p.code.clone()).collect();
        crate::households::tally::rebuild(conn, &codes)?;
        crate::population::queries::upsert_population(conn, &population)?;
        crate::campaigns::queries::insert(conn, &campaign)?;
        crate::campaigns::queries::replace_targets(conn, &campaign.id, &targets, now)
    })?;
    Ok((logins, count))
}

/// The campaign's targets: in each ward Buôn Ma Thuột's three (70% of adults guided, 40% of
/// adults certified, 200 signatures from people aged 15 and over); in the province the same
/// shares of its wards' summed figures, their signatures, and two counts of effort.
fn demo_targets(campaign: &str, communes: &[(String, String)]) -> Vec<TargetRow> {
    let share = |unit: &str, metric: Metric, percent: f64| TargetRow {
        campaign_id: campaign.to_owned(),
        unit_code: unit.to_owned(),
        metric,
        target: 0,
        percent: Some(percent),
        of_base: Some(PopulationBase::Adults),
    };
    let count = |unit: &str, metric: Metric, n: i64| TargetRow {
        campaign_id: campaign.to_owned(),
        unit_code: unit.to_owned(),
        metric,
        target: n,
        percent: None,
        of_base: None,
    };
    let mut targets = Vec::new();
    let wards = communes.iter().map(|(code, _)| code.as_str());
    for unit in std::iter::once(PROVINCE).chain(wards) {
        targets.push(share(unit, Metric::PeopleGuided, 70.0));
        targets.push(share(unit, Metric::DigitalSkillsCertified, 40.0));
        let signatures = if unit == PROVINCE {
            200 * communes.len() as i64
        } else {
            200
        };
        targets.push(count(unit, Metric::SignaturesSubmitted, signatures));
    }
    targets.push(count(PROVINCE, Metric::Visits, 6_000));
    targets.push(count(PROVINCE, Metric::ActiveVolunteers, 18));
    targets
}
