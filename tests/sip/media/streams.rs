//! Streams on real loopback sockets: music on hold in both codecs, prompts, hold, symmetric
//! RTP, dead legs, the port range. Each test owns its own port range.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use crate::support::media::*;
use crate::support::poll;
use parkdesk::media::{
    Codec, Media, MediaConfig, MediaError, MediaEvent, prompt_samples, raise_open_file_limit,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

#[allow(clippy::disallowed_methods)] // the test measures the pacing of real packets
fn now() -> Instant {
    Instant::now()
}

/// Checks a run of music packets: one payload type, one SSRC, sequence +1, timestamp +160,
/// 160 bytes each, and sound in them.
fn assert_music(packets: &[Received], codec: Codec) {
    let first = &packets[0].header;
    for pair in packets.windows(2) {
        let (a, b) = (&pair[0].header, &pair[1].header);
        assert_eq!(b.payload_type, codec.payload_type());
        assert_eq!(b.ssrc, first.ssrc, "one SSRC");
        assert_eq!(b.sequence, a.sequence.wrapping_add(1), "sequence +1");
        assert_eq!(b.timestamp, a.timestamp.wrapping_add(160), "timestamp +160");
        assert!(!b.marker, "no marker inside a talkspurt");
    }
    let samples: Vec<i16> = packets
        .iter()
        .inspect(|p| assert_eq!(p.payload.len(), 160))
        .flat_map(|p| codec.decode(&p.payload))
        .collect();
    assert!(
        rms(&samples) > 500.0,
        "music is not silence: rms {}",
        rms(&samples)
    );
}

#[tokio::test]
async fn music_on_hold_arrives_as_pcmu_and_pcma_at_fifty_packets_a_second() {
    let (media, _events) = start(21_000..=21_019).await;
    let (mu_phone, a_phone) = (Phone::new().await, Phone::new().await);
    let mu = media.open().await.unwrap();
    let a = media.open().await.unwrap();
    // the PCMU leg is configured from an offer/answer, as the SIP side does
    let offer = format!(
        "v=0\r\nc=IN IP4 127.0.0.1\r\nm=audio {} RTP/AVP 0 101\r\na=rtpmap:101 telephone-event/8000\r\n",
        mu_phone.addr().port()
    );
    let (_, negotiated) = parkdesk::media::sdp::SdpSession::new(mu.local)
        .answer(&offer, parkdesk::media::sdp::Direction::SendRecv)
        .unwrap();
    media.apply(mu.id, &negotiated);
    media.configure(a.id, Some(a_phone.addr()), Codec::Pcma, None);
    media.music(mu.id);
    media.music(a.id);

    let first = mu_phone.recv().await;
    assert_eq!(first.from, mu.local, "sent from the stream's own port");
    assert!(first.header.marker, "the first packet starts a talkspurt");
    let started = now();
    let mu_packets = mu_phone.recv_many(25).await;
    let elapsed = started.elapsed();
    assert_music(&mu_packets, Codec::Pcmu);
    assert!(
        (Duration::from_millis(400)..Duration::from_millis(1500)).contains(&elapsed),
        "25 packets took {elapsed:?}, not about 500 ms"
    );

    let a_packets = a_phone.recv_many(25).await;
    assert_music(&a_packets, Codec::Pcma);
    assert_ne!(
        a_packets[0].header.ssrc, mu_packets[0].header.ssrc,
        "each stream its own SSRC"
    );
    assert_eq!(media.active_streams(), 2);
}

#[tokio::test]
async fn a_configured_wav_is_resampled_to_8_khz_and_played() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("hold.wav");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..44_100 {
        let s = (12_000.0 * (std::f64::consts::TAU * 440.0 * f64::from(i) / 44_100.0).sin()) as i16;
        writer.write_sample(s).unwrap();
        writer.write_sample(s).unwrap();
    }
    writer.finalize().unwrap();

    let mut config = MediaConfig::loopback(21_020..=21_029);
    config.music = Some(path);
    let (media, _events) = start_with(config).await;
    let phone = Phone::new().await;
    let stream = media.open().await.unwrap();
    media.configure(stream.id, Some(phone.addr()), Codec::Pcmu, None);
    media.music(stream.id);
    let samples: Vec<i16> = phone
        .recv_many(20)
        .await
        .iter()
        .flat_map(|p| Codec::Pcmu.decode(&p.payload))
        .collect();
    let freq = frequency(&samples);
    assert!((430.0..450.0).contains(&freq), "heard {freq} Hz, not 440");
    assert!(
        (7_000.0..9_500.0).contains(&rms(&samples)),
        "level {}",
        rms(&samples)
    );
}

