#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it: bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DRIFTLESS_SHARED="${DRIFTLESS_SHARED:-$(cd .. && pwd)/shared}"
export CARGO_TERM_COLOR=never

bash scripts/setup-test-tools.sh
cargo fmt --all -- --check
cargo machete
cargo clippy --workspace --all-targets --locked -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked
cargo test --workspace --locked
