//! Campaign rules: checking a new campaign and a set of targets (every failing field listed
//! at once), storing them with their audit entries, and a campaign as shown with the counts
//! of its percentage targets taken from the current population figures of their units.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use diesel::Connection;
use uuid::Uuid;

use super::model::{Campaign, CampaignRow, NAME_MAX, TARGET_MAX, TARGETS_MAX, TargetRow};
use super::queries;
use crate::access::AuthUser;
use crate::db::{DbConn, DbError};
use crate::error::FieldError;
use crate::messages as msg;
use crate::population::PopulationBase;
use crate::stats::model::Metric;
use crate::units::UnitError;

/// Longest campaign, in days.
pub const DAYS_MAX: i64 = 366;

/// Why the campaign service refused a change or could not carry it out; the HTTP edge
/// (`campaigns::handlers`) decides what each means on the wire.
#[derive(Debug, thiserror::Error)]
pub enum CampaignError {
    /// Fields break the rules; every failing field is listed.
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// The campaign's unit is outside the caller's scope.
    #[error("the unit is outside the caller's scope")]
    UnitNotInScope,
    /// Only supervisors of the campaign's unit set its targets.
    #[error("not a supervisor of the campaign's unit")]
    NotATargetSetter,
    /// The database failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

crate::db::domain_error!(CampaignError);

impl From<UnitError> for CampaignError {
    fn from(e: UnitError) -> Self {
        match e {
            UnitError::NotInScope => Self::UnitNotInScope,
            UnitError::Database(e) => Self::Database(e),
        }
    }
}

/// A new campaign as sent.
#[derive(Debug, Clone)]
pub struct CampaignDraft {
    /// Name, trimmed before it is stored.
    pub name: String,
    /// The province or commune it covers.
    pub unit_code: String,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day (inclusive).
    pub ends_on: NaiveDate,
}

/// One target as sent: `metric` and `of` are `None` when what was sent is not one (the
/// edge has then put the reason in `refused`).
#[derive(Debug, Clone)]
pub struct TargetDraft {
    /// The campaign's unit or a unit under it.
    pub unit_code: String,
    /// What is counted.
    pub metric: Option<Metric>,
    /// A count to reach.
    pub target: Option<i64>,
    /// Or a share to reach, of `of`.
    pub percent: Option<f64>,
    /// The population figure `percent` is a share of.
    pub of: Option<PopulationBase>,
    /// Why parts of it could not be read at all.
    pub refused: Vec<FieldError>,
}

/// The errors of a new campaign's own fields (the unit's existence is looked up by the
/// caller): a name of 1–200 characters once trimmed, a last day not before the first and
/// fewer than [`DAYS_MAX`] days after it.
pub fn check_campaign(draft: &CampaignDraft, unit_known: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let name = draft.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        errors.push(FieldError::new("name", "length", msg::length(1, NAME_MAX)));
    }
    if !unit_known {
        errors.push(FieldError::new(
            "unit_code",
            "unknown_unit",
            msg::UNKNOWN_UNIT,
        ));
    }
    if draft.ends_on < draft.starts_on {
        errors.push(FieldError::new(
            "ends_on",
            "before_start",
            msg::BEFORE_START,
        ));
    } else if (draft.ends_on - draft.starts_on).num_days() >= DAYS_MAX {
        errors.push(FieldError::new(
            "ends_on",
            "too_long",
            msg::CAMPAIGN_TOO_LONG,
        ));
    }
    errors
}

/// The errors of the amount of target `i`: either a count in 0–[`TARGET_MAX`] (and no
/// `of`), or a share with `0 < percent ≤ 100` of a named figure; and whether the unit's
/// figures must then exist (a share of a figure the unit does not have counts nothing).
pub fn check_amount(i: usize, target: &TargetDraft) -> (Vec<FieldError>, bool) {
    let at = |f: &str| format!("[{i}].{f}");
    let mut errors = Vec::new();
    let mut needs_figures = false;
    match (target.target, target.percent) {
        (Some(count), None) if target.of.is_none() => {
            if !(0..=TARGET_MAX).contains(&count) {
                errors.push(FieldError::new(
                    at("target"),
                    "out_of_range",
                    msg::TARGET_RANGE,
                ));
            }
        }
        (None, Some(percent)) => {
            if !(percent > 0.0 && percent <= 100.0) {
                errors.push(FieldError::new(
                    at("percent"),
                    "out_of_range",
                    msg::PERCENT_RANGE,
                ));
            }
            match target.of {
                None => errors.push(FieldError::new(at("of"), "required", msg::REQUIRED)),
                // The register always has a count, 0 before the first household.
                Some(PopulationBase::RegisteredHouseholds) => {}
                Some(_) => needs_figures = true,
            }
        }
        _ => errors.push(FieldError::new(
            at("target"),
            "target_or_percent",
            msg::TARGET_OR_PERCENT,
        )),
    }
    (errors, needs_figures)
}

