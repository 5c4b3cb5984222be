#!/bin/sh
# Replays the policy fuzz target's seed corpus (address lists, X-Forwarded-For, rules).
exec "${builddir:-.}/tests/fuzz/fuzz_policy_replay" "${srcdir:-.}/tests/fuzz/corpus/policy"