#[tokio::test]
async fn a_bad_music_file_is_an_error_that_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("music.wav");
    std::fs::write(&text, "this is not audio").unwrap();
    let mut config = MediaConfig::loopback(21_030..=21_031);
    config.music = Some(text.clone());
    let err = Media::start(config.clone()).await.unwrap_err();
    assert!(matches!(err, MediaError::BadWav { .. }), "{err:?}");
    assert!(err.to_string().contains("music.wav"), "{err}");
    assert!(err.to_string().contains("not a readable WAV"), "{err}");

    config.music = Some(dir.path().join("missing.wav"));
    let err = Media::start(config).await.unwrap_err();
    assert!(err.to_string().contains("missing.wav"), "{err}");
}

#[tokio::test]
async fn an_exhausted_port_range_is_an_error_that_names_the_range() {
    let (media, _events) = start(21_040..=21_043).await;
    let a = media.open().await.unwrap();
    let b = media.open().await.unwrap();
    assert_eq!(
        (a.local.port(), b.local.port()),
        (21_040, 21_042),
        "even ports only"
    );
    let err = media.open().await.unwrap_err();
    assert!(matches!(
        err,
        MediaError::PortsExhausted {
            start: 21_040,
            end: 21_043
        }
    ));
    assert!(err.to_string().contains("21040-21043"), "{err}");
    assert_eq!(media.active_streams(), 2);

    let odd = Media::start(MediaConfig::loopback(21_045..=21_045))
        .await
        .unwrap_err();
    assert!(matches!(odd, MediaError::NoEvenPort { .. }), "{odd:?}");
}

#[tokio::test]
async fn closing_a_stream_frees_its_port_for_the_next() {
    let (media, _events) = start(21_050..=21_051).await;
    let first = media.open().await.unwrap();
    assert!(media.open().await.is_err(), "one even port, taken");
    media.close(first.id);
    let again = media
        .open()
        .await
        .expect("the closed stream's port is free again");
    assert_eq!(again.local.port(), 21_050);
    assert_ne!(again.id, first.id);
    assert_eq!(media.active_streams(), 1);
    // the socket is really gone: after closing, another program can bind the port
    media.close(again.id);
    poll::until_async(PATIENCE, || std::future::ready(media.active_streams() == 0)).await;
    assert_eq!(media.active_streams(), 0);
    std::net::UdpSocket::bind("127.0.0.1:21050").expect("port 21050 is free");
}

#[tokio::test]
async fn a_port_held_by_another_program_is_skipped() {
    let _squatter = std::net::UdpSocket::bind("127.0.0.1:21060").unwrap();
    let (media, _events) = start(21_060..=21_063).await;
    let stream = media.open().await.unwrap();
    assert_eq!(stream.local.port(), 21_062);
}

#[tokio::test]
async fn the_advertised_address_is_what_open_reports() {
    let mut config = MediaConfig::loopback(21_070..=21_071);
    config.advertise = "192.0.2.44".parse().unwrap();
    let (media, _events) = start_with(config).await;
    let stream = media.open().await.unwrap();
    assert_eq!(
        stream.local,
        "192.0.2.44:21070".parse::<SocketAddr>().unwrap()
    );
}

