//! Sinks: the WAV file and directory, the null sink, and the audio device that may not be
//! there (never a panic: "no audio output device: …").

use parkdesk::announcer::setup;
use parkdesk::announcer::sink::{NullSink, Sink, WavSink, WavTarget, list_devices, paced};
use parkdesk::announcer::{Audio, Clip, DeviceSink, Request, Say};
use parkdesk::config::AnnouncerSettings;
use std::time::Duration;

#[allow(clippy::disallowed_methods)] // measures how long a sink holds the PA
fn clock() -> std::time::Instant {
    std::time::Instant::now()
}

fn tone(ms: u64) -> Audio {
    let n = (ms * 16) as usize;
    Audio::from_samples((0..n).map(|i| 0.5 * (i as f32 * 0.05).sin()).collect())
}

fn play(sink: &mut dyn Sink, id: &str, audio: &Audio) -> (Result<(), String>, usize) {
    let mut firsts = 0;
    let result = sink
        .play(Clip { id, audio }, &mut || firsts += 1)
        .map_err(|e| e.to_string());
    (result, firsts)
}

#[test]
fn the_wav_sink_writes_one_file_per_announcement_in_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    let mut sink = WavSink::new(WavTarget::Directory(dir.path().to_path_buf()), 0.0);
    let (a, b) = (tone(200), tone(300));
    assert_eq!(play(&mut sink, "a-1", &a), (Ok(()), 1));
    assert_eq!(play(&mut sink, "a-2", &b), (Ok(()), 1));
    let back = |name: &str| {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        Audio::from_wav_bytes(&bytes, name).unwrap()
    };
    assert_eq!(back("a-1.wav").len(), a.len());
    assert_eq!(back("a-2.wav").len(), b.len());
    let written = back("a-1.wav");
    for (x, y) in written.samples().iter().zip(a.samples()) {
        assert!((x - y).abs() < 1.0 / 16_000.0, "16-bit round trip");
    }
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 2, "no side files left: {names:?}");
}

#[test]
fn an_id_cannot_escape_the_wav_directory() {
    let dir = tempfile::tempdir().unwrap();
    let sink = WavSink::new(WavTarget::Directory(dir.path().to_path_buf()), 0.0);
    let path = sink.path_for("../../etc/passwd");
    assert_eq!(path.parent(), Some(dir.path()));
}

#[test]
fn the_wav_file_target_is_overwritten_by_the_next_clip() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("preview.wav");
    let mut sink = WavSink::new(WavTarget::File(file.clone()), 0.0);
    play(&mut sink, "x", &tone(500)).0.unwrap();
    play(&mut sink, "y", &tone(100)).0.unwrap();
    let back = Audio::from_wav_bytes(&std::fs::read(&file).unwrap(), "preview").unwrap();
    assert_eq!(back.duration(), Duration::from_millis(100));
}

#[test]
fn a_wav_sink_into_a_missing_directory_fails_with_the_path() {
    let mut sink = WavSink::new(WavTarget::Directory("/nonexistent/parkdesk-pa".into()), 0.0);
    let (result, firsts) = play(&mut sink, "a-1", &tone(10));
    let err = result.unwrap_err();
    assert!(
        err.starts_with("cannot write /nonexistent/parkdesk-pa/a-1.wav"),
        "{err}"
    );
    assert_eq!(firsts, 1);
}

#[test]
fn pacing_holds_the_pa_for_a_share_of_the_clip() {
    let a = tone(1000);
    assert_eq!(paced(&a, 1.0), Duration::from_secs(1));
    assert_eq!(paced(&a, 0.25), Duration::from_millis(250));
    assert_eq!(paced(&a, 0.0), Duration::ZERO);
    assert_eq!(paced(&a, f32::NAN), Duration::ZERO);
    let mut sink = NullSink::new(0.1);
    let started = clock();
    assert_eq!(play(&mut sink, "a-1", &a), (Ok(()), 1));
    assert!(started.elapsed() >= Duration::from_millis(100));
    assert_eq!(sink.played(), 1);
}

#[test]
fn the_device_sink_plays_or_says_there_is_no_audio_output_device_never_panics() {
    let mut sink = DeviceSink::new(None, 0.0);
    let (result, firsts) = play(&mut sink, "a-1", &tone(50));
    match result {
        Ok(()) => assert_eq!(firsts, 1),
        Err(e) => {
            assert!(e.starts_with("no audio output device: "), "{e}");
            // And again: a failed open is retried, not remembered as a broken sink.
            let (again, _) = play(&mut sink, "a-2", &tone(50));
            assert!(again.unwrap_err().starts_with("no audio output device: "));
        }
    }
}

#[test]
fn a_named_device_that_does_not_exist_is_reported_by_name() {
    let mut sink = DeviceSink::new(Some("parkdesk-no-such-output".into()), 1.0);
    let (result, firsts) = play(&mut sink, "a-1", &tone(50));
    let err = result.unwrap_err();
    assert!(err.starts_with("no audio output device: "), "{err}");
    if cfg!(feature = "playback") {
        assert!(err.contains("'parkdesk-no-such-output'"), "{err}");
    }
    assert_eq!(firsts, 0, "nothing was handed over");
}

#[test]
fn listing_devices_answers_without_panicking() {
    match list_devices() {
        Ok(devices) => {
            for d in devices {
                assert!(!d.name.is_empty());
            }
        }
        Err(e) => assert!(e.to_string().starts_with("no audio output device")),
    }
}

#[test]
fn the_default_settings_make_a_composer_whose_preview_speaks_the_code() {
    let (composer, _warnings) = setup::composer(&AnnouncerSettings::default()).unwrap();
    let r = composer
        .render(&Request {
            say: Say::Park {
                code: "705".into(),
                name: None,
            },
            repeat: 1,
        })
        .unwrap();
    assert!(
        r.outline()
            .ends_with(&["seven".into(), "zero".into(), "five".into()])
    );
}

#[test]
fn settings_without_a_speech_program_warn_and_leave_names_out() {
    let settings = AnnouncerSettings {
        espeak: String::new(),
        ..AnnouncerSettings::default()
    };
    let (composer, warnings) = setup::composer(&settings).unwrap();
    assert!(composer.voice().is_none());
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("no voice for names and free text"));
    let r = composer
        .render(&Request {
            say: Say::Park {
                code: "705".into(),
                name: Some("Ada".into()),
            },
            repeat: 1,
        })
        .unwrap();
    assert_eq!(r.notes.len(), 1);
}

#[test]
fn a_template_with_an_unknown_placeholder_stops_the_station_with_its_text() {
    let settings = AnnouncerSettings {
        template: "Call for {name} on {code}".into(),
        ..AnnouncerSettings::default()
    };
    let err = setup::composer(&settings).unwrap_err();
    assert_eq!(
        err.to_string(),
        "template 'Call for {name} on {code}': unknown placeholder '{name}' (use {for} and {code})"
    );
}

#[test]
fn template_words_missing_from_the_pack_are_warned_about() {
    let settings = AnnouncerSettings {
        template: "Paging {for}, lobby park {code}".into(),
        espeak: String::new(),
        ..AnnouncerSettings::default()
    };
    let (_, warnings) = setup::composer(&settings).unwrap();
    let joined = warnings.join("\n");
    assert!(
        joined.contains("has no 'paging'; it will be left out"),
        "{joined}"
    );
    assert!(joined.contains("has no 'lobby'"), "{joined}");
}
