#!/usr/bin/env bash
# Runs promtool with the given arguments. promtool comes from Debian's prometheus package, downloaded with apt and
# unpacked (not installed: no Prometheus server, no service) into .stack/bin beside the stack command, once. The Go tool
# (github.com/prometheus/prometheus/cmd/promtool) was measured at 8 to 9 minutes for a cold build on this project's
# 2-core machines, which every fresh CI machine would pay; the Debian one unpacks in seconds. A promtool on PATH is
# used as it is.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
bin="$root/.stack/bin/promtool"
if command -v promtool >/dev/null 2>&1; then
	exec promtool "$@"
fi
if [ ! -x "$bin" ]; then
	tmp="$(mktemp -d)"
	# A fresh machine has empty package lists: refresh once and retry (as the stack's apt helper does).
	if ! (cd "$tmp" && apt-get download -q prometheus >/dev/null 2>&1); then
		apt-get update -q >/dev/null
		(cd "$tmp" && apt-get download -q prometheus >/dev/null)
	fi
	dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/pkg"
	mkdir -p "$(dirname "$bin")"
	cp "$tmp/pkg/usr/bin/promtool" "$bin"
	rm -rf "$tmp"
fi
exec "$bin" "$@"
