//! What clients send for each kind, and the validation that turns it into a [`Draft`]: the
//! normalised content of a record, ready to store and to compare for idempotency. One file
//! per concern: the bounds, the create bodies, the kind-neutral submission, the rules, and
//! the changes.

mod limits;
mod patch;
mod submission;
mod validate;
mod wire;

pub use limits::*;
pub use patch::{AssistPatch, Patch, SignaturePatch, TrainingSessionPatch, VisitPatch};
pub use submission::{
    Citizen, CommonFields, KindFields, Submission, from_row, record_id, stored_list,
};
pub use validate::{Context, Draft};
pub use wire::{AssistInput, SignatureInput, TrainingSessionInput, VisitInput};
