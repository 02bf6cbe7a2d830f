#!/usr/bin/env bash
# Makes sure every tool the test suite needs is on this machine.
# Idempotent; safe on a fresh CI machine (runs as root there).
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v git >/dev/null || need_apt+=(git)
command -v kubectl >/dev/null || echo "warning: kubectl not on PATH; simulator tests that drive kubectl will fail" >&2
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
# The Jsonnet oracle of driftless-render's tests (Debian's C++ `jsonnet`).
command -v jsonnet >/dev/null || need_apt+=(jsonnet)
# The HTTPS chart repository of the TLS tests (`openssl s_server -WWW`, test certificates).
command -v openssl >/dev/null || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}"
fi

# The real helm (test oracle only) and kubectl 1.35, from ../shared.
shared="${DRIFTLESS_SHARED:-$(cd .. && pwd)/shared}"
if [ -f "$shared/tools/install-helm.sh" ]; then
  mkdir -p .tools
  bash "$shared/tools/install-helm.sh" "$(pwd)/.tools" >/dev/null
else
  echo "warning: $shared/tools/install-helm.sh not found; Helm oracle tests will report that they cannot run" >&2
fi

# The official Python kubernetes client (the simulator's second, independent client test).
if [ ! -d .tools/python/kubernetes ]; then
  mkdir -p .tools
  python3 -m pip install -q --disable-pip-version-check --target .tools/python kubernetes >/dev/null 2>&1 \
    || echo "warning: could not install the Python kubernetes client into .tools/python" >&2
fi

# cargo-machete: finds dependencies a crate declares but never uses (scripts/test.sh).
command -v cargo-machete >/dev/null || cargo install cargo-machete --locked

# --- chart repositories and OCI registries (driftless-charts, driftless-runtime chart tests) ---
# Debian's docker-registry (the CNCF distribution registry, /usr/bin/docker-registry): the tests
# start their own on a free loopback port with storage in a temporary directory and push to it
# with the reference `helm push --plain-http`. The packaged service is not needed.
if [ ! -x /usr/bin/docker-registry ]; then
  apt-get update -qq && apt-get install -y -qq docker-registry
fi
# --- end chart repositories block ---
