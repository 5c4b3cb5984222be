#!/usr/bin/env node
// Differential test: s3gate's token check against AWS's own verifier.
//
// For every token of a corpus minted here, two verifiers decide:
//   - aws-jwt-verify (5.x): JwtRsaVerifier (= JwtVerifier) with the issuer, a grace of
//     S3GATE_CLOCK_SKEW seconds and, as customJwtCheck, aws-jwt-verify's own Cognito claim
//     check validateCognitoJwtFields (token_use, aud for ID tokens, client_id for access
//     tokens) -- the same calls CognitoJwtVerifier.verify() makes, minus the pool-id-shaped
//     issuer. The JWKS is fetched over plain http through a SimpleJwksCache whose fetcher
//     uses fetch(), so it goes through aws-jwt-verify's own JWKS parsing (parseJwks /
//     assertIsJwks), as a JWKS fetched from Cognito would.
//   - s3gate: `printf %s "$token" | S3GATE_...=... $S3GATE_BIN check-token`
//     (exit 0 accepted, 1 refused, anything else is a failure of the test).
// Both must agree, except for the cases in STRICTER (aws accepts, s3gate refuses on purpose).
// s3gate accepting a token aws refuses is always a failure. Output is TAP.
//
// Usage: S3GATE_BIN=/path/to/s3gate NODE_PATH=tests/node_modules node diff.cjs [--aws-only]
//   --aws-only   run only the aws-jwt-verify half (checks the corpus against its expected
//                aws decisions; for working on this file without a built s3gate)
"use strict";

const crypto = require("node:crypto");
const http = require("node:http");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const { JwtRsaVerifier } = require("aws-jwt-verify");
const { validateCognitoJwtFields } = require("aws-jwt-verify/cognito-verifier");
const { SimpleJwksCache } = require("aws-jwt-verify/jwk");

// aws-jwt-verify's package.json is not in its "exports": read it next to the resolved entry
const AWS_VERSION = JSON.parse(
  fs.readFileSync(path.join(path.dirname(require.resolve("aws-jwt-verify")), "..", "..", "package.json"), "utf8")
).version;

const AWS_ONLY = process.argv.includes("--aws-only");
const S3GATE_BIN = process.env.S3GATE_BIN;

// ---------------------------------------------------------------------------
// Cases where s3gate is deliberately stricter than aws-jwt-verify: aws accepts, s3gate
// refuses. Only s3gate's documented policy belongs here, never a bug.
const STRICTER = {
  "exp missing": "s3gate requires exp; aws-jwt-verify checks exp only when present",
  "RS384 signed, JWK without alg": "s3gate accepts alg RS256 only; aws allows RS384/RS512 when the JWK has no alg",
  "RS512 signed, JWK alg RS512": "s3gate accepts alg RS256 only (and JWK alg must be RS256 if present)",
  "alg ES256 over an RS256 signature, JWK without alg": "s3gate accepts alg RS256 only; aws maps ES256 to RSA-SHA256 for an RSA key",
  "alg EdDSA over an RS256 signature, JWK without alg": "s3gate accepts alg RS256 only; aws verifies with the RSA key's default digest",
  "ES256 signed with EC JWK": "s3gate accepts alg RS256 and kty RSA only",
  "1024-bit RSA key in JWKS": "s3gate requires an RSA modulus of at least 2048 bits; aws has no size check",
  "iat 10 s ahead, clock_skew 0": "s3gate refuses iat more than clock_skew in the future; aws only type-checks iat",
  "duplicate exp in payload (expired first, valid last)": "s3gate refuses duplicate keys; JSON.parse keeps the last one",
  "duplicate iss in payload (wrong first, right last)": "s3gate refuses duplicate keys; JSON.parse keeps the last one",
  "duplicate kid in header (unknown first, right last)": "s3gate refuses duplicate keys; JSON.parse keeps the last one",
  "duplicate alg in header (none first, RS256 last)": "s3gate refuses duplicate keys; JSON.parse keeps the last one",
  "duplicate key inside a nested object claim": "s3gate refuses duplicate keys at any depth; JSON.parse keeps the last one",
  "payload base64 with '=' padding": "s3gate decodes strict base64url (no padding); aws's regex allows up to two '='",
  "signature base64 with '==' padding": "s3gate decodes strict base64url (no padding); aws's regex allows up to two '='",
  "payload base64 with a dangling 6-bit char": "s3gate decodes strict base64url; Node's Buffer base64 drops a dangling char",
  "signature base64 with non-zero unused trailing bits": "s3gate decodes strict base64url (RFC 4648 §3.5: pad bits must be zero); Node ignores them",
  "oversized token (> 16 KiB of claims)": "s3gate caps tokens at 16 KiB; aws has no size limit",
  "header crit names an unknown extension": "RFC 7515 §4.1.11: s3gate understands no crit extension, so it must refuse; aws ignores crit",
  "sub missing": "s3gate needs sub for the identity every access decision uses; aws does not require it",
  "cognito:groups a string": "s3gate refuses a malformed identity claim that access rules read; aws does not look at groups",
  "lone surrogate escape inside a string claim": "s3gate's strict JSON check refuses unpaired surrogates (RFC 8259 §8.2); JSON.parse keeps them",
  "invalid UTF-8 byte inside a string claim": "s3gate refuses invalid UTF-8 (RFC 8259 §8.1); Node replaces it with U+FFFD",
};

