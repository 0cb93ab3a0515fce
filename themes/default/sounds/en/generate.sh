#!/usr/bin/env bash
# Regenerates this sound pack: the fixed words and digits of announcements and prompts,
# spoken once by espeak-ng, trimmed of leading and trailing silence and peak-normalised with
# sox to mono 16 kHz 16-bit WAV. The WAVs are committed; this script is only needed to
# change the voice or add a word (needs espeak-ng and sox).
set -euo pipefail
cd "$(dirname "$0")"

VOICE="${VOICE:-en}"
SPEED="${SPEED:-155}"

# file name = the word as the composer names it; the text after `=` is what espeak says.
words=(
  zero one two three four five six seven eight nine
  star hash
  call for on park parked goodbye
  please dial to the your is at
  calling code line retrieve reception attention
)

for entry in "${words[@]}"; do
  name="${entry%%=*}"
  text="${entry#*=}"
  raw="$(mktemp --suffix=.wav)"
  espeak-ng -v "$VOICE" -s "$SPEED" -w "$raw" "$text"
  # Trim silence at both ends (the composer places the pauses), then resample and normalise
  # the peak to -3 dBFS so every word sits at the same level.
  sox "$raw" -r 16000 -c 1 -b 16 "$name.wav" \
    silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse \
    norm -3
  rm -f "$raw"
done
du -ch ./*.wav | tail -1
