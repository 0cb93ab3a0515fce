//! Plausible outside callers for the demo: names and numbers from ranges set aside for
//! drama and documentation, so a demo never shows someone's real number.

use crate::engine::switch::Party;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

const FIRST_NAMES: [&str; 32] = [
    "Ada", "Amelia", "Arjun", "Beatriz", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Grace",
    "Hugo", "Ingrid", "Jamal", "Keiko", "Liam", "Lucia", "Mateo", "Mei", "Nadia", "Noah", "Olga",
    "Priya", "Quentin", "Rosa", "Samir", "Sofia", "Tomasz", "Ursula", "Viktor", "Wen", "Yara",
    "Zoe",
];

const LAST_NAMES: [&str; 32] = [
    "Abara",
    "Becker",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Hansen",
    "Ito",
    "Jensen",
    "Kowalski",
    "Laurent",
    "Mensah",
    "Nakamura",
    "O'Neill",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Ueda",
    "Varga",
    "Walsh",
    "Xu",
    "Yilmaz",
    "Zimmermann",
    "Brennan",
    "Costa",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Novak",
];

const COMPANIES: [&str; 8] = [
    "Northwind Traders",
    "Contoso Logistics",
    "Fabrikam Parts",
    "Tailspin Freight",
    "Alpine Ski House",
    "Blue Yonder Air",
    "Litware Ltd",
    "Wingtip Toys",
];

/// Number plans: a fixed prefix and how many free digits follow it.
/// UK Ofcom drama ranges +44 20 7946 0xxx and +44 1632 960xxx, North American 555-01xx, Berlin, the French
/// ARCEP fiction range 01 99 00 xx xx, and the Australian drama mobile range 0491 570 xxx.
const NUMBER_PLANS: [(&str, u32); 8] = [
    ("+442079460", 3),
    ("+120255501", 2),
    ("+131255501", 2),
    ("+141555501", 2),
    ("+4930901820", 2),
    ("+3319900", 4),
    ("+61491570", 3),
    ("+441632960", 3),
];

/// A random caller: mostly a person, sometimes a company, sometimes a number alone.
pub(crate) fn random_caller(rng: &mut ChaCha8Rng) -> Party {
    let number = random_number(rng);
    let name = match rng.random_range(0..10u32) {
        0 => String::new(),
        1 => (*pick(rng, &COMPANIES)).to_owned(),
        _ => format!("{} {}", pick(rng, &FIRST_NAMES), pick(rng, &LAST_NAMES)),
    };
    Party { number, name }
}

/// A random E.164 number from one of the drama ranges.
pub(crate) fn random_number(rng: &mut ChaCha8Rng) -> String {
    let (prefix, digits) = *pick(rng, &NUMBER_PLANS);
    let mut number = String::from(prefix);
    for _ in 0..digits {
        let digit = rng.random_range(0..10u32);
        number.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
    number
}

/// One element of a non-empty list.
fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    // Every list here is a non-empty constant, so the index is always in bounds.
    &items[rng.random_range(0..items.len())]
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn every_number_is_e164_plus_and_digits_only() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for _ in 0..500 {
            let number = random_number(&mut rng);
            assert!(number.starts_with('+'), "{number}");
            assert!(number[1..].chars().all(|c| c.is_ascii_digit()), "{number}");
            assert!((11..=15).contains(&(number.len() - 1)), "{number}");
        }
    }

    #[test]
    fn callers_vary_and_repeat_with_the_seed() {
        let mut a = ChaCha8Rng::seed_from_u64(3);
        let mut b = ChaCha8Rng::seed_from_u64(3);
        let first: Vec<Party> = (0..50).map(|_| random_caller(&mut a)).collect();
        let again: Vec<Party> = (0..50).map(|_| random_caller(&mut b)).collect();
        assert_eq!(first, again);
        let names: std::collections::BTreeSet<&str> =
            first.iter().map(|p| p.name.as_str()).collect();
        assert!(names.len() > 20, "only {} distinct names", names.len());
    }
}
