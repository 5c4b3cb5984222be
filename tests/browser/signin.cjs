// signin.cjs: the browser half of tests/browser/signin.sh (which starts the
// servers and exports what is read from process.env below). Headless Debian
// chromium through playwright-core, one fresh profile (user-data-dir) for the
// whole run, cookies cleared between scenarios.
//
// Prints one "ok DESC" / "not ok DESC" line per check and "# ..." comments;
// signin.sh turns them into TAP. Every wait is bounded (BROWSER_TIMEOUT_MS,
// the 200 MB download by BIG_TIMEOUT_MS).
//
// Checks:
// - code flow (cognito-local's Hosted UI, PKCE): a link on another site to
//   /s3gate/download?fn=KEY goes to /login, then to the Hosted UI form
//   (response_type=code, S256 challenge, state, nonce); signing in comes back
//   through /callback to the download, which the browser itself saves: the
//   suggested file name and the bytes (sha256) are right, for a unicode key
//   and for a 200 MB object; during the 200 MB download the memory of the
//   chromium processes (renderer, network service, browser) and of s3gate is
//   sampled from /proc and must stay far below the object's size;
// - the cookies: s3gate_session HttpOnly, SameSite=Lax, path /s3gate/, not
//   Secure (cookie_secure=false), s3gate_login gone after the callback;
// - a replayed callback (same URL again; and again with the old login cookie
//   put back): 400 page with a "Sign in again" link;
// - a tampered state (the Hosted UI form's state changed): 400 page, its
//   link goes back through sign-in;
// - a provider error (/callback?error=access_denied&state=...): 400 page
//   "Access was denied", back through sign-in from its link;
// - a tampered session cookie: /whoami 401, the link goes to sign-in again;
// - an expired session (a client whose ID tokens live SHORT_TTL seconds):
//   works at first; after expiry the browser has dropped the cookie, the old
//   cookie put back is refused (401), the link goes to sign-in again;
// - the link page: signed out it offers "Sign in"; signed in it lists exactly
//   the user's files (the key rules); sign-out clears the session (whoami
//   401), goes to the provider's logout with client_id and logout_uri, and
//   the page shows "Sign in" again;
// - implicit flow (oidc-provider): s3gate's /login → provider (state, nonce)
//   → callback page → POST /session → the same download; the fragment is
//   gone from the address bar; a provider error (Cancel) shows the callback
//   page's failure with a retry link; a link in the recipe's style that
//   goes straight to the provider with state=fn=<file> (not through
//   /login) ends on that failure page, whose "Sign in again" link names the
//   file and goes through /login to the download;
// - screenshots: link page signed in and signed out, the code flow's 400
//   page, the implicit callback page's failure.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const crypto = require("node:crypto");
const { chromium } = require("playwright-core");

const env = (k) => {
  if (!process.env[k]) throw new Error(`${k} not set (run signin.sh)`);
  return process.env[k];
};
const E = {};
for (const k of ["CHROMIUM", "ARTIFACTS", "E2E_TMP", "CODE_BASE", "SHORT_BASE", "IMPLICIT_BASE", "OP_URL",
  "OP_CLIENT_ID", "CODE_PID", "COGNITO_URL", "USER_NAME", "USER_PASSWORD", "UNICODE_KEY", "UNICODE_NAME",
  "UNICODE_SHA", "BIG_KEY", "BIG_SHA", "BIG_SIZE", "ALICE_KEYS", "SHORT_TTL"]) E[k] = env(k);
const TIMEOUT = Number(process.env.BROWSER_TIMEOUT_MS || 20000);
const BIG_TIMEOUT = Number(process.env.BIG_TIMEOUT_MS || 180000);
const MiB = 1024 * 1024;
const APP = "http://app.example.test"; // the company's application (served by page.route)

let failed = 0;
function ok(cond, desc, ...why) {
  console.log(`${cond ? "ok" : "not ok"} ${desc}`);
  if (!cond) {
    failed++;
    for (const w of why) for (const l of String(w).split("\n")) console.log(`# ${l}`);
  }
  return cond;
}
function is(got, want, desc) {
  return ok(got === want, desc, `     got: ${JSON.stringify(got)}`, `expected: ${JSON.stringify(want)}`);
}
const diag = (...m) => m.forEach((x) => String(x).split("\n").forEach((l) => console.log(`# ${l}`)));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// a wait armed before the action that triggers it: if the scenario fails
// before awaiting it, its rejection must not end the process
const armed = (p) => {
  p.catch(() => {});
  return p;
};
let currentPage = null;

