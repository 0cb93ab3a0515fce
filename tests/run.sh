#!/usr/bin/env bash
# The whole test suite, from a fresh Debian machine with the Rust toolchain:
# installs the system packages the tests need, then runs the quality gates and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v tmux >/dev/null 2>&1 || need+=(tmux)
# The default build plays audio through ALSA (rodio/cpal): its headers and pkg-config.
command -v pkg-config >/dev/null 2>&1 || need+=(pkg-config)
dpkg -s libasound2-dev >/dev/null 2>&1 || need+=(libasound2-dev)
# The announcer speaks names with espeak-ng; the tests check it does.
command -v espeak-ng >/dev/null 2>&1 || need+=(espeak-ng)
# Real calls are tested against SIPp (Debian's sip-tester) and baresip.
command -v sipp >/dev/null 2>&1 || need+=(sip-tester)
command -v baresip >/dev/null 2>&1 || need+=(baresip-core)
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  echo "installing: ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}"
fi

echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --all-targets -- -D warnings
echo "== cargo clippy --all-targets --no-default-features -- -D warnings (no playback, no ALSA)"
cargo clippy --all-targets --no-default-features -- -D warnings
echo "== cargo test"
cargo test --no-fail-fast