// Whitespace around a token is framing, not part of it: HTTP servers strip it from header
// values (RFC 9110 §5.5) and check-token reads a line. For these, s3gate's decision on the
// token as given must equal aws-jwt-verify's on the trimmed token (while aws, handed the
// untrimmed string, refuses).
const FRAMING = new Set(["trailing space", "trailing newline", "leading space"]);

// ---------------------------------------------------------------------------
// Keys
const gen = (bits) => crypto.generateKeyPairSync("rsa", { modulusLength: bits, publicExponent: 0x10001 });
const keyA = gen(2048); // in the JWKS
const keyB = gen(2048); // never in the JWKS (except the duplicate-kid set)
const keyWeak = gen(1024);
const keyEC = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
const pubJwk = (k) => k.publicKey.export({ format: "jwk" });
const pemA = keyA.publicKey.export({ format: "pem", type: "spki" });

const jwkA = { ...pubJwk(keyA), kid: "kA", alg: "RS256", use: "sig" }; // Cognito-shaped
const JWKS = {
  main: { keys: [jwkA] },
  noalg: { keys: [{ ...pubJwk(keyA), kid: "kA" }] },
  enc: { keys: [jwkA, { ...pubJwk(keyA), kid: "kEnc", alg: "RS256", use: "enc" }] },
  rs512: { keys: [jwkA, { ...pubJwk(keyA), kid: "k512", alg: "RS512", use: "sig" }] },
  ec: { keys: [jwkA, { ...pubJwk(keyEC), kid: "kEC", use: "sig" }] },
  weak: { keys: [jwkA, { ...pubJwk(keyWeak), kid: "k1024", alg: "RS256", use: "sig" }] },
  dupkid: {
    keys: [
      { ...pubJwk(keyB), kid: "kD", alg: "RS256", use: "sig" },
      { ...pubJwk(keyA), kid: "kD", alg: "RS256", use: "sig" },
    ],
  },
};

// ---------------------------------------------------------------------------
// Token minting
const b64u = (x) => Buffer.from(x).toString("base64url");
const b64pad = (x) => Buffer.from(x).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
const enc = (part) => (typeof part === "string" || Buffer.isBuffer(part) ? b64u(part) : b64u(JSON.stringify(part)));

const signers = {
  RS256: (data, key = keyA.privateKey) => crypto.sign("sha256", data, key),
  RS384: (data, key = keyA.privateKey) => crypto.sign("sha384", data, key),
  RS512: (data, key = keyA.privateKey) => crypto.sign("sha512", data, key),
  PS256: (data, key = keyA.privateKey) =>
    crypto.sign("sha256", data, { key, padding: crypto.constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }),
  ES256: (data, key = keyEC.privateKey) => crypto.sign("sha256", data, { key, dsaEncoding: "ieee-p1363" }),
  HS256: (data, secret) => crypto.createHmac("sha256", secret).update(data).digest(),
};

// header/payload: object (JSON-encoded) or string/Buffer (used as the raw JSON bytes)
// h64/p64: override the encoded segment; sign(signingInput) -> Buffer; sig64: override signature
function mint({ header = { alg: "RS256", kid: "kA" }, payload, h64, p64, sign, sig64 } = {}) {
  const hs = h64 ?? enc(header);
  const ps = p64 ?? enc(payload);
  const input = Buffer.from(`${hs}.${ps}`);
  const sig = sig64 ?? b64u((sign ?? ((d) => signers.RS256(d)))(input));
  return `${hs}.${ps}.${sig}`;
}

let ISSUER; // set once the server listens
const CLIENT = "client-1";
const nowS = () => Math.floor(Date.now() / 1000);

