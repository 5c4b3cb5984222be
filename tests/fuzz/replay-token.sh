#!/bin/sh
# Replays the token fuzz target's seed corpus (and any crash reproducers kept
# there) through the parser; under --enable-sanitizers a memory error fails it.
exec "${builddir:-.}/tests/fuzz/fuzz_token_replay" "${srcdir:-.}/tests/fuzz/corpus/token"
