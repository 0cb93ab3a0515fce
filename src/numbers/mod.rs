//! Phone numbers, operators and emergency addresses (Operator Connect): a sans-IO domain,
//! pure and property-tested, that the server drives and the store keeps.
//!
//! The map:
//! - the values: [`e164`] (numbers as typed → `+14255550100`), [`country`] (ISO 3166-1
//!   alpha-2), [`operator`], [`number`], [`address`] (civic addresses), [`migration`] (the
//!   move between sources as a state machine);
//! - the aggregate: [`inventory`] holds them all; its rules live in `operators` (enable,
//!   suspend, remove), `assignment` (assign, unassign, release, migrate), `import` (the
//!   operator's CSV file, via [`csv`]), `emergency` (addresses under the operator's mode)
//!   and [`query`] (filter and page);
//! - the read view for SIP: [`routes`].
//!
//! A refused change changes nothing and says why with a [`NumbersError`].

pub mod address;
pub mod country;
pub mod csv;
pub mod e164;
pub mod error;
pub mod inventory;
pub mod migration;
pub mod number;
pub mod operator;
pub mod query;
pub mod routes;

mod assignment;
mod emergency;
mod import;
mod operators;

pub use address::CivicAddress;
pub use assignment::MigrateArgs;
pub use e164::{E164Error, PhoneNumber};
pub use error::{NumbersError, RowError};
pub use import::ImportReport;
pub use inventory::{Change, NumberInventory, UserChange};
pub use migration::{Migration, Stage, Step};
pub use number::{Capability, NumberRecord, NumberState, SetBy, Source};
pub use operator::{AddressMode, CompanySize, Contact, Operator, OperatorState};
pub use operators::{OperatorArgs, Removed};
pub use query::{NumberQuery, Page};
pub use routes::NumberRoutes;