#[tokio::test]
async fn a_prompt_plays_then_music_follows_or_silence() {
    let (media, mut events) = start(21_080..=21_089).await;
    let phone = Phone::new().await;
    let stream = media.open().await.unwrap();
    media.configure(stream.id, Some(phone.addr()), Codec::Pcma, None);
    // 100 ms of 1 kHz: five packets
    let prompt: Arc<[i16]> = tone(1000.0, 0, 800, 8000.0).into();
    media.play(stream.id, Arc::clone(&prompt), false);
    let packets = phone.recv_many(5).await;
    let heard: Vec<i16> = packets
        .iter()
        .flat_map(|p| Codec::Pcma.decode(&p.payload))
        .collect();
    assert!(
        (980.0..1020.0).contains(&frequency(&heard)),
        "{} Hz",
        frequency(&heard)
    );
    assert_eq!(
        next_event(&mut events, PATIENCE).await,
        Some(MediaEvent::Played(stream.id))
    );
    assert!(
        phone.try_recv(Duration::from_millis(150)).await.is_none(),
        "silence after"
    );

    media.play(stream.id, prompt, true);
    phone.recv_many(5).await;
    assert_eq!(
        next_event(&mut events, PATIENCE).await,
        Some(MediaEvent::Played(stream.id))
    );
    let music = phone.recv_many(10).await;
    assert!(
        rms(&music
            .iter()
            .flat_map(|p| Codec::Pcma.decode(&p.payload))
            .collect::<Vec<_>>())
            > 500.0
    );
}

#[tokio::test]
async fn announcer_audio_converts_to_a_prompt_of_the_same_length() {
    let audio = parkdesk::announcer::Audio::from_samples(vec![0.25; 16_000]);
    let samples = prompt_samples(&audio);
    assert_eq!(samples.len(), 8_000, "one second at 8 kHz");
}

#[tokio::test]
async fn hold_stops_the_music_and_resuming_jumps_the_timestamp_by_the_pause() {
    let (media, _events) = start(21_090..=21_099).await;
    let phone = Phone::new().await;
    let stream = media.open().await.unwrap();
    media.configure(stream.id, Some(phone.addr()), Codec::Pcmu, None);
    media.music(stream.id);
    let before = phone.recv_many(3).await;
    media.configure(stream.id, None, Codec::Pcmu, None);
    phone.drain().await;
    assert!(
        phone.try_recv(Duration::from_millis(200)).await.is_none(),
        "held: nothing sent"
    );
    media.configure(stream.id, Some(phone.addr()), Codec::Pcmu, None);
    let after = phone.recv().await;
    let last = before.last().unwrap();
    assert_eq!(after.header.ssrc, last.header.ssrc);
    assert!(after.header.marker, "a new talkspurt after the pause");
    let jump = after.header.timestamp.wrapping_sub(last.header.timestamp);
    assert!(
        jump >= 8 * 200,
        "timestamp moved {jump} samples over a pause of 200+ ms"
    );
}

#[tokio::test]
async fn silence_stops_sending() {
    let (media, _events) = start(21_100..=21_101).await;
    let phone = Phone::new().await;
    let stream = media.open().await.unwrap();
    media.configure(stream.id, Some(phone.addr()), Codec::Pcmu, None);
    media.music(stream.id);
    phone.recv_many(2).await;
    media.silence(stream.id);
    phone.drain().await;
    assert!(phone.try_recv(Duration::from_millis(150)).await.is_none());
}

#[tokio::test]
async fn a_stream_latches_to_the_source_it_hears_and_ignores_strangers() {
    let (media, mut events) = start(21_110..=21_111).await;
    let sdp_address = Phone::new().await; // what SDP said: the phone is behind NAT
    let mut real = Phone::new().await; // where its packets really come from
    let mut stranger = Phone::new().await;
    let stream = media.open().await.unwrap();
    media.configure(stream.id, Some(sdp_address.addr()), Codec::Pcmu, Some(101));
    media.music(stream.id);
    sdp_address.recv().await;

    real.send_audio(stream.local, Codec::Pcmu, &[0; 160]).await;
    // from now on the music follows the real source, and the SDP address hears no more
    real.recv_many(3).await;
    sdp_address.drain().await;
    assert!(
        sdp_address
            .try_recv(Duration::from_millis(100))
            .await
            .is_none()
    );

    stranger.press(stream.local, 101, 1).await;
    real.press(stream.local, 101, 7).await;
    assert_eq!(
        next_event(&mut events, PATIENCE).await,
        Some(MediaEvent::Dtmf {
            stream: stream.id,
            digit: '7'
        }),
        "the stranger's key is not heard"
    );
}

