#!/bin/bash
# SPDX-License-Identifier: MIT
# Run CMD... against a mock systemd (python3-dbusmock + systemd_kubeprep.py) on a
# private dbus-daemon, with DBUS_SYSTEM_BUS_ADDRESS pointing at it, so tests
# never reach the real system bus. A TAP skip when the tools are missing.
set -euo pipefail

if [ $# -eq 0 ]; then
        echo "usage: $0 CMD [ARG...]" >&2
        exit 2
fi

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
template="$here/systemd_kubeprep.py"

if ! command -v dbus-daemon >/dev/null || ! command -v dbus-send >/dev/null; then
        # A TAP skip: meson reads it from the plan line, not from exit 77.
        echo "1..0 # SKIP dbus-daemon/dbus-send not installed (apt-get install dbus)"
        exit 0
fi
# The Debian package installs dbusmock for /usr/bin/python3, which need not be
# the python3 first in PATH (pyenv, venvs).
python=
for candidate in /usr/bin/python3 "$(command -v python3 || true)"; do
        if [ -x "$candidate" ] && "$candidate" -c 'import dbusmock' 2>/dev/null; then
                python=$candidate
                break
        fi
done
if [ -z "$python" ]; then
        echo "1..0 # SKIP python3-dbusmock not installed (apt-get install python3-dbusmock)"
        exit 0
fi

workdir=$(mktemp -d "${TMPDIR:-/tmp}/kubeprep-mock-systemd.XXXXXX")
daemon_pid=
mock_pid=
cleanup() {
        local pid
        for pid in $mock_pid $daemon_pid; do
                kill "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
        done
        rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A bus of our own: no activatable services, everything allowed, a socket
# nobody else knows about.
cat >"$workdir/bus.conf" <<CONF
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path=$workdir/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
CONF

dbus-daemon --config-file="$workdir/bus.conf" --nofork --nopidfile \
        --print-address=3 3>"$workdir/address" </dev/null 2>"$workdir/daemon.log" &
daemon_pid=$!

for _ in $(seq 100); do
        [ -s "$workdir/address" ] && break
        sleep 0.05
done
if [ ! -s "$workdir/address" ]; then
        echo "run-with-mock-systemd: dbus-daemon did not start" >&2
        exit 1
fi
address=$(head -n1 "$workdir/address")
export DBUS_SYSTEM_BUS_ADDRESS="$address"

"$python" -m dbusmock --system --template "$template" -l "$workdir/mock.log" </dev/null &
mock_pid=$!

for _ in $(seq 200); do
        if dbus-send --bus="$address" --print-reply --dest=org.freedesktop.DBus / \
                org.freedesktop.DBus.NameHasOwner string:org.freedesktop.systemd1 2>/dev/null |
                grep -q 'boolean true'; then
                break
        fi
        if ! kill -0 "$mock_pid" 2>/dev/null; then
                echo "run-with-mock-systemd: the dbusmock process exited" >&2
                exit 1
        fi
        sleep 0.05
done

# Tells the tests they talk to the mock, not to a real systemd.
export KUBEPREP_MOCK_SYSTEMD=1
rc=0
"$@" || rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 77 ] && [ -s "$workdir/mock.log" ]; then
        echo "--- mock systemd call log:" >&2
        cat "$workdir/mock.log" >&2
fi
exit "$rc"