function idClaims(over = {}) {
  const now = nowS();
  return {
    sub: "3f0c6a9e-0000-4000-8000-000000000001",
    "cognito:groups": ["readers"],
    email_verified: true,
    iss: ISSUER,
    "cognito:username": "alice",
    aud: CLIENT,
    event_id: "e1",
    token_use: "id",
    auth_time: now,
    exp: now + 3600,
    iat: now,
    jti: "j-id-1",
    email: "alice@example.com",
    ...over,
  };
}
function accessClaims(over = {}) {
  const now = nowS();
  return {
    sub: "3f0c6a9e-0000-4000-8000-000000000001",
    "cognito:groups": ["readers"],
    iss: ISSUER,
    client_id: CLIENT,
    origin_jti: "o1",
    event_id: "e1",
    token_use: "access",
    scope: "aws.cognito.signin.user.admin",
    auth_time: now,
    exp: now + 3600,
    iat: now,
    jti: "j-at-1",
    username: "alice",
    ...over,
  };
}
const omit = (o, ...ks) => Object.fromEntries(Object.entries(o).filter(([k]) => !ks.includes(k)));
// Raw JSON of an object with extra raw members appended (to duplicate keys)
const withRaw = (o, raw) => JSON.stringify(o).slice(0, -1) + "," + raw + "}";
// Claims whose JSON length is a given residue mod 3 (so base64 needs padding), or whose
// base64url length is 0 mod 4 (so one char can dangle)
function padTo(claims, pred) {
  for (let i = 0; i < 8; i++) {
    const c = { ...claims, pad: "x".repeat(i) };
    if (pred(Buffer.from(JSON.stringify(c)))) return c;
  }
  throw new Error("padTo: no fit");
}