/// Creates a campaign for a unit in the caller's scope, with its audit entry. Field errors
/// come before the scope: a unit that does not exist is a field error.
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    draft: CampaignDraft,
) -> Result<Campaign, CampaignError> {
    let unit_known = crate::units::queries::find(conn, &draft.unit_code)?.is_some();
    let errors = check_campaign(&draft, unit_known);
    if !errors.is_empty() {
        return Err(CampaignError::Invalid(errors));
    }
    crate::units::require_in_scope(conn, &caller.scope, &draft.unit_code)?;
    let now = crate::clock::now();
    let row = CampaignRow {
        id: Uuid::new_v4().to_string(),
        name: draft.name.trim().to_owned(),
        unit_code: draft.unit_code,
        starts_on: draft.starts_on,
        ends_on: draft.ends_on,
        created_by: Some(caller.id.clone()),
        created_at: now,
        updated_at: now,
    };
    conn.transaction(|conn| {
        queries::insert(conn, &row)?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::AuditAction::CampaignCreate,
            (crate::audit::ObjectKind::Campaign, &row.id),
            Some(&row.unit_code),
            format!(
                "created campaign {:?} {}..{}",
                row.name, row.starts_on, row.ends_on
            ),
        )
    })?;
    Ok(Campaign::new(row, Vec::new(), &HashMap::new()))
}

/// Replaces the targets of `campaign` (which the caller may read), with its audit entry:
/// supervisors of the campaign's unit only; each target for the campaign's unit, a unit
/// under it or a current hamlet under those, one per unit and metric; every failing field
/// listed.
pub fn set_targets(
    conn: &mut DbConn,
    caller: &AuthUser,
    campaign: &Campaign,
    drafts: Vec<TargetDraft>,
) -> Result<(), CampaignError> {
    if !caller.role.is_supervisor()
        || !crate::units::in_scope(conn, &caller.scope, &campaign.unit_code)?
    {
        return Err(CampaignError::NotATargetSetter);
    }
    if drafts.len() > TARGETS_MAX {
        return Err(CampaignError::Invalid(vec![FieldError::new(
            "body",
            "too_many",
            msg::too_many_targets(TARGETS_MAX),
        )]));
    }
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    let mut rows = Vec::with_capacity(drafts.len());
    for (i, t) in drafts.into_iter().enumerate() {
        let inside = match crate::units::queries::find(conn, &t.unit_code)? {
            Some(u) => {
                u.code == campaign.unit_code
                    || u.parent_code.as_deref() == Some(campaign.unit_code.as_str())
            }
            // A current hamlet of the campaign's commune, or of a commune of its province.
            None => match crate::units::hamlets::queries::find(conn, &t.unit_code)? {
                Some(h) if h.valid_to.is_none() => {
                    h.commune_code == campaign.unit_code
                        || crate::units::queries::find(conn, &h.commune_code)?
                            .is_some_and(|c| c.parent_code.as_ref() == Some(&campaign.unit_code))
                }
                _ => false,
            },
        };
        if !inside {
            errors.push(FieldError::new(
                format!("[{i}].unit_code"),
                "outside_campaign",
                msg::OUTSIDE_CAMPAIGN,
            ));
        }
        let (amount, needs_figures) = check_amount(i, &t);
        errors.extend(t.refused);
        errors.extend(amount);
        if needs_figures && crate::population::service::effective(conn, &t.unit_code)?.is_none() {
            errors.push(FieldError::new(
                format!("[{i}]"),
                "population_missing",
                msg::POPULATION_MISSING,
            ));
        }
        let Some(metric) = t.metric else {
            continue;
        };
        if !seen.insert((t.unit_code.clone(), metric)) {
            errors.push(FieldError::new(
                format!("[{i}].metric"),
                "duplicate",
                msg::TARGET_TWICE,
            ));
        }
        rows.push(TargetRow {
            campaign_id: campaign.id.clone(),
            unit_code: t.unit_code,
            metric,
            target: t.target.unwrap_or(0),
            percent: t.percent,
            of_base: t.of,
        });
    }
    if !errors.is_empty() {
        return Err(CampaignError::Invalid(errors));
    }
    conn.transaction(|conn| {
        queries::replace_targets(conn, &campaign.id, &rows, crate::clock::now())?;
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::AuditAction::CampaignTargets,
            (crate::audit::ObjectKind::Campaign, &campaign.id),
            Some(&campaign.unit_code),
            format!("set {} targets", rows.len()),
        )
    })?;
    Ok(())
}

