//! G.711 µ-law and A-law: the ITU reference values, error bounds over every 16-bit sample,
//! and round-trip properties.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns unwrap too: a failure is the test failing

use parkdesk::media::Codec;
use parkdesk::media::g711::{
    ALAW_TO_ULAW, ULAW_TO_ALAW, alaw_to_linear, linear_to_alaw, linear_to_ulaw, ulaw_to_linear,
};
use proptest::prelude::*;

#[test]
fn mu_law_matches_the_reference_values() {
    for (sample, byte) in [
        (0, 0xFF),
        (-1, 0x7F),
        (32_767, 0x80),
        (-32_768, 0x00),
        (1000, 0xCE),
    ] {
        assert_eq!(linear_to_ulaw(sample), byte, "encode {sample}");
    }
    for (byte, sample) in [
        (0x00, -32_124),
        (0x01, -31_100),
        (0x10, -15_996),
        (0x7F, 0),
        (0x80, 32_124),
        (0xFF, 0),
        (0xCE, 988),
    ] {
        assert_eq!(ulaw_to_linear(byte), sample, "decode {byte:#04x}");
    }
}

#[test]
fn a_law_matches_the_reference_values() {
    for (sample, byte) in [
        (0, 0xD5),
        (-1, 0x55),
        (32_767, 0xAA),
        (-32_768, 0x2A),
        (1000, 0xFA),
    ] {
        assert_eq!(linear_to_alaw(sample), byte, "encode {sample}");
    }
    for (byte, sample) in [
        (0x00, -5_504),
        (0x55, -8),
        (0xD5, 8),
        (0x80, 5_504),
        (0x2A, -32_256),
        (0xAA, 32_256),
        (0xFA, 1_008),
    ] {
        assert_eq!(alaw_to_linear(byte), sample, "decode {byte:#04x}");
    }
}

#[test]
fn every_sixteen_bit_sample_comes_back_within_half_a_step_and_in_order() {
    for codec in Codec::ALL {
        let mut previous = i16::MIN;
        for x in i16::MIN..=i16::MAX {
            let back = codec.decode_sample(codec.encode_sample(x));
            let error = (i32::from(back) - i32::from(x)).abs();
            // a step is 1/16 of its segment's size: the error is within 1/32 of the sample
            // (plus the smallest step), except where the largest codes clip
            let bound = (i32::from(x).abs() + 132) / 32 + 16;
            let clipped = i32::from(x).abs() > 32_100;
            assert!(
                error <= bound || clipped,
                "{codec:?}: {x} came back as {back}"
            );
            assert!(error <= 700, "{codec:?}: {x} came back as {back}");
            assert!(
                back >= previous,
                "{codec:?}: decoding is not monotonic at {x}"
            );
            previous = back;
        }
    }
}

#[test]
fn every_code_survives_a_round_trip_except_mu_laws_negative_zero() {
    for byte in 0..=255u8 {
        assert_eq!(
            linear_to_alaw(alaw_to_linear(byte)),
            byte,
            "A-law {byte:#04x}"
        );
        if byte != 0x7F {
            assert_eq!(
                linear_to_ulaw(ulaw_to_linear(byte)),
                byte,
                "µ-law {byte:#04x}"
            );
        }
    }
}

#[test]
fn the_transcoding_tables_keep_the_sound() {
    for byte in 0..=255u8 {
        let mu = i32::from(ulaw_to_linear(byte));
        let as_a = i32::from(alaw_to_linear(ULAW_TO_ALAW[usize::from(byte)]));
        assert!(
            (mu - as_a).abs() <= mu.abs() / 16 + 16,
            "µ {byte:#04x}: {mu} → {as_a}"
        );
        let a = i32::from(alaw_to_linear(byte));
        let as_mu = i32::from(ulaw_to_linear(ALAW_TO_ULAW[usize::from(byte)]));
        assert!(
            (a - as_mu).abs() <= a.abs() / 16 + 16,
            "A {byte:#04x}: {a} → {as_mu}"
        );
    }
}

proptest! {
    #[test]
    fn encoding_then_decoding_a_frame_keeps_its_shape(
        samples in proptest::collection::vec(any::<i16>(), 0..400),
        pcma in any::<bool>(),
    ) {
        let codec = if pcma { Codec::Pcma } else { Codec::Pcmu };
        let bytes = codec.encode(&samples);
        prop_assert_eq!(bytes.len(), samples.len());
        let back = codec.decode(&bytes);
        for (x, y) in samples.iter().zip(&back) {
            let error = (i32::from(*x) - i32::from(*y)).abs();
            prop_assert!(error <= (i32::from(*x).abs() + 132) / 32 + 16 || i32::from(*x).abs() > 32_100);
        }
        // encoding what was decoded changes nothing (the codes are fixed points)
        let again = codec.encode(&back);
        let fixed: Vec<u8> = bytes.iter().map(|b| if codec == Codec::Pcmu && *b == 0x7F { 0xFF } else { *b }).collect();
        prop_assert_eq!(again, fixed);
    }

    #[test]
    fn transcoding_in_place_is_decoding_then_encoding(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        from_pcmu in any::<bool>(),
    ) {
        let (from, to) = if from_pcmu { (Codec::Pcmu, Codec::Pcma) } else { (Codec::Pcma, Codec::Pcmu) };
        let mut fast = bytes.clone();
        from.transcode_in_place(to, &mut fast);
        prop_assert_eq!(fast, to.encode(&from.decode(&bytes)));
        let mut same = bytes.clone();
        from.transcode_in_place(from, &mut same);
        prop_assert_eq!(same, bytes);
    }
}