#[tokio::test]
async fn garbage_on_the_port_is_ignored_and_the_stream_goes_on() {
    let (media, mut events) = start(21_120..=21_121).await;
    let mut phone = Phone::new().await;
    let stream = media.open().await.unwrap();
    media.configure(stream.id, Some(phone.addr()), Codec::Pcmu, Some(101));
    media.music(stream.id);
    for junk in [
        &b""[..],
        b"x",
        b"INVITE sip:700 SIP/2.0\r\n",
        &[0xFF; 300],
        &[0x80; 12],
        &[0x8F, 0, 0, 0],
    ] {
        phone.socket.send_to(junk, stream.local).await.unwrap();
    }
    phone.press(stream.local, 101, 11).await;
    assert_eq!(
        next_event(&mut events, PATIENCE).await,
        Some(MediaEvent::Dtmf {
            stream: stream.id,
            digit: '#'
        })
    );
    let after = phone.recv_many(3).await;
    assert_eq!(
        after[1].header.sequence,
        after[0].header.sequence.wrapping_add(1)
    );
}

#[tokio::test]
async fn a_leg_that_goes_quiet_is_reported_silent_once() {
    let mut config = MediaConfig::loopback(21_130..=21_139);
    config.silence_timeout = Duration::from_millis(300);
    let (media, mut events) = start_with(config).await;
    let mut talker = Phone::new().await;
    let quiet = Phone::new().await;
    let held = media.open().await.unwrap(); // no remote: never reported
    let talking = media.open().await.unwrap();
    let dead = media.open().await.unwrap();
    media.configure(talking.id, Some(talker.addr()), Codec::Pcmu, None);
    media.configure(dead.id, Some(quiet.addr()), Codec::Pcmu, None);
    media.configure(held.id, None, Codec::Pcmu, None);

    let started = now();
    let mut reported = Vec::new();
    while started.elapsed() < Duration::from_millis(900) {
        talker
            .send_audio(talking.local, Codec::Pcmu, &[0; 160])
            .await;
        if let Some(event) = next_event(&mut events, Duration::from_millis(20)).await {
            reported.push((event, started.elapsed()));
        }
    }
    assert_eq!(reported.len(), 1, "{reported:?}");
    assert_eq!(reported[0].0, MediaEvent::Silent(dead.id));
    assert!(reported[0].1 >= Duration::from_millis(280), "{reported:?}");

    // configure restarts the watch: reported again after another timeout
    media.close(talking.id);
    media.configure(dead.id, Some(quiet.addr()), Codec::Pcmu, None);
    assert_eq!(
        next_event(&mut events, PATIENCE).await,
        Some(MediaEvent::Silent(dead.id))
    );
}

#[tokio::test]
async fn the_open_file_limit_is_raised_to_fit_a_thousand_calls() {
    let limit = raise_open_file_limit().unwrap();
    assert!(limit >= 1024, "soft limit {limit}");
    assert_eq!(
        raise_open_file_limit().unwrap(),
        limit,
        "a second call changes nothing"
    );
}

#[tokio::test]
async fn commands_for_unknown_or_closed_streams_change_nothing() {
    let (media, mut events) = start(21_140..=21_149).await;
    let phone = Phone::new().await;
    let live = media.open().await.unwrap();
    let gone = media.open().await.unwrap();
    media.close(gone.id);
    media.close(gone.id);
    let ghost = parkdesk::media::StreamId(999);
    media.configure(ghost, Some(phone.addr()), Codec::Pcmu, None);
    media.music(gone.id);
    media.play(ghost, Arc::from(vec![0_i16; 160]), true);
    media.bridge(live.id, live.id);
    media.bridge(live.id, ghost);
    media.silence(ghost);
    media.configure(live.id, Some(phone.addr()), Codec::Pcmu, None);
    media.music(live.id);
    let packets = phone.recv_many(3).await;
    assert!(packets.iter().all(|p| p.from == live.local));
    assert_eq!(media.active_streams(), 1);
    assert_eq!(
        next_event(&mut events, Duration::from_millis(100)).await,
        None
    );
}
