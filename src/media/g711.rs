//! G.711 companding: µ-law (PCMU, North America and Japan) and A-law (PCMA, everywhere else).
//!
//! Each codec maps a 16-bit linear sample to one byte: a sign, a 3-bit segment (a power of
//! two) and a 4-bit step within the segment, so quiet sounds keep their detail and loud ones
//! keep their range. Decoding returns the middle of the step the byte names, which is what
//! ITU-T G.711 prescribes and what every phone does.
//!
//! The functions are `const`, so the decode and transcode tables are built at compile time.

/// µ-law adds this before finding the segment, so segment boundaries fall on powers of two.
const ULAW_BIAS: i32 = 0x84;
/// The largest magnitude µ-law can represent once the bias is added.
const ULAW_CLIP: i32 = 32_635;

/// A 16-bit linear sample as a µ-law byte.
pub const fn linear_to_ulaw(sample: i16) -> u8 {
    let mut magnitude = sample as i32;
    let sign: u8 = if magnitude < 0 {
        magnitude = -magnitude;
        0x80
    } else {
        0
    };
    if magnitude > ULAW_CLIP {
        magnitude = ULAW_CLIP;
    }
    magnitude += ULAW_BIAS;
    // The segment is the position of the highest set bit above bit 7 (0..=7).
    let mut segment: u8 = 0;
    while segment < 7 && magnitude >= (0x100 << segment) {
        segment += 1;
    }
    let step = ((magnitude >> (segment + 3)) & 0x0F) as u8;
    !(sign | (segment << 4) | step)
}

/// A µ-law byte as a 16-bit linear sample (the middle of its step).
pub const fn ulaw_to_linear(byte: u8) -> i16 {
    let code = !byte;
    let segment = (code >> 4) & 0x07;
    let step = (code & 0x0F) as i32;
    let magnitude = (((step << 3) + ULAW_BIAS) << segment) - ULAW_BIAS;
    if code & 0x80 != 0 {
        -magnitude as i16
    } else {
        magnitude as i16
    }
}

/// A 16-bit linear sample as an A-law byte.
pub const fn linear_to_alaw(sample: i16) -> u8 {
    // A-law works on 13 bits; the even bits are inverted on the wire (the 0x55 mask).
    let mut magnitude = (sample as i32) >> 3;
    let mask: u8 = if magnitude >= 0 {
        0xD5
    } else {
        magnitude = -magnitude - 1;
        0x55
    };
    // Segment 0 and 1 share a step size; above that each segment doubles it.
    let mut segment: u8 = 0;
    while segment < 8 && magnitude >= (0x20 << segment) {
        segment += 1;
    }
    if segment >= 8 {
        return 0x7F ^ mask;
    }
    let shift = if segment < 2 { 1 } else { segment };
    let step = ((magnitude >> shift) & 0x0F) as u8;
    ((segment << 4) | step) ^ mask
}

/// An A-law byte as a 16-bit linear sample (the middle of its step).
pub const fn alaw_to_linear(byte: u8) -> i16 {
    let code = byte ^ 0x55;
    let segment = (code & 0x70) >> 4;
    let mut magnitude = ((code & 0x0F) as i32) << 4;
    magnitude += match segment {
        0 => 8,
        _ => 0x108,
    };
    if segment > 1 {
        magnitude <<= segment - 1;
    }
    if code & 0x80 != 0 {
        magnitude as i16
    } else {
        -magnitude as i16
    }
}

const fn build_table(from_ulaw: bool) -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = if from_ulaw {
            linear_to_alaw(ulaw_to_linear(i as u8))
        } else {
            linear_to_ulaw(alaw_to_linear(i as u8))
        };
        i += 1;
    }
    table
}

/// µ-law byte → the A-law byte for the same sound.
pub static ULAW_TO_ALAW: [u8; 256] = build_table(true);
/// A-law byte → the µ-law byte for the same sound.
pub static ALAW_TO_ULAW: [u8; 256] = build_table(false);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_segment_search_agrees_with_the_highest_set_bit() {
        for s in [0_i16, 1, 100, 1000, 8000, 20000, 32767, -1, -32768] {
            let byte = linear_to_ulaw(s);
            let m = (i32::from(s).abs().min(ULAW_CLIP) + ULAW_BIAS) as u32;
            let expected = (31 - m.leading_zeros()).saturating_sub(7).min(7) as u8;
            assert_eq!((!byte >> 4) & 7, expected, "sample {s}");
        }
    }
}