/// The campaign of `row` with its targets, percentage targets counted from the figures
/// their units go by now.
pub fn with_targets(conn: &mut DbConn, row: CampaignRow) -> diesel::QueryResult<Campaign> {
    let targets = queries::targets(conn, &row.id)?;
    let mut units: Vec<&str> = targets
        .iter()
        .filter(|t| t.percent.is_some())
        .map(|t| t.unit_code.as_str())
        .collect();
    units.sort_unstable();
    units.dedup();
    let mut figures: HashMap<String, i64> = HashMap::new();
    if !units.is_empty() {
        let census = crate::population::service::effective_many(conn, &units)?;
        let registered: Vec<String> = targets
            .iter()
            .filter(|t| t.of_base == Some(PopulationBase::RegisteredHouseholds))
            .map(|t| t.unit_code.clone())
            .collect();
        let counted = crate::households::figures::registered(conn, &registered)?;
        for t in &targets {
            let n = match t.of_base {
                Some(PopulationBase::RegisteredHouseholds) => counted.get(&t.unit_code).copied(),
                Some(base) => census.get(&t.unit_code).and_then(|p| p.of(base)),
                None => None,
            };
            if let (Some(base), Some(n)) = (t.of_base, n) {
                figures.insert(format!("{}|{base}", t.unit_code), n);
            }
        }
    }
    Ok(Campaign::new(row, targets, &figures))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn campaign(name: &str, starts_on: &str, ends_on: &str) -> CampaignDraft {
        CampaignDraft {
            name: name.into(),
            unit_code: "01".into(),
            starts_on: day(starts_on),
            ends_on: day(ends_on),
        }
    }

    fn target(count: Option<i64>, percent: Option<f64>, of: Option<PopulationBase>) -> TargetDraft {
        TargetDraft {
            unit_code: "00004".into(),
            metric: Some(Metric::Visits),
            target: count,
            percent,
            of,
            refused: Vec::new(),
        }
    }

    fn codes(errors: &[FieldError]) -> Vec<(&str, &str)> {
        errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect()
    }

    #[test]
    fn a_campaign_needs_a_name_a_known_unit_and_at_most_366_days() {
        let fine = campaign(
            "  100 ngày bình dân học vụ số  ",
            "2026-03-01",
            "2026-06-08",
        );
        assert!(check_campaign(&fine, true).is_empty());
        let longest = campaign(&"a".repeat(NAME_MAX), "2026-01-01", "2026-12-31");
        assert!(check_campaign(&longest, true).is_empty());
        let one_day = campaign("Ngày hội", "2026-05-01", "2026-05-01");
        assert!(check_campaign(&one_day, true).is_empty());
        assert_eq!(
            codes(&check_campaign(
                &campaign("   ", "2026-03-01", "2026-03-02"),
                true
            )),
            [("name", "length")]
        );
        let too_long_name = campaign(&"a".repeat(NAME_MAX + 1), "2026-03-01", "2026-03-02");
        assert_eq!(
            codes(&check_campaign(&too_long_name, true)),
            [("name", "length")]
        );
        assert_eq!(
            codes(&check_campaign(
                &campaign("x", "2026-03-02", "2026-03-01"),
                false
            )),
            [("unit_code", "unknown_unit"), ("ends_on", "before_start")]
        );
        assert!(check_campaign(&campaign("x", "2026-01-01", "2027-01-01"), true).is_empty());
        assert_eq!(
            codes(&check_campaign(
                &campaign("x", "2026-01-01", "2027-01-02"),
                true
            )),
            [("ends_on", "too_long")]
        );
    }

    #[test]
    fn a_target_is_a_count_in_range_or_a_share_of_a_named_figure() {
        for fine in [0, 1, TARGET_MAX] {
            assert_eq!(
                check_amount(0, &target(Some(fine), None, None)),
                (Vec::new(), false)
            );
        }
        for bad in [-1, TARGET_MAX + 1] {
            let (errors, _) = check_amount(2, &target(Some(bad), None, None));
            assert_eq!(codes(&errors), [("[2].target", "out_of_range")]);
        }
        let share = target(None, Some(100.0), Some(PopulationBase::Adults));
        assert_eq!(check_amount(0, &share), (Vec::new(), true));
        for bad in [0.0, -5.0, 100.5, f64::NAN] {
            let (errors, needs) = check_amount(
                1,
                &target(None, Some(bad), Some(PopulationBase::Households)),
            );
            assert_eq!(codes(&errors), [("[1].percent", "out_of_range")]);
            assert!(
                needs,
                "the figures are looked up all the same, so every error is listed"
            );
        }
        let (errors, needs) = check_amount(5, &target(None, Some(40.0), None));
        assert_eq!(
            (codes(&errors), needs),
            (vec![("[5].of", "required")], false)
        );
        for neither_or_both in [
            target(None, None, None),
            target(Some(5), Some(10.0), Some(PopulationBase::Adults)),
            target(Some(5), None, Some(PopulationBase::Adults)),
        ] {
            let (errors, _) = check_amount(4, &neither_or_both);
            assert_eq!(codes(&errors), [("[4].target", "target_or_percent")]);
        }
    }
}
