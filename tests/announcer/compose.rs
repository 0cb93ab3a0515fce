//! Composition: the rendered clip's length, segment order, silences, level, the code's
//! digits and the fallback without a name — with a scripted voice, and with espeak-ng
//! (which the test command installs).

use parkdesk::announcer::audio::{SPEECH_PEAK, samples_in};
use parkdesk::announcer::chime::{CHIME_LENGTH, CHIME_PEAK, chime};
use parkdesk::announcer::template::{DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_WITHOUT_NAME, Template};
use parkdesk::announcer::{
    AnnouncerError, Audio, Composer, Espeak, Rendered, Request, Say, SegmentKind, SoundPack,
    Timing, Voice,
};
use std::sync::Arc;
use std::time::Duration;

/// A voice that "speaks" a tone whose length follows the text, or fails on demand.
struct ScriptedVoice {
    fails: bool,
}

impl Voice for ScriptedVoice {
    fn describe(&self) -> String {
        "scripted".into()
    }

    fn speak(&self, text: &str) -> Result<Audio, AnnouncerError> {
        if self.fails {
            return Err(AnnouncerError::Voice {
                text: text.into(),
                detail: "scripted failure".into(),
            });
        }
        let n = 800 * text.len();
        Ok(Audio::from_samples(
            (0..n)
                .map(|i| SPEECH_PEAK * (i as f32 * 0.2).sin())
                .collect(),
        ))
    }
}

fn pack() -> SoundPack {
    SoundPack::builtin("default", "en").expect("the built-in pack")
}

fn composer(voice: Option<ScriptedVoice>) -> Composer {
    let c = Composer::new(
        pack(),
        Template::for_park(DEFAULT_TEMPLATE).expect("template"),
        Template::for_park_without_name(DEFAULT_TEMPLATE_WITHOUT_NAME).expect("template"),
        "espeak-ng is not installed",
    );
    match voice {
        Some(v) => c.with_voice(Arc::new(v)),
        None => c,
    }
}

fn park(code: &str, name: Option<&str>, repeat: u8) -> Request {
    Request {
        say: Say::Park {
            code: code.into(),
            name: name.map(str::to_string),
        },
        repeat,
    }
}

fn samples_of<'a>(r: &'a Rendered, kind: &SegmentKind) -> Vec<&'a [f32]> {
    r.segments
        .iter()
        .filter(|s| &s.kind == kind)
        .map(|s| &r.audio.samples()[s.start..s.start + s.len])
        .collect()
}