// ---------------------------------------------------------------------------
// The corpus. cfg: tokenUse id|access|any, clients [..], skew seconds, jwks set name.
// aws: the decision aws-jwt-verify is expected to make (checked: guards the corpus itself).
const cases = [
  // --- baseline and token_use configurations
  { name: "valid ID token", aws: "accept", token: () => mint({ payload: idClaims() }) },
  { name: "valid access token", cfg: { tokenUse: "access" }, aws: "accept", token: () => mint({ payload: accessClaims() }) },
  { name: "token_use any accepts an ID token", cfg: { tokenUse: "any" }, aws: "accept", token: () => mint({ payload: idClaims() }) },
  { name: "token_use any accepts an access token", cfg: { tokenUse: "any" }, aws: "accept", token: () => mint({ payload: accessClaims() }) },
  { name: "token_use id refuses an access token", aws: "refuse", token: () => mint({ payload: accessClaims() }) },
  { name: "token_use access refuses an ID token", cfg: { tokenUse: "access" }, aws: "refuse", token: () => mint({ payload: idClaims() }) },
  { name: "token_use claim missing (config any)", cfg: { tokenUse: "any" }, aws: "refuse", token: () => mint({ payload: omit(idClaims(), "token_use") }) },
  { name: "token_use refresh (config any)", cfg: { tokenUse: "any" }, aws: "refuse", token: () => mint({ payload: idClaims({ token_use: "refresh" }) }) },

  // --- keys, kid, alg
  { name: "signed with key B (not in JWKS) under kid kA", aws: "refuse", token: () => mint({ payload: idClaims(), sign: (d) => signers.RS256(d, keyB.privateKey) }) },
  { name: "unknown kid", aws: "refuse", token: () => mint({ header: { alg: "RS256", kid: "nope" }, payload: idClaims() }) },
  { name: "missing kid", aws: "refuse", token: () => mint({ header: { alg: "RS256" }, payload: idClaims() }) },
  { name: "empty kid", aws: "refuse", token: () => mint({ header: { alg: "RS256", kid: "" }, payload: idClaims() }) },
  { name: "kid is a number", aws: "refuse", token: () => mint({ header: { alg: "RS256", kid: 1 }, payload: idClaims() }) },
  { name: "alg none, empty signature", aws: "refuse", token: () => mint({ header: { alg: "none", kid: "kA" }, payload: idClaims() }).replace(/[^.]*$/, "") },
  { name: "alg none, RS256 signature kept", aws: "refuse", token: () => mint({ header: { alg: "none", kid: "kA" }, payload: idClaims() }) },
  { name: "alg missing", aws: "refuse", token: () => mint({ header: { kid: "kA" }, payload: idClaims() }) },
  { name: "HS256 with the public key PEM as secret", aws: "refuse", token: () => mint({ header: { alg: "HS256", kid: "kA" }, payload: idClaims(), sign: (d) => signers.HS256(d, pemA) }) },
  { name: "HS256 with the public key PEM as secret, JWK without alg", cfg: { jwks: "noalg" }, aws: "refuse", token: () => mint({ header: { alg: "HS256", kid: "kA" }, payload: idClaims(), sign: (d) => signers.HS256(d, pemA) }) },
  { name: "RS384 signed, JWK alg RS256", aws: "refuse", token: () => mint({ header: { alg: "RS384", kid: "kA" }, payload: idClaims(), sign: (d) => signers.RS384(d) }) },
  { name: "RS384 signed, JWK without alg", cfg: { jwks: "noalg" }, aws: "accept", token: () => mint({ header: { alg: "RS384", kid: "kA" }, payload: idClaims(), sign: (d) => signers.RS384(d) }) },
  { name: "PS256 signed, JWK alg RS256", aws: "refuse", token: () => mint({ header: { alg: "PS256", kid: "kA" }, payload: idClaims(), sign: (d) => signers.PS256(d) }) },
  { name: "PS256 signed, JWK without alg", cfg: { jwks: "noalg" }, aws: "refuse", token: () => mint({ header: { alg: "PS256", kid: "kA" }, payload: idClaims(), sign: (d) => signers.PS256(d) }) },
  { name: "alg rs256 (lower case)", aws: "refuse", token: () => mint({ header: { alg: "rs256", kid: "kA" }, payload: idClaims() }) },
  { name: "alg rs256 (lower case), JWK without alg", cfg: { jwks: "noalg" }, aws: "refuse", token: () => mint({ header: { alg: "rs256", kid: "kA" }, payload: idClaims() }) },
  { name: "alg ES256 over an RS256 signature, JWK without alg", cfg: { jwks: "noalg" }, aws: "accept", token: () => mint({ header: { alg: "ES256", kid: "kA" }, payload: idClaims() }) },
  { name: "alg EdDSA over an RS256 signature, JWK without alg", cfg: { jwks: "noalg" }, aws: "accept", token: () => mint({ header: { alg: "EdDSA", kid: "kA" }, payload: idClaims() }) },
  { name: "valid RS256, JWK without alg and use", cfg: { jwks: "noalg" }, aws: "accept", token: () => mint({ payload: idClaims() }) },
  { name: "JWK use enc", cfg: { jwks: "enc" }, aws: "refuse", token: () => mint({ header: { alg: "RS256", kid: "kEnc" }, payload: idClaims() }) },
  { name: "JWK alg RS512, RS256 token", cfg: { jwks: "rs512" }, aws: "refuse", token: () => mint({ header: { alg: "RS256", kid: "k512" }, payload: idClaims() }) },
  { name: "RS512 signed, JWK alg RS512", cfg: { jwks: "rs512" }, aws: "accept", token: () => mint({ header: { alg: "RS512", kid: "k512" }, payload: idClaims(), sign: (d) => signers.RS512(d) }) },
  { name: "JWK kty EC under the kid, RS256 token", cfg: { jwks: "ec" }, aws: "refuse", token: () => mint({ header: { alg: "RS256", kid: "kEC" }, payload: idClaims() }) },
  { name: "ES256 signed with EC JWK", cfg: { jwks: "ec" }, aws: "accept", token: () => mint({ header: { alg: "ES256", kid: "kEC" }, payload: idClaims(), sign: (d) => signers.ES256(d) }) },
  { name: "valid RS256 from a JWKS that also holds an EC key", cfg: { jwks: "ec" }, aws: "accept", token: () => mint({ payload: idClaims() }) },
  { name: "1024-bit RSA key in JWKS", cfg: { jwks: "weak" }, aws: "accept", token: () => mint({ header: { alg: "RS256", kid: "k1024" }, payload: idClaims(), sign: (d) => signers.RS256(d, keyWeak.privateKey) }) },
  { name: "valid RS256 from a JWKS that also holds a 1024-bit key", cfg: { jwks: "weak" }, aws: "accept", token: () => mint({ payload: idClaims() }) },
  { name: "kid twice in JWKS (wrong key first, signing key second)", cfg: { jwks: "dupkid" }, aws: "refuse", token: () => mint({ header: { alg: "RS256", kid: "kD" }, payload: idClaims() }) },
  { name: "header typ foo and jku elsewhere (both ignored)", aws: "accept", token: () => mint({ header: { alg: "RS256", kid: "kA", typ: "foo", jku: "http://127.0.0.2/evil.json" }, payload: idClaims() }) },
  { name: "header crit names an unknown extension", aws: "accept", token: () => mint({ header: { alg: "RS256", kid: "kA", crit: ["x-unknown"], "x-unknown": 1 }, payload: idClaims() }) },

  // --- exp / nbf / iat
  { name: "expired by 1 s", aws: "refuse", token: () => mint({ payload: idClaims({ exp: nowS() - 1 }) }) },
  { name: "expired by 1 s, clock_skew 30", cfg: { skew: 30 }, aws: "accept", token: () => mint({ payload: idClaims({ exp: nowS() - 1 }) }) },
  { name: "expired by 40 s, clock_skew 30", cfg: { skew: 30 }, aws: "refuse", token: () => mint({ payload: idClaims({ exp: nowS() - 40 }) }) },
  { name: "exp missing", aws: "accept", token: () => mint({ payload: omit(idClaims(), "exp") }) },
  { name: "exp a string", aws: "refuse", token: () => mint({ payload: idClaims({ exp: String(nowS() + 3600) }) }) },
  { name: "exp null", aws: "refuse", token: () => mint({ payload: idClaims({ exp: null }) }) },
  { name: "exp fractional, in the future", aws: "accept", token: () => mint({ payload: idClaims({ exp: nowS() + 3600.5 }) }) },
  { name: "exp in exponent notation, in the future", aws: "accept", token: () => mint({ payload: withRaw(omit(idClaims(), "exp"), `"exp":${(nowS() + 3600) / 1e9}e9`) }) },
  { name: "huge exp (1e308)", aws: "accept", token: () => mint({ payload: idClaims({ exp: 1e308 }) }) },
  { name: "exp 1e400 (overflows to Infinity)", aws: "refuse", token: () => mint({ payload: withRaw(omit(idClaims(), "exp"), `"exp":1e400`) }) },
  { name: "negative exp", aws: "refuse", token: () => mint({ payload: idClaims({ exp: -1 }) }) },
  { name: "nbf 60 s ahead", aws: "refuse", token: () => mint({ payload: idClaims({ nbf: nowS() + 60 }) }) },
  { name: "nbf 10 s ahead, clock_skew 30", cfg: { skew: 30 }, aws: "accept", token: () => mint({ payload: idClaims({ nbf: nowS() + 10 }) }) },
  { name: "nbf in the past", aws: "accept", token: () => mint({ payload: idClaims({ nbf: nowS() - 60 }) }) },
  { name: "nbf a string", aws: "refuse", token: () => mint({ payload: idClaims({ nbf: String(nowS() - 60) }) }) },
  { name: "iat 10 s ahead, clock_skew 0", aws: "accept", token: () => mint({ payload: idClaims({ iat: nowS() + 10 }) }) },
  { name: "iat 10 s ahead, clock_skew 30", cfg: { skew: 30 }, aws: "accept", token: () => mint({ payload: idClaims({ iat: nowS() + 10 }) }) },
  { name: "iat a string", aws: "refuse", token: () => mint({ payload: idClaims({ iat: "yesterday" }) }) },

  // --- iss / aud / client_id
  { name: "wrong iss", aws: "refuse", token: () => mint({ payload: idClaims({ iss: "http://127.0.0.1:1/other-pool" }) }) },
  { name: "iss with trailing slash", aws: "refuse", token: () => mint({ payload: idClaims({ iss: ISSUER + "/" }) }) },
  { name: "iss missing", aws: "refuse", token: () => mint({ payload: omit(idClaims(), "iss") }) },
  { name: "iss a number", aws: "refuse", token: () => mint({ payload: idClaims({ iss: 42 }) }) },
  { name: "aud array containing the client (ID token)", aws: "refuse", token: () => mint({ payload: idClaims({ aud: ["other", CLIENT] }) }) },
  { name: "aud array with a non-string element", aws: "refuse", token: () => mint({ payload: idClaims({ aud: [CLIENT, 7] }) }) },
  { name: "aud wrong", aws: "refuse", token: () => mint({ payload: idClaims({ aud: "client-x" }) }) },
  { name: "aud missing (ID token)", aws: "refuse", token: () => mint({ payload: omit(idClaims(), "aud") }) },
  { name: "access token client_id wrong", cfg: { tokenUse: "access" }, aws: "refuse", token: () => mint({ payload: accessClaims({ client_id: "client-x" }) }) },
  { name: "access token client_id missing", cfg: { tokenUse: "access" }, aws: "refuse", token: () => mint({ payload: omit(accessClaims(), "client_id") }) },
  { name: "access token client_id an array containing the client", cfg: { tokenUse: "access" }, aws: "refuse", token: () => mint({ payload: accessClaims({ client_id: [CLIENT] }) }) },
  { name: "two client ids configured, ID token for the second", cfg: { clients: ["client-0", CLIENT] }, aws: "accept", token: () => mint({ payload: idClaims() }) },
  { name: "two client ids configured, access token for the second", cfg: { tokenUse: "access", clients: ["client-0", CLIENT] }, aws: "accept", token: () => mint({ payload: accessClaims() }) },
  { name: "sub missing", aws: "accept", token: () => mint({ payload: omit(idClaims(), "sub") }) },
  { name: "cognito:groups a string", aws: "accept", token: () => mint({ payload: idClaims({ "cognito:groups": "readers" }) }) },
  { name: "sub a number", aws: "refuse", token: () => mint({ payload: idClaims({ sub: 12345 }) }) },

  // --- JSON shape
  { name: "duplicate exp in payload (expired first, valid last)", aws: "accept", token: () => mint({ payload: withRaw(omit(idClaims(), "exp"), `"exp":${nowS() - 100},"exp":${nowS() + 3600}`) }) },
  { name: "duplicate exp in payload (valid first, expired last)", aws: "refuse", token: () => mint({ payload: withRaw(omit(idClaims(), "exp"), `"exp":${nowS() + 3600},"exp":${nowS() - 100}`) }) },
  { name: "duplicate iss in payload (wrong first, right last)", aws: "accept", token: () => mint({ payload: withRaw(omit(idClaims(), "iss"), `"iss":"http://evil.example/pool","iss":${JSON.stringify(ISSUER)}`) }) },
  { name: "duplicate kid in header (unknown first, right last)", aws: "accept", token: () => mint({ header: `{"alg":"RS256","kid":"nope","kid":"kA"}`, payload: idClaims() }) },
  { name: "duplicate alg in header (none first, RS256 last)", aws: "accept", token: () => mint({ header: `{"alg":"none","kid":"kA","alg":"RS256"}`, payload: idClaims() }) },
  { name: "duplicate key inside a nested object claim", aws: "accept", token: () => mint({ payload: withRaw(idClaims(), `"address":{"street":"a","street":"b"}`) }) },
  { name: "payload a JSON array", aws: "refuse", token: () => mint({ payload: JSON.stringify([idClaims()]) }) },
  { name: "payload not JSON", aws: "refuse", token: () => mint({ payload: "this is not json" }) },
  { name: "header a JSON array", aws: "refuse", token: () => mint({ header: `[{"alg":"RS256","kid":"kA"}]`, payload: idClaims() }) },
  { name: "payload JSON with surrounding whitespace", aws: "accept", token: () => mint({ payload: ` \n${JSON.stringify(idClaims())}\t ` }) },
  { name: "raw control character (U+0001) inside a string claim", aws: "refuse", token: () => mint({ payload: withRaw(idClaims(), `"nick":"a\u0001b"`) }) },
  { name: "raw newline inside a string claim", aws: "refuse", token: () => mint({ payload: withRaw(idClaims(), `"nick":"a\nb"`) }) },
  { name: "exp with leading zeros", aws: "refuse", token: () => mint({ payload: withRaw(omit(idClaims(), "exp"), `"exp":00${nowS() + 3600}`) }) },
  { name: "exp with a trailing dot", aws: "refuse", token: () => mint({ payload: withRaw(omit(idClaims(), "exp"), `"exp":${nowS() + 3600}.`) }) },
  { name: "lone surrogate escape inside a string claim", aws: "accept", token: () => mint({ payload: withRaw(idClaims(), `"nick":"a\\ud800b"`) }) },
  { name: "iss followed by an escaped NUL and junk", aws: "refuse", token: () => mint({ payload: withRaw(omit(idClaims(), "iss"), `"iss":${JSON.stringify(ISSUER + "\u0000.evil")}`) }) },
  { name: "aud followed by an escaped NUL and junk", aws: "refuse", token: () => mint({ payload: idClaims({ aud: CLIENT + "\u0000x" }) }) },
  { name: "invalid UTF-8 byte inside a string claim", aws: "accept", token: () => mint({ payload: Buffer.concat([Buffer.from(withRaw(idClaims(), `"nick":"a`)).subarray(0, -1), Buffer.from([0xff]), Buffer.from(`"}`)]) }) },

  // --- framing and base64url
  { name: "extra dot (four segments)", aws: "refuse", token: () => mint({ payload: idClaims() }) + ".AAAA" },
  { name: "two segments only", aws: "refuse", token: () => mint({ payload: idClaims() }).replace(/\.[^.]*$/, "") },
  { name: "empty signature", aws: "refuse", token: () => mint({ payload: idClaims() }).replace(/[^.]*$/, "") },
  { name: "signature truncated by one char", aws: "refuse", token: () => mint({ payload: idClaims() }).slice(0, -1) },
  {
    name: "payload base64 with '=' padding",
    aws: "accept",
    token: () => mint({ p64: b64pad(JSON.stringify(padTo(idClaims(), (b) => b.length % 3 !== 0))) }),
  },
  { name: "signature base64 with '==' padding", aws: "accept", token: () => mint({ payload: idClaims() }) + "==" },
  {
    name: "signature with standard-alphabet chars ('+', '/')",
    aws: "refuse",
    token: () => {
      // re-mint until the signature has a '-' or '_' to turn into '+' or '/'
      for (let i = 0; ; i++) {
        const t = mint({ payload: idClaims({ jti: `j-${i}` }) });
        const sig = t.split(".")[2];
        if (/[-_]/.test(sig)) return t.replace(/[^.]*$/, sig.replace(/-/g, "+").replace(/_/g, "/"));
      }
    },
  },
  {
    name: "payload base64 with a dangling 6-bit char",
    aws: "accept",
    token: () => mint({ p64: b64u(JSON.stringify(padTo(idClaims(), (b) => b64u(b).length % 4 === 0))) + "A" }),
  },
  {
    name: "signature base64 with non-zero unused trailing bits",
    aws: "accept",
    token: () => {
      const t = mint({ payload: idClaims() });
      const A = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
      // 256 signature bytes = 342 chars; the last char carries 2 data bits and 4 unused bits
      const last = A.indexOf(t[t.length - 1]);
      return t.slice(0, -1) + A[last ^ 0x01]; // canonical: the 4 low bits are 0
    },
  },
  { name: "trailing space", aws: "refuse", token: () => mint({ payload: idClaims() }) + " " },
  { name: "trailing newline", aws: "refuse", token: () => mint({ payload: idClaims() }) + "\n" },
  { name: "leading space", aws: "refuse", token: () => " " + mint({ payload: idClaims() }) },
  { name: "header over 2 KiB, token under 16 KiB", aws: "accept", token: () => mint({ header: { alg: "RS256", kid: "kA", x5t: "h".repeat(2100) }, payload: idClaims() }) },
  { name: "large token under the cap (~15 KiB)", aws: "accept", token: () => mint({ payload: idClaims({ blob: "b".repeat(10500) }) }) },
  { name: "oversized token (> 16 KiB of claims)", aws: "accept", token: () => mint({ payload: idClaims({ blob: "b".repeat(17 * 1024) }) }) },
];

