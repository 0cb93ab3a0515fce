//! The read view the SIP side asks on every call, rebuilt after each inventory change and
//! shared without locks: "is this dialled number owned by a suspended operator?" and "which
//! user has this number?".

use super::e164;
use super::inventory::NumberInventory;
use std::collections::{HashMap, HashSet};

/// Numbers of suspended operators and the owners of assigned numbers, by E.164 form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NumberRoutes {
    suspended: HashSet<String>,
    owners: HashMap<String, String>,
}

impl NumberRoutes {
    pub(super) fn build(inventory: &NumberInventory) -> NumberRoutes {
        let mut routes = NumberRoutes::default();
        for record in inventory.numbers() {
            if inventory.is_suspended(&record.number) {
                routes.suspended.insert(record.number.clone());
            }
            if let Some(user) = &record.user {
                routes.owners.insert(record.number.clone(), user.clone());
            }
        }
        routes
    }

    /// Whether `dialled` (E.164 in any usual spelling, a `tel:` or `sip:` URI) belongs to a
    /// suspended operator: SIP answers such a call `480 Temporarily Unavailable`.
    pub fn is_suspended(&self, dialled: &str) -> bool {
        e164::canonical(dialled).is_some_and(|n| self.suspended.contains(&n))
    }

    /// The user `dialled` is assigned to, if any.
    pub fn user_for(&self, dialled: &str) -> Option<&str> {
        let n = e164::canonical(dialled)?;
        self.owners.get(&n).map(String::as_str)
    }
}
