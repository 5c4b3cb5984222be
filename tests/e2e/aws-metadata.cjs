#!/usr/bin/env node
// aws-metadata.cjs: a stand-in for the two AWS credential endpoints s3gate can
// ask, on 127.0.0.1, for tests/e2e/creds.sh. node's standard library only.
//
//   node aws-metadata.cjs [--port N]      (0 or none: any free port)
//
// Prints "listening http://127.0.0.1:PORT" when ready.
//
// EC2 instance metadata, IMDSv2 only, as the real service behaves:
//   PUT /latest/api/token            needs X-aws-ec2-metadata-token-ttl-seconds (1..21600;
//                                    otherwise 400) and no X-Forwarded-For (403); answers a
//                                    fresh session token (text/plain)
//   GET /latest/meta-data/iam/security-credentials/        the role's name
//   GET /latest/meta-data/iam/security-credentials/ROLE    the credentials (JSON)
//                                    both need X-aws-ec2-metadata-token with a token this
//                                    server handed out and that has not expired (otherwise 401);
//                                    an unknown role is 404. Any other method on these is 405.
// ECS container credentials:
//   GET /ecs/...                     the credentials (JSON); when an authorization token is
//                                    set, Authorization must equal it (otherwise 401)
// Control, for the test:
//   POST /control   JSON merged into the state:
//                     accessKeyId, secretAccessKey  the key pair served
//                     token                         the session token served (null: none)
//                     expiresIn                     seconds from now for Expiration, or
//                     expiration                    an exact Expiration string
//                     role                          the instance role's name
//                     ecsAuthorization              what Authorization must be (null: anything)
//                   answers the Expiration now served
//   GET /hits       {"counts": {"METHOD PATH STATUS": n, ...}, "log": ["METHOD PATH STATUS", ...],
//                    "credentials": n (credential documents served, IMDS and ECS)}
//   POST /hits/reset
// Secrets are never printed; the log on stdout has one line per request (method, path, status).

"use strict";

const http = require("node:http");
const crypto = require("node:crypto");

const args = process.argv.slice(2);
let port = 0;
for (let i = 0; i < args.length; i++) {
	if (args[i] === "--port") port = Number(args[++i]);
	else {
		console.error(`aws-metadata: unknown argument ${args[i]}`);
		process.exit(2);
	}
}

const state = {
	accessKeyId: null,
	secretAccessKey: null,
	token: null,
	expiration: null,
	role: "s3gate-e2e-role",
	ecsAuthorization: null,
};
const imdsTokens = new Map(); // token -> expiry (ms)
let hits = { counts: {}, log: [], credentials: 0 };

const IMDS_CREDS = "/latest/meta-data/iam/security-credentials/";

function isoSeconds(ms) {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}

function send(res, req, status, body, type) {
	const path = req.url.split("?")[0];
	const entry = `${req.method} ${path} ${status}`;
	if (path !== "/hits" && path !== "/hits/reset" && path !== "/control") {
		hits.counts[entry] = (hits.counts[entry] || 0) + 1;
		hits.log.push(entry);
	}
	console.log(entry);
	const b = typeof body === "string" ? body : JSON.stringify(body);
	res.writeHead(status, { "Content-Type": type || "application/json", "Content-Length": Buffer.byteLength(b) });
	res.end(b);
}

function credentials() {
	const doc = {
		Code: "Success",
		LastUpdated: isoSeconds(Date.now()),
		Type: "AWS-HMAC",
		AccessKeyId: state.accessKeyId,
		SecretAccessKey: state.secretAccessKey,
		Expiration: state.expiration,
	};
	if (state.token !== null) doc.Token = state.token;
	hits.credentials++;
	return doc;
}

function imdsTokenOk(req) {
	const t = req.headers["x-aws-ec2-metadata-token"];
	const exp = t !== undefined ? imdsTokens.get(t) : undefined;
	return exp !== undefined && exp > Date.now();
}

function readBody(req) {
	return new Promise((resolve) => {
		const parts = [];
		req.on("data", (c) => parts.push(c));
		req.on("end", () => resolve(Buffer.concat(parts).toString("utf8")));
	});
}

const server = http.createServer(async (req, res) => {
	const body = await readBody(req);
	const path = req.url.split("?")[0];

	if (path === "/control" && req.method === "POST") {
		let j;
		try {
			j = JSON.parse(body);
		} catch (e) {
			return send(res, req, 400, { error: "bad JSON" });
		}
		for (const k of ["accessKeyId", "secretAccessKey", "token", "expiration", "role", "ecsAuthorization"])
			if (k in j) state[k] = j[k];
		if ("expiresIn" in j) state.expiration = isoSeconds(Date.now() + Number(j.expiresIn) * 1000);
		return send(res, req, 200, { expiration: state.expiration, role: state.role });
	}
	if (path === "/hits" && req.method === "GET") return send(res, req, 200, hits);
	if (path === "/hits/reset" && req.method === "POST") {
		hits = { counts: {}, log: [], credentials: 0 };
		return send(res, req, 200, {});
	}

	// ---- IMDSv2
	if (path === "/latest/api/token") {
		if (req.method !== "PUT") return send(res, req, 405, "", "text/plain");
		if (req.headers["x-forwarded-for"] !== undefined) return send(res, req, 403, "", "text/plain");
		const ttl = Number(req.headers["x-aws-ec2-metadata-token-ttl-seconds"]);
		if (!Number.isInteger(ttl) || ttl < 1 || ttl > 21600) return send(res, req, 400, "", "text/plain");
		const t = crypto.randomBytes(40).toString("base64url");
		imdsTokens.set(t, Date.now() + ttl * 1000);
		res.setHeader("X-aws-ec2-metadata-token-ttl-seconds", String(ttl));
		return send(res, req, 200, t, "text/plain");
	}
	if (path.startsWith("/latest/")) {
		if (req.method !== "GET" && req.method !== "HEAD") return send(res, req, 405, "", "text/plain");
		if (!imdsTokenOk(req)) return send(res, req, 401, "", "text/plain");
		if (path === IMDS_CREDS) return send(res, req, 200, state.role, "text/plain");
		if (path === IMDS_CREDS + state.role && state.accessKeyId !== null) return send(res, req, 200, credentials());
		return send(res, req, 404, "", "text/plain");
	}

	// ---- ECS
	if (path.startsWith("/ecs/")) {
		if (req.method !== "GET") return send(res, req, 405, { message: "method not allowed" });
		if (state.ecsAuthorization !== null && req.headers.authorization !== state.ecsAuthorization)
			return send(res, req, 401, { code: "AccessDenied", message: "Unable to authenticate request" });
		if (state.accessKeyId === null) return send(res, req, 404, { message: "no credentials" });
		const c = credentials();
		delete c.Code;
		delete c.LastUpdated;
		delete c.Type;
		c.RoleArn = `arn:aws:iam::123456789012:role/${state.role}`;
		return send(res, req, 200, c);
	}
	return send(res, req, 404, "", "text/plain");
});

server.listen(port, "127.0.0.1", () => {
	console.log(`listening http://127.0.0.1:${server.address().port}`);
});
