//! The relay between bridged legs on real loopback sockets: transcoding, numbering rewritten
//! per leg, telephone events detected once and rewritten to the other leg's payload type.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use crate::support::media::*;
use parkdesk::media::dtmf::TelephoneEvent;
use parkdesk::media::{Codec, MediaEvent};
use std::time::Duration;

#[tokio::test]
async fn a_440_hz_tone_relayed_from_pcmu_to_pcma_is_still_440_hz() {
    let (media, _events) = start(22_000..=22_009).await;
    let mut caller = Phone::new().await;
    let callee = Phone::new().await;
    let a = media.open().await.unwrap();
    let b = media.open().await.unwrap();
    media.configure(a.id, Some(caller.addr()), Codec::Pcmu, Some(101));
    media.configure(b.id, Some(callee.addr()), Codec::Pcma, Some(96));
    media.bridge(a.id, b.id);

    let sent: Vec<i16> = tone(440.0, 0, 160 * 20, 10_000.0);
    for frame in sent.chunks(160) {
        caller.send_audio(a.local, Codec::Pcmu, frame).await;
        // Frames spaced as a stream, not one burst the socket buffer may drop.
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let got = callee.recv_many(20).await;
    for p in &got {
        assert_eq!(p.header.payload_type, 8, "PCMA on the PCMA leg");
        assert_eq!(p.from, b.local, "sent from the other leg's port");
        assert_ne!(p.header.ssrc, 0x5EED_0001, "the other leg's own SSRC");
    }
    for pair in got.windows(2) {
        assert_eq!(pair[1].header.ssrc, pair[0].header.ssrc);
        assert_eq!(
            pair[1].header.sequence,
            pair[0].header.sequence.wrapping_add(1)
        );
        assert_eq!(
            pair[1].header.timestamp,
            pair[0].header.timestamp.wrapping_add(160)
        );
    }
    let heard: Vec<i16> = got
        .iter()
        .flat_map(|p| Codec::Pcma.decode(&p.payload))
        .collect();
    let freq = frequency(&heard);
    assert!((435.0..445.0).contains(&freq), "heard {freq} Hz");
    let level = rms(&heard) / rms(&sent);
    assert!((0.95..1.05).contains(&level), "level changed by {level}");
    // sample by sample, the transcoded tone stays within G.711's quantisation of the original
    for (x, y) in sent.iter().zip(&heard) {
        assert!((i32::from(*x) - i32::from(*y)).abs() <= i32::from(*x).abs() / 10 + 40);
    }
}

#[tokio::test]
async fn the_relay_runs_both_ways_and_continues_the_music_numbering() {
    let (media, _events) = start(22_010..=22_019).await;
    let mut caller = Phone::new().await;
    let mut callee = Phone::new().await;
    let a = media.open().await.unwrap();
    let b = media.open().await.unwrap();
    media.configure(a.id, Some(caller.addr()), Codec::Pcmu, None);
    media.configure(b.id, Some(callee.addr()), Codec::Pcmu, None);
    media.music(a.id);
    let music = caller.recv_many(3).await;
    media.bridge(a.id, b.id);
    caller.drain().await;

    callee
        .send_audio(b.local, Codec::Pcmu, &tone(300.0, 0, 160, 8000.0))
        .await;
    let relayed = caller.recv().await;
    let last = music.last().unwrap();
    assert_eq!(
        relayed.header.ssrc, last.header.ssrc,
        "the caller hears one stream"
    );
    assert!(relayed.header.sequence.wrapping_sub(last.header.sequence) < 10);
    assert!(relayed.header.marker, "a new source starts a talkspurt");
    assert_eq!(
        relayed.payload,
        Codec::Pcmu.encode(&tone(300.0, 0, 160, 8000.0))
    );

    caller.send_audio(a.local, Codec::Pcmu, &[100; 160]).await;
    assert_eq!(callee.recv().await.payload, Codec::Pcmu.encode(&[100; 160]));
}

#[tokio::test]
async fn a_key_press_is_reported_once_and_relayed_with_the_other_legs_event_type() {
    let (media, mut events) = start(22_020..=22_029).await;
    let mut caller = Phone::new().await;
    let callee = Phone::new().await;
    let a = media.open().await.unwrap();
    let b = media.open().await.unwrap();
    media.configure(a.id, Some(caller.addr()), Codec::Pcmu, Some(101));
    media.configure(b.id, Some(callee.addr()), Codec::Pcma, Some(96));
    media.bridge(a.id, b.id);

    caller.press(a.local, 101, 5).await;
    caller.press(a.local, 101, 10).await;
    assert_eq!(
        next_event(&mut events, PATIENCE).await,
        Some(MediaEvent::Dtmf {
            stream: a.id,
            digit: '5'
        })
    );
    assert_eq!(
        next_event(&mut events, PATIENCE).await,
        Some(MediaEvent::Dtmf {
            stream: a.id,
            digit: '*'
        })
    );
    assert_eq!(
        next_event(&mut events, Duration::from_millis(200)).await,
        None,
        "once each"
    );

    let relayed = callee.recv_many(12).await;
    let digits: Vec<u8> = relayed
        .iter()
        .inspect(|p| assert_eq!(p.header.payload_type, 96))
        .map(|p| TelephoneEvent::parse(&p.payload).unwrap().event)
        .collect();
    assert_eq!(digits, [[5; 6], [10; 6]].concat());
    assert_eq!(
        relayed[0].header.timestamp, relayed[5].header.timestamp,
        "one event, one timestamp"
    );
    assert_ne!(relayed[5].header.timestamp, relayed[6].header.timestamp);
}

#[tokio::test]
async fn events_are_not_relayed_to_a_leg_without_telephone_event_and_unbridging_ends_the_relay() {
    let (media, mut events) = start(22_030..=22_039).await;
    let mut caller = Phone::new().await;
    let callee = Phone::new().await;
    let a = media.open().await.unwrap();
    let b = media.open().await.unwrap();
    media.configure(a.id, Some(caller.addr()), Codec::Pcmu, Some(101));
    media.configure(b.id, Some(callee.addr()), Codec::Pcmu, None);
    media.bridge(a.id, b.id);
    caller.press(a.local, 101, 3).await;
    assert!(matches!(
        next_event(&mut events, PATIENCE).await,
        Some(MediaEvent::Dtmf { digit: '3', .. })
    ));
    caller.send_audio(a.local, Codec::Pcmu, &[7; 160]).await;
    let first = callee.recv().await;
    assert_eq!(
        first.header.payload_type, 0,
        "the audio came, the events did not"
    );

    media.silence(a.id);
    caller.send_audio(a.local, Codec::Pcmu, &[7; 160]).await;
    assert!(
        callee.try_recv(Duration::from_millis(150)).await.is_none(),
        "bridge ended"
    );
    // the other leg was unbridged too: it can have music now
    media.music(b.id);
    assert!(callee.recv().await.header.payload_type == 0);
}

#[tokio::test]
async fn a_held_leg_is_sent_nothing_while_the_other_still_hears_it() {
    let (media, _events) = start(22_040..=22_049).await;
    let mut caller = Phone::new().await;
    let mut callee = Phone::new().await;
    let a = media.open().await.unwrap();
    let b = media.open().await.unwrap();
    media.configure(a.id, Some(caller.addr()), Codec::Pcmu, None);
    media.configure(b.id, Some(callee.addr()), Codec::Pcmu, None);
    media.bridge(a.id, b.id);
    // the caller puts us on hold (a=sendonly): nothing may go to it
    media.configure(a.id, None, Codec::Pcmu, None);
    callee.send_audio(b.local, Codec::Pcmu, &[9; 160]).await;
    assert!(caller.try_recv(Duration::from_millis(150)).await.is_none());
    caller.send_audio(a.local, Codec::Pcmu, &[9; 160]).await;
    assert_eq!(callee.recv().await.payload, Codec::Pcmu.encode(&[9; 160]));
}
