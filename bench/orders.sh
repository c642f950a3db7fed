#!/usr/bin/env bash
# The same as `scripts/bench orders` (bench/harness/solo/, bench/README.md), kept for the commands in older reports.
exec "$(dirname "${BASH_SOURCE[0]}")/../scripts/bench" orders "$@"