// ---------------------------------------------------------------------------
// JWKS server (plain http, 127.0.0.1, free port); /<set>/jwks.json
function startServer() {
  const server = http.createServer((req, res) => {
    const m = /^\/([a-z0-9]+)\/jwks\.json$/.exec(req.url);
    const set = m && JWKS[m[1]];
    if (!set) {
      res.writeHead(404, { "content-type": "text/plain" });
      return res.end("not found\n");
    }
    const body = JSON.stringify(set);
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

// ---------------------------------------------------------------------------
// aws-jwt-verify's decision
const httpFetcher = {
  async fetch(uri) {
    const r = await fetch(uri);
    if (r.status !== 200) throw new Error(`JWKS fetch ${uri}: HTTP ${r.status}`);
    return r.arrayBuffer();
  },
};
function awsVerifier(cfg, jwksUri, jwksCache) {
  return JwtRsaVerifier.create(
    {
      issuer: ISSUER,
      audience: null, // checked by validateCognitoJwtFields, as CognitoJwtVerifier does
      jwksUri,
      graceSeconds: cfg.skew,
      customJwtCheck: ({ payload }) =>
        validateCognitoJwtFields(payload, {
          tokenUse: cfg.tokenUse === "any" ? null : cfg.tokenUse,
          clientId: cfg.clients,
          groups: null,
        }),
    },
    jwksCache ? { jwksCache } : undefined
  );
}
async function awsDecide(token, cfg, jwksUri) {
  const v = awsVerifier(cfg, jwksUri, new SimpleJwksCache({ fetcher: httpFetcher }));
  try {
    await v.verify(token);
    return { accepted: true, why: "accepted" };
  } catch (e) {
    return { accepted: false, why: `${e.constructor.name}: ${e.message}` };
  }
}
// Same, with the JWKS handed over by cacheJwks() instead of fetched (diagnostic only)
async function awsDecideCached(token, cfg, jwksUri, set) {
  const v = awsVerifier(cfg, jwksUri);
  v.cacheJwks(JSON.parse(JSON.stringify(JWKS[set])));
  try {
    v.verifySync(token);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------
// s3gate's decision
function s3gateDecide(token, cfg, jwksUri) {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3gate-jwtdiff-"));
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("S3GATE_")));
  Object.assign(env, {
    S3GATE_ISSUER: ISSUER,
    S3GATE_JWKS_URL: jwksUri,
    S3GATE_CLIENT_ID: cfg.clients.join(","),
    S3GATE_TOKEN_USE: cfg.tokenUse,
    S3GATE_CLOCK_SKEW: String(cfg.skew),
    S3GATE_CACHE_DIR: cacheDir,
    S3GATE_BUCKET: "docs",
    S3GATE_REGION: "us-east-1",
    S3GATE_FLOW: "none",
  });
  return new Promise((resolve) => {
    const child = spawn(S3GATE_BIN, ["check-token"], { env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), 20000);
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", (e) => {
      clearTimeout(timer);
      fs.rmSync(cacheDir, { recursive: true, force: true });
      resolve({ code: null, signal: null, out, err: String(e) });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      fs.rmSync(cacheDir, { recursive: true, force: true });
      resolve({ code, signal, out, err });
    });
    child.stdin.on("error", () => {}); // s3gate may refuse before reading everything
    child.stdin.end(token);
  });
}

// ---------------------------------------------------------------------------
const oneLine = (s, n = 200) => {
  const t = String(s)
    .replace(/\s+/g, " ")
    .replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`)
    .trim();
  return t.length > n ? t.slice(0, n) + "..." : t;
};

async function main() {
  // sanity of the tables
  const names = new Set();
  for (const c of cases) {
    if (names.has(c.name)) throw new Error(`duplicate case name: ${c.name}`);
    names.add(c.name);
  }
  for (const n of [...Object.keys(STRICTER), ...FRAMING]) {
    if (!names.has(n)) throw new Error(`STRICTER or FRAMING names an unknown case: ${n}`);
  }

  if (!/^5\./.test(AWS_VERSION)) {
    console.log(`Bail out! aws-jwt-verify 5.x expected, found ${AWS_VERSION}`);
    process.exit(99);
  }
  if (!AWS_ONLY) {
    if (!S3GATE_BIN) {
      console.log("1..0 # SKIP S3GATE_BIN not set (use --aws-only to check the aws half alone)");
      process.exit(77);
    }
    try {
      fs.accessSync(S3GATE_BIN, fs.constants.X_OK);
    } catch {
      console.log(`Bail out! S3GATE_BIN=${S3GATE_BIN} is not an executable file`);
      process.exit(99);
    }
  }

  const server = await startServer();
  const port = server.address().port;
  ISSUER = `http://127.0.0.1:${port}/us-east-1_jwtdiff`;

  console.log(`1..${cases.length}`);
  console.log(`# aws-jwt-verify ${AWS_VERSION}, node ${process.version}` +
    (AWS_ONLY ? ", --aws-only" : `, s3gate ${S3GATE_BIN}`));
  let failed = 0;
  let n = 0;
  for (const c of cases) {
    n++;
    const cfg = { tokenUse: "id", clients: [CLIENT], skew: 0, jwks: "main", ...(c.cfg || {}) };
    const jwksUri = `http://127.0.0.1:${port}/${cfg.jwks}/jwks.json`;
    const token = c.token();
    const aws = await awsDecide(token, cfg, jwksUri);
    const awsCached = await awsDecideCached(token, cfg, jwksUri, cfg.jwks);
    const problems = [];
    const notes = [];

    if (aws.accepted !== (c.aws === "accept")) {
      problems.push(`corpus: aws-jwt-verify was expected to ${c.aws}, it said: ${aws.why}`);
    }
    if (awsCached !== aws.accepted) {
      notes.push(`aws-jwt-verify decides differently when the JWKS is given by cacheJwks(): ${awsCached ? "accept" : "refuse"}`);
    }

    let s3 = "-";
    if (!AWS_ONLY) {
      const r = await s3gateDecide(token, cfg, jwksUri);
      if (r.code === 0) s3 = "accept";
      else if (r.code === 1) s3 = "refuse";
      else {
        s3 = "error";
        problems.push(`s3gate exited ${r.code === null ? `by signal ${r.signal}` : r.code}: ${oneLine(r.err)}`);
      }
      let awsS = aws.accepted ? "accept" : "refuse";
      if (FRAMING.has(c.name)) {
        awsS = (await awsDecide(token.trim(), cfg, jwksUri)).accepted ? "accept" : "refuse";
        notes.push(`framing: compared with aws-jwt-verify on the trimmed token (${awsS})`);
      }
      if (s3 !== "error") {
        if (c.name in STRICTER) {
          if (!(awsS === "accept" && s3 === "refuse")) {
            problems.push(`listed as deliberately stricter (${STRICTER[c.name]}) but aws=${awsS} s3gate=${s3}`);
          }
        } else if (awsS !== s3) {
          problems.push(s3 === "accept"
            ? "s3gate ACCEPTS a token aws-jwt-verify refuses"
            : "s3gate refuses a token aws-jwt-verify accepts (not a listed deliberate strictness)");
        }
      }
      notes.push(`aws: ${oneLine(aws.why)}`);
      notes.push(`s3gate: ${s3}${s3 !== "accept" && r.err ? ": " + oneLine(r.err) : ""}`);
    } else {
      notes.push(`aws: ${oneLine(aws.why)}`);
    }

    const tag = c.name in STRICTER ? " (s3gate deliberately stricter)" : "";
    if (problems.length) {
      failed++;
      console.log(`not ok ${n} - ${c.name}${tag}`);
      for (const p of problems) console.log(`#   ${p}`);
      console.log(`#   token (${token.length} bytes): ${oneLine(JSON.stringify(token), 160)}`);
    } else {
      console.log(`ok ${n} - ${c.name}${tag}`);
    }
    for (const m of notes) console.log(`#   ${m}`);
  }
  server.close();
  console.log(`# ${n - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.log(`Bail out! ${e && e.stack ? e.stack : e}`);
  process.exit(99);
});
