#!/usr/bin/env node
// jwks-server.cjs: a JWKS endpoint for s3gate's tests, on 127.0.0.1 only.
//
//   node jwks-server.cjs --dir DIR --set NAME [--port PORT]
//
// GET  /jwks.json       DIR/<set>.json, read from disk on every request; counted
// GET  /hits            {"jwks": <number of /jwks.json requests so far>, "set": <set>}
// POST /switch?set=NAME serve DIR/NAME.json from now on (404 if it does not exist)
// POST /reset           hit count back to 0
//
// With --port 0 (the default) the system picks the port. Prints
// "listening http://127.0.0.1:PORT" once ready, then one line per request.
"use strict";

const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");

const opts = { dir: null, set: null, port: "0" };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i += 2) {
	const k = argv[i].replace(/^--/, "");
	if (!(k in opts) || i + 1 >= argv.length) {
		process.stderr.write(`jwks-server: bad argument ${argv[i]}\n`);
		process.exit(2);
	}
	opts[k] = argv[i + 1];
}
if (!opts.dir || !opts.set) {
	process.stderr.write("usage: jwks-server.cjs --dir DIR --set NAME [--port PORT]\n");
	process.exit(2);
}

let set = opts.set;
let hits = 0;
const setFile = (name) => path.join(opts.dir, `${name}.json`);
const validName = (name) => typeof name === "string" && /^[A-Za-z0-9_-]+$/.test(name);

function send(res, status, body, type = "application/json") {
	res.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store", Connection: "close" });
	res.end(body);
}

const server = http.createServer((req, res) => {
	const url = new URL(req.url, "http://127.0.0.1");
	process.stdout.write(`${new Date().toISOString()} ${req.method} ${req.url}\n`);
	if (req.method === "GET" && url.pathname === "/jwks.json") {
		hits++;
		let body;
		try {
			body = fs.readFileSync(setFile(set));
		} catch (e) {
			return send(res, 500, JSON.stringify({ error: e.message }));
		}
		return send(res, 200, body);
	}
	if (req.method === "GET" && url.pathname === "/hits") {
		return send(res, 200, JSON.stringify({ jwks: hits, set }));
	}
	if (req.method === "POST" && url.pathname === "/switch") {
		const name = url.searchParams.get("set");
		if (!validName(name) || !fs.existsSync(setFile(name))) {
			return send(res, 404, JSON.stringify({ error: `no key set ${name}` }));
		}
		set = name;
		return send(res, 200, JSON.stringify({ set }));
	}
	if (req.method === "POST" && url.pathname === "/reset") {
		hits = 0;
		return send(res, 200, JSON.stringify({ jwks: hits }));
	}
	return send(res, 404, JSON.stringify({ error: "not found" }));
});

server.listen(Number(opts.port), "127.0.0.1", () => {
	process.stdout.write(`listening http://127.0.0.1:${server.address().port}\n`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => process.exit(0));
