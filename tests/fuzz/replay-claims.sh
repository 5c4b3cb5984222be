#!/bin/sh
# Replays the claims fuzz target's seed corpus through the JSON checks.
exec "${builddir:-.}/tests/fuzz/fuzz_claims_replay" "${srcdir:-.}/tests/fuzz/corpus/claims"
