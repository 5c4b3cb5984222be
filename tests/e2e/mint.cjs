#!/usr/bin/env node
// mint.cjs: RSA keys, JWKS documents and RS256 tokens for s3gate's tests,
// with nothing but node's crypto.
//
//   node mint.cjs keygen OUT.pem
//       a new RSA-2048 private key (PKCS#8 PEM)
//   node mint.cjs jwks KEY.pem:KID [KEY.pem:KID ...]
//       {"keys":[...]}: the public halves, Cognito-style (kty, e, n, kid, alg, use)
//   node mint.cjs sign --key KEY.pem --kid KID --claims JSON [--header JSON] [--count N]
//       a compact RS256 JWS, one per line (N of them with --count). KID "@random"
//       gives each token a fresh random kid. --header adds or overrides header
//       fields ({"kid":null} removes the kid).
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");

function die(msg) {
	process.stderr.write(`mint.cjs: ${msg}\n`);
	process.exit(2);
}

const b64url = (buf) => Buffer.from(buf).toString("base64url");

function publicJwk(pemFile, kid) {
	const key = crypto.createPublicKey(fs.readFileSync(pemFile));
	const jwk = key.export({ format: "jwk" });
	if (jwk.kty !== "RSA") die(`${pemFile}: not an RSA key`);
	return { kty: "RSA", e: jwk.e, use: "sig", kid, alg: "RS256", n: jwk.n };
}

function sign(pemFile, header, claims) {
	const key = crypto.createPrivateKey(fs.readFileSync(pemFile));
	const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
	const sig = crypto.sign("sha256", Buffer.from(input), key);
	return `${input}.${b64url(sig)}`;
}

function parseFlags(args) {
	const out = {};
	for (let i = 0; i < args.length; i += 2) {
		if (!args[i].startsWith("--") || i + 1 >= args.length) die(`bad argument: ${args[i]}`);
		out[args[i].slice(2)] = args[i + 1];
	}
	return out;
}

function parseJson(what, text) {
	try {
		return JSON.parse(text);
	} catch (e) {
		die(`${what}: ${e.message}`);
	}
}

const [cmd, ...args] = process.argv.slice(2);
switch (cmd) {
	case "keygen": {
		if (args.length !== 1) die("usage: keygen OUT.pem");
		const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
		fs.writeFileSync(args[0], privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
		break;
	}
	case "jwks": {
		if (args.length === 0) die("usage: jwks KEY.pem:KID ...");
		const keys = args.map((a) => {
			const i = a.lastIndexOf(":");
			if (i < 0) die(`expected KEY.pem:KID, got ${a}`);
			return publicJwk(a.slice(0, i), a.slice(i + 1));
		});
		process.stdout.write(JSON.stringify({ keys }) + "\n");
		break;
	}
	case "sign": {
		const f = parseFlags(args);
		if (!f.key || f.kid === undefined || !f.claims) die("usage: sign --key KEY.pem --kid KID --claims JSON");
		const claims = parseJson("--claims", f.claims);
		const extra = f.header ? parseJson("--header", f.header) : {};
		const count = f.count ? parseInt(f.count, 10) : 1;
		const lines = [];
		for (let i = 0; i < count; i++) {
			const kid = f.kid === "@random" ? crypto.randomBytes(12).toString("hex") : f.kid;
			const header = { alg: "RS256", typ: "JWT", kid, ...extra };
			for (const k of Object.keys(header)) if (header[k] === null) delete header[k];
			lines.push(sign(f.key, header, claims));
		}
		process.stdout.write(lines.join("\n") + "\n");
		break;
	}
	default:
		die("usage: mint.cjs keygen|jwks|sign ... (see the top of the file)");
}
