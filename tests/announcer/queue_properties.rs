//! Properties: the station's queue always plays the highest priority first (earliest among
//! equals), never a removed or repeated one; any speakable code composes into a clip whose
//! segments cover it exactly, ends in the code's digits and never clips.

use parkdesk::announcer::pack::code_words;
use parkdesk::announcer::station::Queue;
use parkdesk::announcer::template::{DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_WITHOUT_NAME, Template};
use parkdesk::announcer::{Composer, Request, Say, SoundPack};
use parkdesk::engine::objects::AnnouncementState;
use parkdesk::protocol::{Announcement, Timestamp};
use proptest::prelude::*;
use std::sync::OnceLock;

#[allow(clippy::disallowed_methods)] // the queue stores when it heard; any instant will do
fn heard() -> std::time::Instant {
    std::time::Instant::now()
}

fn announcement(id: u32, priority: i32) -> Announcement {
    Announcement {
        announcement: format!("a-{id}"),
        code: Some("705".into()),
        for_note: None,
        text: "Call on park seven zero five".into(),
        zone: "default".into(),
        priority,
        repeat: 1,
        state: AnnouncementState::Queued,
        reason: None,
        queued_at: Timestamp::from_unix_millis(0),
    }
}

#[derive(Debug, Clone)]
enum Step {
    Offer(u32, i32),
    Remove(u32),
    Take,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0..12_u32, -2..3_i32).prop_map(|(id, p)| Step::Offer(id, p)),
        (0..12_u32).prop_map(Step::Remove),
        Just(Step::Take),
    ]
}

proptest! {
    #[test]
    fn the_queue_plays_highest_priority_first_then_in_arrival_order(
        steps in proptest::collection::vec(step(), 1..60)
    ) {
        let mut queue = Queue::default();
        // The model: (id, priority, arrival) still waiting.
        let mut model: Vec<(u32, i32, usize)> = Vec::new();
        for (arrival, s) in steps.into_iter().enumerate() {
            match s {
                Step::Offer(id, p) => {
                    let added = queue.offer(announcement(id, p), heard());
                    let waiting = model.iter().any(|(m, _, _)| *m == id);
                    prop_assert_eq!(added, !waiting);
                    if !waiting {
                        model.push((id, p, arrival));
                    }
                }
                Step::Remove(id) => {
                    let removed = queue.remove(&format!("a-{id}"));
                    let before = model.len();
                    model.retain(|(m, _, _)| *m != id);
                    prop_assert_eq!(removed, model.len() != before);
                }
                Step::Take => {
                    let expected = model
                        .iter()
                        .min_by_key(|(_, p, arrival)| (-p, *arrival))
                        .copied();
                    let got = queue.take_next();
                    match expected {
                        None => prop_assert!(got.is_none()),
                        Some((id, p, _)) => {
                            let got = got.expect("something waits");
                            prop_assert_eq!(&got.announcement.announcement, &format!("a-{id}"));
                            prop_assert_eq!(got.announcement.priority, p);
                            model.retain(|(m, _, _)| *m != id);
                        }
                    }
                }
            }
            prop_assert_eq!(queue.len(), model.len());
        }
    }
}

fn composer() -> &'static Composer {
    static COMPOSER: OnceLock<Composer> = OnceLock::new();
    COMPOSER.get_or_init(|| {
        Composer::new(
            SoundPack::builtin("default", "en").expect("pack"),
            Template::for_park(DEFAULT_TEMPLATE).expect("template"),
            Template::for_park_without_name(DEFAULT_TEMPLATE_WITHOUT_NAME).expect("template"),
            "no voice in this test",
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_speakable_code_composes_into_a_whole_unclipped_clip_ending_in_its_digits(
        code in "[*#]?[0-9]{1,5}",
        name in proptest::option::of("[A-Za-z ]{0,12}"),
        repeat in 1..=5_u8,
    ) {
        let r = composer()
            .render(&Request {
                say: Say::Park { code: code.clone(), name: name.clone() },
                repeat,
            })
            .expect("a speakable code renders");
        let mut at = 0;
        for s in &r.segments {
            prop_assert_eq!(s.start, at);
            at += s.len;
        }
        prop_assert_eq!(at, r.audio.len());
        prop_assert!(r.audio.peak() <= 0.99);
        let words = code_words(&code).expect("speakable");
        let outline = r.outline();
        prop_assert!(outline.ends_with(
            &words.iter().map(|w| w.to_string()).collect::<Vec<_>>()
        ));
        prop_assert_eq!(outline.iter().filter(|w| *w == "park").count(), usize::from(repeat));
        let named = name.as_deref().is_some_and(|n| !n.trim().is_empty());
        prop_assert_eq!(r.notes.len(), usize::from(named), "a note only when a name was left out");
    }

    #[test]
    fn a_code_with_anything_but_digits_star_and_hash_is_refused_not_panicked_on(
        code in "[0-9]{0,3}[a-zA-Z+.x-]{1,3}[0-9]{0,3}",
    ) {
        let r = composer().render(&Request {
            say: Say::Park { code: code.clone(), name: None },
            repeat: 1,
        });
        prop_assert!(r.is_err(), "{:?} rendered", code);
    }
}
