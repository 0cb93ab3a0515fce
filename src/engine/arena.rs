//! A generational arena for the engine's calls: O(1) access by key, and a key to a call
//! that has ended never reaches the call that later reuses its slot.

/// A key to a call record; stale once the call is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallKey {
    index: u32,
    generation: u32,
}

impl CallKey {
    /// A key for unit tests of tables that only store keys.
    #[cfg(test)]
    pub fn for_tests(index: u32) -> CallKey {
        CallKey {
            index,
            generation: 0,
        }
    }
}

#[derive(Debug)]
struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// Records addressed by [`CallKey`].
#[derive(Debug)]
pub struct Arena<T> {
    slots: Vec<Slot<T>>,
    vacant: Vec<u32>,
}

impl<T> Default for Arena<T> {
    fn default() -> Self {
        Arena {
            slots: Vec::new(),
            vacant: Vec::new(),
        }
    }
}

impl<T> Arena<T> {
    /// Stores `value`, returning its key.
    pub fn insert(&mut self, value: T) -> CallKey {
        if let Some(index) = self.vacant.pop() {
            let slot = &mut self.slots[index as usize];
            slot.generation = slot.generation.wrapping_add(1);
            slot.value = Some(value);
            return CallKey {
                index,
                generation: slot.generation,
            };
        }
        let index = u32::try_from(self.slots.len()).unwrap_or(u32::MAX);
        self.slots.push(Slot {
            generation: 0,
            value: Some(value),
        });
        CallKey {
            index,
            generation: 0,
        }
    }

    /// The record under `key`, unless it was removed.
    pub fn get(&self, key: CallKey) -> Option<&T> {
        let slot = self.slots.get(key.index as usize)?;
        if slot.generation == key.generation {
            slot.value.as_ref()
        } else {
            None
        }
    }

    /// The record under `key`, mutably.
    pub fn get_mut(&mut self, key: CallKey) -> Option<&mut T> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation == key.generation {
            slot.value.as_mut()
        } else {
            None
        }
    }

    /// Removes and returns the record under `key`.
    pub fn remove(&mut self, key: CallKey) -> Option<T> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let value = slot.value.take()?;
        self.vacant.push(key.index);
        Some(value)
    }

    /// Every record with its key.
    pub fn iter(&self) -> impl Iterator<Item = (CallKey, &T)> {
        self.slots.iter().enumerate().filter_map(|(index, slot)| {
            slot.value.as_ref().map(|value| {
                (
                    CallKey {
                        index: index as u32,
                        generation: slot.generation,
                    },
                    value,
                )
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stale_key_does_not_reach_the_slots_next_tenant() {
        let mut arena = Arena::default();
        let first = arena.insert("first");
        assert_eq!(arena.remove(first), Some("first"));
        let second = arena.insert("second");
        assert_eq!(arena.get(first), None);
        assert_eq!(arena.get(second), Some(&"second"));
        assert_eq!(arena.iter().count(), 1);
    }
}