#[test]
fn a_park_announcement_is_the_chime_then_the_template_with_name_and_code_in_order() {
    let r = composer(Some(ScriptedVoice { fails: false }))
        .render(&park("705", Some("Ada"), 1))
        .unwrap();
    assert_eq!(
        r.outline(),
        [
            "chime", "call", "for", "name:Ada", "on", "park", "seven", "zero", "five"
        ]
    );
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn the_segments_cover_the_clip_exactly_so_its_length_is_their_sum() {
    let r = composer(Some(ScriptedVoice { fails: false }))
        .render(&park("*705", Some("Ada Lovelace"), 2))
        .unwrap();
    let mut at = 0;
    for s in &r.segments {
        assert_eq!(s.start, at, "{s:?} starts where the previous one ended");
        assert!(s.len > 0);
        at += s.len;
    }
    assert_eq!(at, r.audio.len());
    let words: usize = r
        .segments
        .iter()
        .filter(|s| !matches!(s.kind, SegmentKind::Pause | SegmentKind::RepeatGap))
        .map(|s| s.len)
        .sum();
    assert!(words > r.audio.len() / 2, "mostly sound, not silence");
    assert!(
        r.audio.duration() > Duration::from_secs(5) && r.audio.duration() < Duration::from_secs(20),
        "{:?}",
        r.audio.duration()
    );
}

#[test]
fn the_code_is_read_digit_by_digit_with_the_packs_own_recordings_star_included() {
    let p = pack();
    let r = composer(None).render(&park("*705", None, 1)).unwrap();
    let tail: Vec<String> = r.outline().into_iter().rev().take(4).collect();
    assert_eq!(tail, ["five", "zero", "seven", "star"]);
    for digit in ["star", "seven", "zero", "five"] {
        let heard = samples_of(&r, &SegmentKind::Word(digit.into()));
        assert_eq!(heard.len(), 1, "{digit} said once");
        assert_eq!(
            heard[0],
            p.word(digit).unwrap().samples(),
            "{digit} as recorded"
        );
    }
    let hash = composer(None).render(&park("#12", None, 1)).unwrap();
    assert!(
        hash.outline()
            .ends_with(&["hash".into(), "one".into(), "two".into()])
    );
}

#[test]
fn pauses_are_silent_and_as_long_as_the_timing_says() {
    let timing = Timing::default();
    let r = composer(Some(ScriptedVoice { fails: false }))
        .render(&park("705", Some("Ada"), 1))
        .unwrap();
    let kinds: Vec<&SegmentKind> = r.segments.iter().map(|s| &s.kind).collect();
    for s in r.segments.iter().filter(|s| s.kind == SegmentKind::Pause) {
        let silence = &r.audio.samples()[s.start..s.start + s.len];
        assert!(
            silence.iter().all(|x| *x == 0.0),
            "a pause is digital silence"
        );
    }
    let gap_after = |kind: &SegmentKind| {
        let i = kinds.iter().position(|k| *k == kind).unwrap();
        assert_eq!(r.segments[i + 1].kind, SegmentKind::Pause);
        r.segments[i + 1].len
    };
    assert_eq!(
        gap_after(&SegmentKind::Chime),
        samples_in(timing.after_chime)
    );
    assert_eq!(
        gap_after(&SegmentKind::Name("Ada".into())),
        samples_in(timing.comma),
        "the comma after the name"
    );
    assert_eq!(
        gap_after(&SegmentKind::Word("call".into())),
        samples_in(timing.word_gap)
    );
    assert_eq!(
        gap_after(&SegmentKind::Word("seven".into())),
        samples_in(timing.digit_gap)
    );
    assert_ne!(
        r.segments.last().unwrap().kind,
        SegmentKind::Pause,
        "no trailing silence"
    );
}

#[test]
fn a_repeated_announcement_says_the_words_n_times_after_one_chime_with_a_gap() {
    let gap = Duration::from_millis(900);
    let c = composer(None).with_timing(Timing {
        repeat_gap: gap,
        ..Timing::default()
    });
    let once = c.render(&park("705", None, 1)).unwrap();
    let thrice = c.render(&park("705", None, 3)).unwrap();
    let outline = thrice.outline();
    assert_eq!(outline.iter().filter(|w| *w == "chime").count(), 1);
    assert_eq!(outline.iter().filter(|w| *w == "park").count(), 3);
    let gaps: Vec<_> = thrice
        .segments
        .iter()
        .filter(|s| s.kind == SegmentKind::RepeatGap)
        .collect();
    assert_eq!(gaps.len(), 2);
    assert!(gaps.iter().all(|g| g.len == samples_in(gap)));
    assert_eq!(
        thrice.segments.iter().map(|s| s.take).max(),
        Some(2),
        "takes 0, 1, 2"
    );
    let chime_part = once.segments[0].len + once.segments[1].len;
    let words = once.audio.len() - chime_part;
    assert_eq!(
        thrice.audio.len(),
        chime_part + 3 * words + 2 * samples_in(gap)
    );
}

#[test]
fn nothing_clips_and_words_and_chime_sit_at_their_levels() {
    let r = composer(Some(ScriptedVoice { fails: false }))
        .render(&park("*705", Some("Ada"), 5))
        .unwrap();
    assert!(r.audio.peak() <= 0.99, "peak {}", r.audio.peak());
    assert!(r.audio.samples().iter().all(|s| s.is_finite()));
    let chime = samples_of(&r, &SegmentKind::Chime);
    let chime_peak = chime[0].iter().fold(0.0_f32, |m, s| m.max(s.abs()));
    assert!((chime_peak - CHIME_PEAK).abs() < 0.01);
    for s in r.segments.iter() {
        if let SegmentKind::Word(w) = &s.kind {
            let part = &r.audio.samples()[s.start..s.start + s.len];
            let peak = part.iter().fold(0.0_f32, |m, x| m.max(x.abs()));
            assert!((peak - SPEECH_PEAK).abs() < 0.01, "{w} peaks at {peak}");
        }
    }
}

#[test]
fn without_a_voice_the_name_is_left_out_and_a_note_says_why() {
    let r = composer(None).render(&park("705", Some("Ada"), 1)).unwrap();
    assert_eq!(
        r.outline(),
        ["chime", "call", "on", "park", "seven", "zero", "five"],
        "the nameless template"
    );
    assert_eq!(r.notes, ["name 'Ada' left out: espeak-ng is not installed"]);
}

#[test]
fn a_voice_that_fails_on_the_name_falls_back_to_the_nameless_template() {
    let r = composer(Some(ScriptedVoice { fails: true }))
        .render(&park("705", Some("Ada"), 1))
        .unwrap();
    assert_eq!(r.outline()[1..3], ["call", "on"]);
    assert_eq!(r.notes.len(), 1);
    assert!(r.notes[0].starts_with("name 'Ada' left out: espeak-ng failed on 'Ada'"));
}

#[test]
fn a_park_for_no_one_uses_the_nameless_template_without_a_note() {
    for name in [None, Some("  ")] {
        let r = composer(Some(ScriptedVoice { fails: false }))
            .render(&park("705", name, 1))
            .unwrap();
        assert_eq!(r.outline()[1..4], ["call", "on", "park"]);
        assert!(r.notes.is_empty());
    }
}

#[test]
fn free_text_goes_to_the_voice_whole() {
    let r = composer(Some(ScriptedVoice { fails: false }))
        .render(&Request {
            say: Say::Text("Fire drill at noon".into()),
            repeat: 1,
        })
        .unwrap();
    assert_eq!(r.outline(), ["chime", "spoken:Fire drill at noon"]);
}

#[test]
fn free_text_without_a_voice_is_said_from_the_pack_only_if_it_has_every_word() {
    let c = composer(None);
    let r = c
        .render(&Request {
            say: Say::Text("Please dial *705.".into()),
            repeat: 1,
        })
        .unwrap();
    assert_eq!(
        r.outline(),
        ["chime", "please", "dial", "star", "seven", "zero", "five"]
    );
    let err = c
        .render(&Request {
            say: Say::Text("Fire drill at noon".into()),
            repeat: 1,
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot speak 'Fire drill at noon': espeak-ng is not installed, and the sound pack \
         has no 'fire', 'drill', 'noon'"
    );
}

#[test]
fn a_code_that_is_not_digits_star_or_hash_is_refused_by_name() {
    let err = composer(None).render(&park("7a5", None, 1)).unwrap_err();
    assert_eq!(
        err.to_string(),
        "code '7a5' can only be read out if it is digits, '*' and '#'"
    );
    let empty = composer(None).render(&Request {
        say: Say::Text("  ".into()),
        repeat: 1,
    });
    assert!(matches!(empty, Err(AnnouncerError::NothingToSay)));
}

#[test]
fn repeat_outside_one_to_five_is_held_to_the_bounds() {
    let c = composer(None);
    let count = |repeat| {
        c.render(&park("705", None, repeat))
            .unwrap()
            .outline()
            .iter()
            .filter(|w| *w == "park")
            .count()
    };
    assert_eq!(count(0), 1);
    assert_eq!(count(9), 5);
}

#[test]
fn the_chime_can_be_turned_off() {
    let r = composer(None)
        .with_chime(false)
        .render(&park("705", None, 1))
        .unwrap();
    assert_eq!(r.outline()[0], "call");
    assert_eq!(r.segments[0].start, 0);
}

#[test]
fn the_chime_starts_the_clip_sample_for_sample() {
    let r = composer(None).render(&park("705", None, 1)).unwrap();
    let c = chime();
    assert_eq!(c.duration(), CHIME_LENGTH);
    assert_eq!(&r.audio.samples()[..c.len()], c.samples());
}

#[test]
fn composing_twice_gives_the_same_clip() {
    let c = composer(Some(ScriptedVoice { fails: false }));
    let request = park("*705", Some("Ada"), 2);
    assert_eq!(c.render(&request).unwrap(), c.render(&request).unwrap());
}

#[test]
fn espeak_ng_speaks_a_name_between_the_pack_words() {
    let espeak = Espeak::detect("espeak-ng", "en")
        .expect("espeak-ng is installed by tests/run.sh (apt-get install espeak-ng)");
    let c = composer(None).with_voice(Arc::new(espeak));
    let r = c.render(&park("705", Some("Ada Lovelace"), 1)).unwrap();
    assert_eq!(
        r.outline(),
        [
            "chime",
            "call",
            "for",
            "name:Ada Lovelace",
            "on",
            "park",
            "seven",
            "zero",
            "five"
        ]
    );
    let name = samples_of(&r, &SegmentKind::Name("Ada Lovelace".into()));
    let spoken = Audio::from_samples(name[0].to_vec());
    assert!(
        spoken.duration() > Duration::from_millis(300)
            && spoken.duration() < Duration::from_secs(3),
        "{:?}",
        spoken.duration()
    );
    assert!(
        (spoken.peak() - SPEECH_PEAK).abs() < 0.01,
        "normalised like the pack"
    );
    assert!(spoken.rms() > 0.02, "speech, not silence");
}

#[test]
fn espeak_ng_is_given_the_text_on_stdin_so_a_leading_dash_is_not_an_option() {
    let espeak = Espeak::detect("espeak-ng", "en").expect("espeak-ng is installed");
    let audio = espeak.speak("--help").unwrap();
    assert!(audio.duration() > Duration::from_millis(200));
}