// runs one scenario: an exception is one failed check, the next scenario runs
async function scenario(name, fn) {
  // SIGNIN_ONLY=REGEX runs only the scenarios it matches (for debugging)
  if (process.env.SIGNIN_ONLY && !new RegExp(process.env.SIGNIN_ONLY).test(name)) return;
  const t = Date.now();
  try {
    await fn();
  } catch (e) {
    ok(false, `${name}: ran to its end`, e.stack || e);
    if (currentPage) {
      const shot = path.join(E.ARTIFACTS, `failed-${name.replace(/[^A-Za-z0-9]+/g, "-")}.png`);
      diag(`page at ${currentPage.url()}; screenshot ${shot}`);
      await currentPage.screenshot({ path: shot, fullPage: true }).catch(() => {});
    }
  }
  diag(`${name}: ${Date.now() - t} ms`);
}

function sha256File(p) {
  return new Promise((resolve, reject) => {
    const h = crypto.createHash("sha256");
    fs.createReadStream(p).on("error", reject).on("data", (d) => h.update(d)).on("end", () => resolve(h.digest("hex")));
  });
}

// ---------------------------------------------------------------- memory --

function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

// chromium's processes for our profile, by kind; s3gate's FastCGI processes
// (lighttpd's children)
function processes(profile) {
  const out = { renderer: [], network: [], browser: [], other: [], s3gate: [] };
  for (const d of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    let cmd, stat;
    try {
      // chromium rewrites its argv as one space-separated string
      cmd = fs.readFileSync(`/proc/${d}/cmdline`, "utf8").replace(/\0/g, " ");
      stat = fs.readFileSync(`/proc/${d}/stat`, "utf8");
    } catch {
      continue;
    }
    const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
    if (ppid === E.CODE_PID && path.basename(cmd.split(" ")[0]) === "s3gate") out.s3gate.push(Number(d));
    // every chromium process of this run names the profile (--user-data-dir)
    if (!cmd.includes(profile)) continue;
    const type = (/--type=(\S+)/.exec(cmd) || [])[1] || "";
    const sub = (/--utility-sub-type=(\S+)/.exec(cmd) || [])[1] || "";
    if (type === "renderer") out.renderer.push(Number(d));
    else if (type === "utility" && sub.includes("NetworkService")) out.network.push(Number(d));
    else if (type === "") out.browser.push(Number(d));
    else out.other.push(Number(d));
  }
  return out;
}

// samples every 100 ms until stop(); peaks per kind (largest single process
// and the sum)
function sampler(profile) {
  const peak = {};
  let n = 0;
  const tick = () => {
    n++;
    const p = processes(profile);
    let total = 0;
    for (const [k, pids] of Object.entries(p)) {
      const rss = pids.map(rssOf);
      const sum = rss.reduce((a, b) => a + b, 0);
      if (k !== "s3gate") total += sum;
      const cur = peak[k] || { max: 0, sum: 0, count: 0 };
      peak[k] = { max: Math.max(cur.max, ...rss, 0), sum: Math.max(cur.sum, sum), count: Math.max(cur.count, pids.length) };
    }
    peak.chromium = { sum: Math.max((peak.chromium || { sum: 0 }).sum, total) };
  };
  tick();
  const timer = setInterval(tick, 100);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return { peak, samples: n };
    },
  };
}

// ----------------------------------------------------------------- pages --

function appPage(links) {
  const items = links.map(([href, text]) => `<li><a href="${href}">${text}</a></li>`).join("\n");
  return `<!doctype html><meta charset="utf-8"><title>Company app</title><h1>Documents</h1><ul>${items}</ul>`;
}
const dl = (base, key) => `${base}/s3gate/download?fn=${encodeURIComponent(key)}`;

