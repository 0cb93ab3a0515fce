//! The sound pack: what the built-in English pack holds, its format and size on disk, a
//! user's directory over it, and the switch's prompts from the same recordings.

use parkdesk::announcer::audio::{SAMPLE_RATE, SPEECH_PEAK};
use parkdesk::announcer::pack::code_words;
use parkdesk::announcer::prompts::prompt_words;
use parkdesk::announcer::{Audio, SoundPack};
use parkdesk::engine::switch::Prompt;
use parkdesk::sound::SoundError;
use std::path::Path;
use std::time::Duration;

const PACK_DIR: &str = "themes/default/sounds/en";

#[test]
fn the_built_in_pack_has_the_digits_star_hash_and_the_words_of_the_templates_and_prompts() {
    let pack = SoundPack::builtin("default", "en").unwrap();
    for word in [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "star",
        "hash", "call", "for", "on", "park", "parked", "goodbye",
    ] {
        let audio = pack
            .word(word)
            .unwrap_or_else(|| panic!("the pack has no '{word}'"));
        assert!(
            audio.duration() > Duration::from_millis(100)
                && audio.duration() < Duration::from_millis(1500),
            "{word}: {:?}",
            audio.duration()
        );
        assert!(
            (audio.peak() - SPEECH_PEAK).abs() < 0.01,
            "{word} normalised"
        );
    }
}

#[test]
fn the_committed_files_are_mono_16_khz_16_bit_and_the_pack_is_well_under_a_megabyte() {
    let mut total = 0;
    let mut files = 0;
    for entry in std::fs::read_dir(PACK_DIR).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "wav") {
            continue;
        }
        let spec = hound::WavReader::open(&path).unwrap().spec();
        assert_eq!(spec.channels, 1, "{}", path.display());
        assert_eq!(spec.sample_rate, SAMPLE_RATE, "{}", path.display());
        assert_eq!(spec.bits_per_sample, 16, "{}", path.display());
        total += std::fs::metadata(&path).unwrap().len();
        files += 1;
    }
    assert!(files >= 18, "{files} files");
    assert!(total < 700_000, "the pack is {total} bytes");
    let builtin = SoundPack::builtin("default", "en").unwrap();
    assert_eq!(builtin.words().count(), files, "every file is built in");
}

#[test]
fn an_unknown_theme_or_language_names_what_is_built_in() {
    let err = SoundPack::builtin("default", "fr").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no sound pack for theme 'default' and language 'fr' (built in: default/en)"
    );
    assert!(SoundPack::load("default", "fr", None).is_err());
}

fn write_tone(path: &Path, seconds: f32, level: f32) {
    let n = (seconds * SAMPLE_RATE as f32) as usize;
    let tone = Audio::from_samples((0..n).map(|i| level * (i as f32 * 0.3).sin()).collect());
    std::fs::write(path, tone.to_wav_bytes().expect("encode")).expect("write");
}

#[test]
fn a_sounds_directory_replaces_words_and_adds_new_ones_at_the_same_level() {
    let dir = tempfile::tempdir().unwrap();
    write_tone(&dir.path().join("Park.wav"), 0.5, 0.1);
    write_tone(&dir.path().join("lobby.wav"), 0.25, 0.9);
    std::fs::write(dir.path().join("notes.txt"), "not a sound").unwrap();
    let builtin = SoundPack::builtin("default", "en").unwrap();
    let pack = SoundPack::load("default", "en", Some(dir.path())).unwrap();
    let park = pack.word("park").unwrap();
    assert_ne!(park, builtin.word("park").unwrap(), "replaced");
    assert!(
        (park.peak() - SPEECH_PEAK).abs() < 0.01,
        "a quiet file is raised"
    );
    assert!((pack.word("lobby").unwrap().peak() - SPEECH_PEAK).abs() < 0.01);
    assert_eq!(pack.word("seven"), builtin.word("seven"), "the rest stays");
}

#[test]
fn a_sounds_directory_alone_serves_a_language_that_is_not_built_in() {
    let dir = tempfile::tempdir().unwrap();
    write_tone(&dir.path().join("sept.wav"), 0.3, 0.5);
    let pack = SoundPack::load("default", "fr", Some(dir.path())).unwrap();
    assert_eq!(pack.words().collect::<Vec<_>>(), ["sept"]);
}

#[test]
fn a_broken_wav_in_the_sounds_directory_is_a_named_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("seven.wav"), b"RIFF nonsense").unwrap();
    let err = SoundPack::load("default", "en", Some(dir.path())).unwrap_err();
    assert!(matches!(err, SoundError::BadAudio { .. }), "{err}");
    assert!(err.to_string().contains("seven.wav"), "{err}");
    let missing = SoundPack::load("default", "en", Some(&dir.path().join("nope"))).unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with("cannot read the sound pack"),
        "{missing}"
    );
}

#[test]
fn codes_are_read_character_by_character() {
    assert_eq!(
        code_words("*705").unwrap(),
        ["star", "seven", "zero", "five"]
    );
    assert_eq!(code_words("#10").unwrap(), ["hash", "one", "zero"]);
    assert!(code_words("").is_err());
    assert!(code_words("70x").is_err());
}

#[test]
fn the_prompts_are_named_like_the_switchs_and_spoken_from_the_pack() {
    let pack = SoundPack::builtin("default", "en").unwrap();
    assert_eq!(prompt_words(&Prompt::Goodbye).unwrap(), ["goodbye"]);
    let parked = Prompt::ParkedOn { code: "705".into() };
    assert_eq!(
        prompt_words(&parked).unwrap(),
        ["parked", "on", "seven", "zero", "five"]
    );
    let goodbye = pack.prompt(&Prompt::Goodbye).unwrap();
    assert_eq!(&goodbye, pack.word("goodbye").unwrap());
    let audio = pack.prompt(&parked).unwrap();
    let first = pack.word("parked").unwrap();
    let last = pack.word("five").unwrap();
    assert_eq!(&audio.samples()[..first.len()], first.samples());
    assert_eq!(&audio.samples()[audio.len() - last.len()..], last.samples());
    assert!(
        pack.prompt(&Prompt::ParkedOn { code: "7x".into() })
            .is_err()
    );
}
