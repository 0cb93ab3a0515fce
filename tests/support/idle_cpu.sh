#!/usr/bin/env bash
# Idle CPU of a `parkdesk monitor` (release build) on a live engine holding 8 parked calls,
# measured from /proc/PID/stat (utime + stime) over 60 s. Needs tmux and bc.
#   cargo build --release && tests/support/idle_cpu.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=$PWD/target/release/parkdesk
SECONDS_MEASURED=${SECONDS_MEASURED:-60}
D=$(mktemp -d)
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
SOCK=pd-idle-cpu-$$
cat > "$D/engine.toml" <<TOML
[server]
listen = "127.0.0.1:$PORT"
[store]
path = "$D/parkdesk.db"
[log]
dir = "$D/logs"
[sim]
enabled = true
[[tokens]]
token = "reception-secret"
user = "reception"
roles = ["receptionist"]
[[tokens]]
token = "wall-secret"
user = "wallboard"
roles = ["monitor"]
[[users]]
id = "reception"
name = "Reception"
numbers = ["100"]
voice_enabled = true
[[policies]]
name = "global"
allow_park = true
TOML
printf '[log]\ndir = "%s/console-logs"\n' "$D" > "$D/console.toml"
"$BIN" engine --config "$D/engine.toml" 2>/dev/null >/dev/null &
ENGINE=$!
cleanup() { tmux -L "$SOCK" kill-server 2>/dev/null || true; kill "$ENGINE" 2>/dev/null || true; rm -rf "$D"; }
trap cleanup EXIT
URL=ws://127.0.0.1:$PORT/v1
for _ in $(seq 50); do "$BIN" --config "$D/console.toml" admin --engine "$URL" op ping >/dev/null 2>&1 && break; sleep 0.1; done
for n in 1 2 3 4 5 6 7 8; do
  C=$(PARKDESK_TOKEN=reception-secret "$BIN" --config "$D/console.toml" admin --engine "$URL" \
        op sim.offer "from={\"number\":\"+1555010$n\",\"name\":\"Caller $n\"}" to=reception | grep -o 'c-[0-9]*')
  PARKDESK_TOKEN=reception-secret "$BIN" --config "$D/console.toml" admin --engine "$URL" \
    op park call="$C" timeout=1800 >/dev/null
done
# The token reaches the monitor through the tmux server's environment, not its command line.
PARKDESK_TOKEN=wall-secret tmux -L "$SOCK" -f /dev/null new-session -d -s m -x 120 -y 40 \
  "exec '$BIN' --config '$D/console.toml' monitor --engine '$URL'"
sleep 3
MON=$(tmux -L "$SOCK" display-message -p -t m '#{pane_pid}')
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
m0=$(ticks "$MON"); e0=$(ticks "$ENGINE")
sleep "$SECONDS_MEASURED"
m1=$(ticks "$MON"); e1=$(ticks "$ENGINE")
HZ=$(getconf CLK_TCK)
pct() { echo "scale=3; $1 * 100 / $HZ / $SECONDS_MEASURED" | bc; }
echo "monitor (pid $MON): $((m1 - m0)) ticks of 1/$HZ s in $SECONDS_MEASURED s = $(pct $((m1 - m0))) % of one core"
echo "engine  (pid $ENGINE): $((e1 - e0)) ticks = $(pct $((e1 - e0))) % of one core"
