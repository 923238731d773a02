//! A team as the access checks know it, and the memberships read a moment ago: what every
//! record create checks, kept here so that the shared state holds the cache without
//! knowing the teams domain.

/// A team as a create needs it: which it is, where it works, whether it takes records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    /// UUID.
    pub id: String,
    /// The commune the team works in.
    pub commune_code: String,
    /// `false` once deactivated.
    pub active: bool,
}

/// Teams and whether a user is in them, as read a moment ago, by `(team, user)`.
/// Membership and team changes made through this node clear it at once; see
/// [`crate::recent`] for other nodes.
pub type Memberships = crate::recent::Recent<(String, String), Option<(Team, bool)>>;
