//! Roles, their order, and the scope (a unit and everything under it) each one sees.

crate::text::text_enum! {
    /// A user's role; the order of the variants is the order of authority.
    Role {
        /// Logs records for their teams.
        Volunteer => "volunteer",
        /// Manages one commune.
        CommuneSupervisor => "commune_supervisor",
        /// Manages one province.
        ProvinceSupervisor => "province_supervisor",
        /// National; created from the command line.
        Admin => "admin",
    }
}

impl Role {
    /// Supervisors and admins manage users and review records; volunteers do not.
    pub fn is_supervisor(self) -> bool {
        self >= Self::CommuneSupervisor
    }
}

/// The units a caller may see: everything, one province with its communes, or one commune.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Admins.
    National,
    /// A province and its communes.
    Province(String),
    /// One commune.
    Commune(String),
}

impl Scope {
    /// Scope of a role at a unit.
    pub fn of(role: Role, unit_code: Option<&str>) -> Self {
        match (role, unit_code) {
            (Role::ProvinceSupervisor, Some(u)) => Self::Province(u.to_owned()),
            (Role::CommuneSupervisor | Role::Volunteer, Some(u)) => Self::Commune(u.to_owned()),
            _ => Self::National,
        }
    }

    /// Whether a unit (given with its parent) lies in this scope; `None` is the national
    /// level, which only the national scope contains.
    pub fn contains(&self, unit_code: Option<&str>, parent_code: Option<&str>) -> bool {
        match self {
            Self::National => true,
            Self::Province(p) => {
                unit_code == Some(p.as_str())
                    || (unit_code.is_some() && parent_code == Some(p.as_str()))
            }
            Self::Commune(c) => unit_code == Some(c.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_by_authority() {
        assert!(Role::Admin > Role::ProvinceSupervisor);
        assert!(Role::ProvinceSupervisor > Role::CommuneSupervisor);
        assert!(Role::CommuneSupervisor > Role::Volunteer);
    }

    #[test]
    fn province_scope_holds_its_communes_only() {
        let s = Scope::Province("01".into());
        assert!(s.contains(Some("01"), None));
        assert!(s.contains(Some("00004"), Some("01")));
        assert!(!s.contains(Some("00004"), Some("79")));
        assert!(!s.contains(None, None));
    }
}
