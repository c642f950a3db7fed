#!/usr/bin/env bash
# The same as `scripts/bench catalog-scale` (bench/harness/solo/, bench/README.md), kept for the commands in older reports.
exec "$(dirname "${BASH_SOURCE[0]}")/../scripts/bench" catalog-scale "$@"