// the Hosted UI form of cognito-local
async function hostedUiSignIn(page, { user = E.USER_NAME, password = E.USER_PASSWORD, submit = true } = {}) {
  await page.waitForURL((u) => u.href.startsWith(`${E.COGNITO_URL}/oauth2/authorize`), { timeout: TIMEOUT });
  await page.locator('input[name="username"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  if (submit) await page.locator('form button[type="submit"]').click();
}

// oidc-provider's devInteractions: the sign-in form (any password), then,
// for a native client, "confirm previously given authorization" (Continue).
// With the provider's session alive only the second comes.
async function opSignIn(page, user = E.USER_NAME) {
  for (let step = 0; step < 3; step++) {
    await page.waitForURL((u) => u.href.startsWith(`${E.OP_URL}/interaction/`), { timeout: TIMEOUT });
    await page.locator('button[type="submit"]').waitFor();
    const at = page.url();
    if (await page.locator('input[name="login"]').count()) {
      await page.locator('input[name="login"]').fill(user);
      await page.locator('input[name="password"]').fill("anything");
    }
    await page.locator('button[type="submit"]').click();
    await page.waitForURL((u) => u.href !== at, { timeout: TIMEOUT });
    if (!page.url().startsWith(`${E.OP_URL}/`)) return;
  }
  throw new Error(`still at the provider: ${page.url()}`);
}

async function cookie(context, name, base) {
  return (await context.cookies(`${base}/s3gate/`)).find((c) => c.name === name);
}

async function whoami(context, base) {
  const r = await context.request.get(`${base}/s3gate/whoami`, { headers: { Accept: "application/json" }, failOnStatusCode: false });
  return r.status();
}

// the 400 page of the code flow; returns its "Sign in again" link
async function expectRetryPage(page, response, label, titleRe, { signedOut = true } = {}) {
  is(response ? response.status() : 0, 400, `${label}: the callback answers 400`);
  const h1 = (await page.locator("h1").first().textContent({ timeout: TIMEOUT })) || "";
  ok(titleRe.test(h1), `${label}: the page says so`, `h1: ${h1}`);
  const a = page.locator("main a.button", { hasText: "Sign in again" });
  const href = (await a.count()) === 1 ? await a.getAttribute("href") : null;
  ok(href !== null && href.startsWith("/s3gate/login"), `${label}: a "Sign in again" link to /s3gate/login`, `href: ${href}`);
  const h = response ? await response.allHeaders() : {};
  ok(/frame-ancestors 'none'/.test(h["content-security-policy"] || "") && h["cache-control"] === "no-store" &&
      h["referrer-policy"] === "no-referrer", `${label}: CSP with frame-ancestors 'none', no-store, no-referrer`,
    JSON.stringify(h));
  if (signedOut) ok(!(await cookie(page.context(), "s3gate_session", E.CODE_BASE)), `${label}: no session cookie`);
  return a;
}

// clicks a 400 page's "Sign in again" link and signs in: back to the file
// when the link names one, else to the link page
async function retryThroughSignIn(page, retry, label) {
  const href = await retry.getAttribute("href");
  const m = /[?&]fn=([^&]*)/.exec(href || "");
  const dlEv = m ? armed(page.waitForEvent("download")) : null;
  await retry.click();
  await hostedUiSignIn(page);
  if (m) {
    const d = await dlEv;
    is(d.suggestedFilename(), path.basename(decodeURIComponent(m[1])), `${label}: its link goes back through sign-in to the file`);
  } else {
    await page.waitForURL(`${E.CODE_BASE}/s3gate/`);
    ok(true, `${label}: its link goes back through sign-in to the link page`);
  }
  is(await whoami(page.context(), E.CODE_BASE), 200, `${label}: signed in again (/whoami 200)`);
}

// ------------------------------------------------------------------ main --

async function main() {
  const profile = fs.mkdtempSync(path.join(E.E2E_TMP, "chromium-profile-"));
  const downloads = path.join(E.E2E_TMP, "downloads");
  fs.mkdirSync(downloads, { recursive: true });
  fs.mkdirSync(E.ARTIFACTS, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: E.CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run"],
    acceptDownloads: true,
    downloadsPath: downloads,
    viewport: { width: 1100, height: 720 },
    timeout: TIMEOUT,
  });
  context.setDefaultTimeout(TIMEOUT);
  context.setDefaultNavigationTimeout(TIMEOUT);
  diag(`chromium ${context.browser() ? context.browser().version() : "?"}, profile ${profile}`);
  let links = [];
  await context.route(`${APP}/**`, (r) => r.fulfill({ contentType: "text/html; charset=utf-8", body: appPage(links) }));
  const page = context.pages()[0] || (await context.newPage());
  currentPage = page;
  const consoleErrors = [];
  page.on("console", (m) => m.type() === "error" && consoleErrors.push(`${page.url()}: ${m.text()}`));
  page.on("pageerror", (e) => consoleErrors.push(`${page.url()}: ${e.message}`));

  // the company's page with one link; click it
  async function clickLink(href, text = "the file") {
    links = [[href, text]];
    await page.goto(`${APP}/`);
    await page.getByText(text, { exact: true }).click();
  }

  let callbackUrl = null;
  let loginCookie = null;

  // ---- 1. unicode key through the Hosted UI
  await scenario("code flow, unicode key", async () => {
    await context.clearCookies();
    const authReq = armed(page.waitForRequest((r) => r.url().startsWith(`${E.COGNITO_URL}/oauth2/authorize?`)));
    await clickLink(dl(E.CODE_BASE, E.UNICODE_KEY));
    const q = new URL((await authReq).url()).searchParams;
    ok(q.get("response_type") === "code" && q.get("code_challenge_method") === "S256" &&
        /^[A-Za-z0-9_-]{43}$/.test(q.get("code_challenge") || "") && (q.get("state") || "").length >= 22 &&
        (q.get("nonce") || "").length >= 22 && q.get("redirect_uri") === `${E.CODE_BASE}/s3gate/callback` &&
        !(q.get("state") || "").includes(E.UNICODE_KEY),
      "code flow: the link leads to the Hosted UI with response_type=code, S256 PKCE, an opaque state and a nonce",
      q.toString());
    const lc = await cookie(context, "s3gate_login", E.CODE_BASE);
    ok(lc && lc.httpOnly && lc.sameSite === "Lax" && lc.path === "/s3gate/" && !lc.secure,
      "code flow: s3gate_login cookie is HttpOnly, SameSite=Lax, path /s3gate/", JSON.stringify(lc));
    loginCookie = lc;
    const cbReq = armed(page.waitForRequest((r) => r.url().startsWith(`${E.CODE_BASE}/s3gate/callback?`)));
    const dlEv = armed(page.waitForEvent("download", { timeout: TIMEOUT }));
    await hostedUiSignIn(page);
    callbackUrl = (await cbReq).url();
    const d = await dlEv;
    is(d.suggestedFilename(), E.UNICODE_NAME, "code flow: the browser's download has the unicode file name");
    ok(d.url().startsWith(`${E.CODE_BASE}/s3gate/download?fn=`), "code flow: the download comes from /s3gate/download", d.url());
    const p = await d.path();
    is(await sha256File(p), E.UNICODE_SHA, "code flow: the downloaded bytes are the object's (sha256)");
    const sc = await cookie(context, "s3gate_session", E.CODE_BASE);
    ok(sc && sc.httpOnly && sc.sameSite === "Lax" && sc.path === "/s3gate/" && !sc.secure && sc.expires > Date.now() / 1000 + 3600,
      "code flow: s3gate_session cookie is HttpOnly, SameSite=Lax, path /s3gate/, lives as long as the ID token",
      JSON.stringify(sc && { ...sc, value: "…" }));
    ok(!(await cookie(context, "s3gate_login", E.CODE_BASE)), "code flow: the s3gate_login cookie is gone after the callback");
    is(await whoami(context, E.CODE_BASE), 200, "code flow: /whoami with the session cookie answers 200");
  });

  // ---- 2. a replayed callback
  await scenario("replayed callback", async () => {
    if (!callbackUrl) throw new Error("no callback URL from scenario 1");
    let r = await page.goto(callbackUrl);
    await expectRetryPage(page, r, "replayed callback", /expired|no longer valid/i, { signedOut: false });
    await page.screenshot({ path: path.join(E.ARTIFACTS, "callback-error.png"), fullPage: true });
    // the same URL with the login cookie of that sign-in put back: the state
    // matches, but the code was used up
    await context.clearCookies();
    await context.addCookies([{ ...loginCookie }]);
    r = await page.goto(callbackUrl);
    await expectRetryPage(page, r, "replayed callback with its login cookie", /failed|expired/i);
    // its link goes back through sign-in
    await context.clearCookies();
    await retryThroughSignIn(page, page.locator("main a.button"), "replayed callback");
  });

  // ---- 3. a tampered state
  await scenario("tampered state", async () => {
    await context.clearCookies();
    await clickLink(dl(E.CODE_BASE, E.UNICODE_KEY));
    await hostedUiSignIn(page, { submit: false });
    await page.locator('input[name="state"]').evaluate((el) => { el.value = el.value.slice(0, -2) + (el.value.endsWith("AA") ? "BB" : "AA"); });
    const resp = armed(page.waitForResponse((r) => r.url().startsWith(`${E.CODE_BASE}/s3gate/callback?`)));
    await page.locator('form button[type="submit"]').click();
    const r = await resp;
    await page.waitForLoadState();
    const retry = await expectRetryPage(page, r, "tampered state", /expired|no longer valid/i);
    ok(!(await cookie(context, "s3gate_login", E.CODE_BASE)), "tampered state: the login cookie is cleared");
    await retryThroughSignIn(page, retry, "tampered state");
  });

  // ---- 4. the provider says error=access_denied
  await scenario("provider error", async () => {
    await context.clearCookies();
    await clickLink(dl(E.CODE_BASE, E.UNICODE_KEY));
    await hostedUiSignIn(page, { submit: false });
    const state = await page.locator('input[name="state"]').inputValue();
    const r = await page.goto(`${E.CODE_BASE}/s3gate/callback?error=access_denied&error_description=User+cancelled&state=${encodeURIComponent(state)}`);
    const retry = await expectRetryPage(page, r, "provider error=access_denied", /did not complete/i);
    const text = await page.locator("main").textContent();
    ok(/Access was denied/.test(text), "provider error=access_denied: the page says access was denied", text);
    ok(!/User cancelled|access_denied/.test(await page.content()), "provider error: the provider's own text is not echoed into the page");
    await page.screenshot({ path: path.join(E.ARTIFACTS, "callback-denied.png"), fullPage: true });
    await retryThroughSignIn(page, retry, "provider error");
  });

  // ---- 5. a tampered session cookie
  await scenario("tampered session cookie", async () => {
    const sc = await cookie(context, "s3gate_session", E.CODE_BASE);
    if (!sc) throw new Error("not signed in");
    const v = sc.value;
    const i = Math.floor(v.length / 2);
    await context.addCookies([{ ...sc, value: v.slice(0, i) + (v[i] === "A" ? "B" : "A") + v.slice(i + 1) }]);
    is(await whoami(context, E.CODE_BASE), 401, "tampered session cookie: /whoami answers 401");
    const authReq = armed(page.waitForRequest((r) => r.url().startsWith(`${E.COGNITO_URL}/oauth2/authorize?`)));
    await clickLink(dl(E.CODE_BASE, E.UNICODE_KEY));
    await authReq;
    ok(true, "tampered session cookie: the link goes to the Hosted UI again");
    const dlEv = armed(page.waitForEvent("download"));
    await hostedUiSignIn(page);
    is((await dlEv).suggestedFilename(), E.UNICODE_NAME, "tampered session cookie: after signing in again the download comes");
  });

  // ---- 6. 200 MB
  await scenario("200 MB download", async () => {
    await context.clearCookies();
    await clickLink(dl(E.CODE_BASE, E.BIG_KEY));
    await hostedUiSignIn(page, { submit: false });
    await sleep(300);
    const before = processes(profile);
    const sumRss = (pids) => pids.map(rssOf).reduce((a, b) => a + b, 0);
    const base = {
      renderer: sumRss(before.renderer),
      network: sumRss(before.network),
      chromium: sumRss([...before.renderer, ...before.network, ...before.browser, ...before.other]),
    };
    const s = sampler(profile);
    const t0 = Date.now();
    const dlEv = armed(page.waitForEvent("download", { timeout: TIMEOUT }));
    await page.locator('form button[type="submit"]').click();
    const d = await dlEv;
    // SIGNIN_SELFTEST_HOLD=1: the page holds 200 MB meanwhile, as a page that
    // fetched the file into memory would (to see the memory checks fail)
    if (process.env.SIGNIN_SELFTEST_HOLD) await page.evaluate(() => { window.held = new Uint8Array(200e6).fill(7); });
    const p = await Promise.race([d.path(), sleep(BIG_TIMEOUT).then(() => { throw new Error("200 MB download timed out"); })]);
    const ms = Date.now() - t0;
    const { peak, samples } = s.stop();
    is(d.suggestedFilename(), path.basename(E.BIG_KEY), "200 MB: the download's file name");
    is(fs.statSync(p).size, Number(E.BIG_SIZE), "200 MB: the browser saved every byte to disk");
    is(await sha256File(p), E.BIG_SHA, "200 MB: the bytes are the object's (sha256)");
    const mb = (x) => (x / MiB).toFixed(1);
    diag(`200 MB: sign-in + download ${ms} ms (${(Number(E.BIG_SIZE) / MiB / (ms / 1000)).toFixed(0)} MiB/s), ${samples} samples of /proc`,
      `RSS before: renderers ${mb(base.renderer)} MiB, network service ${mb(base.network)} MiB, all chromium ${mb(base.chromium)} MiB`,
      `RSS peaks: renderers ${mb(peak.renderer.sum)} MiB (largest ${mb(peak.renderer.max)} MiB, ${peak.renderer.count} processes), ` +
      `network service ${mb(peak.network.sum)} MiB, browser ${mb(peak.browser.max)} MiB, other ${mb(peak.other.sum)} MiB, ` +
      `all chromium ${mb(peak.chromium.sum)} MiB, s3gate ${mb(peak.s3gate.max)} MiB (largest of ${peak.s3gate.count})`);
    // the object is 200 MB: a page or process that held it would grow by that
    ok(peak.renderer.count > 0 && peak.renderer.sum - base.renderer < 64 * MiB,
      "200 MB: the renderers do not hold the file (they grow by less than 64 MiB)",
      `grew ${mb(peak.renderer.sum - base.renderer)} MiB`);
    ok(peak.network.count > 0 && peak.network.sum - base.network < 64 * MiB,
      "200 MB: the network service streams it to disk (grows by less than 64 MiB)",
      `grew ${mb(peak.network.sum - base.network)} MiB`);
    ok(peak.chromium.sum - base.chromium < 100 * MiB, "200 MB: all of chromium grows by less than 100 MiB during the download",
      `grew ${mb(peak.chromium.sum - base.chromium)} MiB`);
    ok(peak.s3gate.count > 0 && peak.s3gate.max < 32 * MiB, "200 MB: s3gate's FastCGI processes stay under 32 MiB",
      `peak ${mb(peak.s3gate.max)} MiB over ${peak.s3gate.count}`);
    fs.rmSync(p, { force: true });
  });

  // ---- 7. the link page, sign-out
  await scenario("link page", async () => {
    await context.clearCookies();
    await page.goto(`${E.CODE_BASE}/s3gate/`);
    await page.locator("#signed-out").waitFor({ state: "visible" });
    ok(await page.locator("#signin").isVisible(), "link page, signed out: it offers Sign in");
    ok(!(await page.locator("#signout").isVisible()) && !(await page.locator("#more").isVisible()),
      "link page, signed out: no Sign out button, no Show more");
    await page.screenshot({ path: path.join(E.ARTIFACTS, "link-page-signed-out.png"), fullPage: true });
    await page.locator("#signin").click();
    await hostedUiSignIn(page);
    await page.waitForURL(`${E.CODE_BASE}/s3gate/`);
    await page.locator("#files").waitFor({ state: "visible" });
    await page.waitForFunction(() => document.querySelectorAll("#rows tr").length > 0 || !document.getElementById("empty").hidden);
    const keys = (await page.locator("#rows tr td:first-child a").allTextContents()).sort();
    is(JSON.stringify(keys), JSON.stringify(JSON.parse(E.ALICE_KEYS).sort()), "link page: exactly the signed-in user's files are listed");
    const href = await page.locator("#rows a", { hasText: E.UNICODE_KEY }).getAttribute("href");
    is(href, `download?fn=${encodeURIComponent(E.UNICODE_KEY)}`, "link page: each file links to download?fn=KEY");
    ok(!(await page.locator("#more").isVisible()), "link page: no Show more button when the list is complete");
    ok(!(await page.locator("#signin").isVisible()) && (await page.locator("#signout").isVisible()),
      "link page, signed in: Sign out, no Sign in");
    const who = await page.locator("#who-name").textContent();
    ok(/alice/.test(who || ""), "link page: it shows who is signed in", who);
    await page.screenshot({ path: path.join(E.ARTIFACTS, "link-page.png"), fullPage: true });
    // the link page's address without its trailing slash: the page's
    // relative links (style.css, app.js, whoami, list, login) must still work
    await page.goto(`${E.CODE_BASE}/s3gate`);
    const works = await page.locator("#files").waitFor({ state: "visible", timeout: 3000 }).then(() => true, () => false);
    ok(works && page.url().endsWith("/s3gate/"), "link page at /s3gate (no trailing slash) redirects to /s3gate/ and works",
      `page at ${page.url()}: its scripts and styles resolve against /`);
    await page.goto(`${E.CODE_BASE}/s3gate/`);
    await page.locator("#files").waitFor({ state: "visible" });
    const dlEv = armed(page.waitForEvent("download"));
    await page.locator("#rows a", { hasText: E.UNICODE_KEY }).click();
    const d = await dlEv;
    is(await sha256File(await d.path()), E.UNICODE_SHA, "link page: clicking a file downloads it");

    const logoutReq = armed(page.waitForRequest((r) => r.url().startsWith(`${E.COGNITO_URL}/logout?`)));
    await page.locator("#signout").click();
    const lq = new URL((await logoutReq).url()).searchParams;
    ok(lq.get("logout_uri") === `${E.CODE_BASE}/s3gate/` && lq.get("client_id"),
      "sign-out: goes to the provider's /logout with client_id and logout_uri", lq.toString());
    ok(!(await cookie(context, "s3gate_session", E.CODE_BASE)), "sign-out: the session cookie is gone");
    is(await whoami(context, E.CODE_BASE), 401, "sign-out: /whoami answers 401 afterwards");
    await page.goto(`${E.CODE_BASE}/s3gate/`);
    await page.locator("#signed-out").waitFor({ state: "visible" });
    ok(await page.locator("#signin").isVisible() && !(await page.locator("#files").isVisible()) &&
        !(await page.locator("#signout").isVisible()),
      "sign-out: the link page shows Sign in, no files, no Sign out");
  });

  // ---- 8. expired session
  await scenario("expired session", async () => {
    await context.clearCookies();
    const dlEv = armed(page.waitForEvent("download"));
    await clickLink(dl(E.SHORT_BASE, E.UNICODE_KEY));
    await hostedUiSignIn(page);
    is((await dlEv).suggestedFilename(), E.UNICODE_NAME, `short-lived tokens (${E.SHORT_TTL} s): the first download comes`);
    const sc = await cookie(context, "s3gate_session", E.SHORT_BASE);
    ok(sc && sc.expires > 0 && sc.expires <= Date.now() / 1000 + Number(E.SHORT_TTL) + 2,
      "short-lived tokens: the session cookie expires with the ID token", JSON.stringify(sc && { ...sc, value: "…" }));
    is(await whoami(context, E.SHORT_BASE), 200, "short-lived tokens: /whoami 200 while it lives");
    await sleep((Number(E.SHORT_TTL) + 2) * 1000);
    ok(!(await cookie(context, "s3gate_session", E.SHORT_BASE)), "expired session: the browser dropped the cookie");
    await context.addCookies([{ ...sc, expires: -1 }]);
    is(await whoami(context, E.SHORT_BASE), 401, "expired session: the old cookie, kept past its time, is refused (401)");
    const authReq = armed(page.waitForRequest((r) => r.url().startsWith(`${E.COGNITO_URL}/oauth2/authorize?`)));
    await clickLink(dl(E.SHORT_BASE, E.UNICODE_KEY));
    await authReq;
    ok(true, "expired session: the link goes through sign-in again");
    const dl2 = armed(page.waitForEvent("download"));
    await hostedUiSignIn(page);
    is((await dl2).suggestedFilename(), E.UNICODE_NAME, "expired session: after signing in again the download comes");
  });

  // ---- 9. implicit flow (oidc-provider)
  await scenario("implicit flow", async () => {
    await context.clearCookies();
    const authReq = armed(page.waitForRequest((r) => r.url().startsWith(`${E.OP_URL}/auth?`)));
    const sessionResp = armed(page.waitForResponse((r) => r.url() === `${E.IMPLICIT_BASE}/s3gate/session`));
    const dlEv = armed(page.waitForEvent("download"));
    await clickLink(dl(E.IMPLICIT_BASE, E.UNICODE_KEY));
    const q = new URL((await authReq).url()).searchParams;
    ok(q.get("response_type") === "id_token token" && (q.get("nonce") || "").length >= 22 && (q.get("state") || "").length >= 22 &&
        !q.get("code_challenge") && q.get("redirect_uri") === `${E.IMPLICIT_BASE}/s3gate/callback`,
      "implicit: /login sends the browser to the provider with the configured response_type (id_token token), state and nonce", q.toString());
    await opSignIn(page);
    const sr = await sessionResp;
    is(sr.status(), 200, "implicit: the callback page's POST /session answers 200");
    const d = await dlEv;
    is(d.suggestedFilename(), E.UNICODE_NAME, "implicit: the browser's download has the unicode file name");
    is(await sha256File(await d.path()), E.UNICODE_SHA, "implicit: the downloaded bytes are the object's (sha256)");
    await page.waitForLoadState();
    ok(page.url().startsWith(`${E.IMPLICIT_BASE}/s3gate/callback`) && !page.url().includes("#") && !page.url().includes("token"),
      "implicit: the tokens are gone from the address bar", page.url());
    ok(await page.locator("#done").isVisible(), "implicit: the callback page says the download started");
    is(await whoami(context, E.IMPLICIT_BASE), 200, "implicit: /whoami with the session cookie answers 200");
    ok(!(await cookie(context, "s3gate_login", E.IMPLICIT_BASE)), "implicit: the login cookie is gone");
    // a second POST of the same token and state: the login cookie is used up
    const again = await page.evaluate(async () => {
      const r = await fetch("session", { method: "POST", headers: { "Content-Type": "application/x-www-form-urlencoded" }, body: "id_token=x&state=y" });
      return r.status;
    });
    is(again, 400, "implicit: /session without its login cookie answers 400");
  });

  await scenario("implicit flow, provider error", async () => {
    await context.clearCookies();
    await clickLink(dl(E.IMPLICIT_BASE, E.UNICODE_KEY));
    await page.waitForURL((u) => u.href.startsWith(`${E.OP_URL}/interaction/`));
    await page.getByText("Cancel").click();
    await page.waitForURL((u) => u.href.startsWith(`${E.IMPLICIT_BASE}/s3gate/callback`));
    await page.locator("#failed").waitFor({ state: "visible" });
    const reason = await page.locator("#reason").textContent();
    ok(/access_denied/.test(reason || ""), "implicit, provider error: the callback page says what the provider said", reason);
    const href = await page.locator("#retry").getAttribute("href");
    ok(href && href.startsWith("login"), "implicit, provider error: a Sign in again link", href);
    await page.screenshot({ path: path.join(E.ARTIFACTS, "callback-implicit-error.png"), fullPage: true });
    ok(!page.url().includes("#"), "implicit, provider error: the fragment is gone from the address bar", page.url());
  });

  await scenario("implicit flow, recipe-style link", async () => {
    // The recipe's links go straight to the provider with state=fn=<file>;
    // they do not pass /login, so there is no login cookie (no nonce, no
    // state to compare): s3gate cannot accept the token. The callback page
    // reads the file name from the state and offers sign-in for that file.
    await context.clearCookies();
    const u = new URL(`${E.OP_URL}/auth`);
    u.search = new URLSearchParams({
      response_type: "id_token token", client_id: E.OP_CLIENT_ID, redirect_uri: `${E.IMPLICIT_BASE}/s3gate/callback`,
      scope: "openid email profile", state: `fn=${encodeURIComponent(E.UNICODE_KEY)}`, nonce: "recipe-nonce-0123456789",
    }).toString();
    links = [[u.href, "recipe link"]];
    await page.goto(`${APP}/`);
    const sessionResp = armed(page.waitForResponse((r) => r.url() === `${E.IMPLICIT_BASE}/s3gate/session`));
    await page.getByText("recipe link").click();
    await opSignIn(page);
    const sr = await sessionResp;
    is(sr.status(), 400, "recipe-style link: POST /session refuses a token that no /login asked for (400)");
    await page.locator("#failed").waitFor({ state: "visible" });
    const href = await page.locator("#retry").getAttribute("href");
    is(href, `login?fn=${encodeURIComponent(E.UNICODE_KEY)}`, "recipe-style link: the failure page's link names the file from state=fn=");
    const dlEv = armed(page.waitForEvent("download"));
    await page.locator("#retry").click();
    // the provider remembers the sign-in, or asks again
    await Promise.race([dlEv, opSignIn(page).catch(() => {})]);
    const d = await dlEv;
    is(await sha256File(await d.path()), E.UNICODE_SHA, "recipe-style link: its Sign in again link ends in the download");
  });

  ok(consoleErrors.filter((m) => !/Failed to load resource/.test(m)).length === 0,
    "no script errors on the pages", consoleErrors.join("\n"));
  if (consoleErrors.length) diag("console:", ...consoleErrors);
  await context.close();
}

main()
  .catch((e) => {
    ok(false, "signin.cjs ran", e.stack || e);
  })
  .finally(() => process.exit(failed ? 1 : 0));
