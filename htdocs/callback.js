// The implicit flow's callback (flow = implicit): the provider returns the
// tokens in the URL fragment. This page hands the ID token and the state to
// s3gate by a same-origin POST (s3gate checks state and nonce against the
// sealed cookie it set at /login), drops the fragment from history, and
// starts the download natively. Accepted state forms: s3gate's own, and the
// recipe's "fn=<file>".
"use strict";

const $ = (id) => document.getElementById(id);

function fileFromState(state) {
  if (state && state.startsWith("fn=")) {
    try {
      return decodeURIComponent(state.slice(3));
    } catch (e) {
      return null;
    }
  }
  return null;
}

function fail(message, fn) {
  $("working").hidden = true;
  $("failed").hidden = false;
  if (message) $("reason").textContent = message;
  if (fn) $("retry").href = "login?fn=" + encodeURIComponent(fn);
}

async function getLink(fn) {
  const r = await fetch("download?mode=url&fn=" + encodeURIComponent(fn), {
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (!r.ok) throw new Error("no link (" + r.status + ")");
  const j = await r.json();
  $("link-a").href = j.url;
  $("link-a").textContent = j.url;
  $("link").hidden = false;
}

async function main() {
  const f = new URLSearchParams(location.hash.slice(1));
  // the tokens must not stay in the address bar or the history
  history.replaceState(null, "", location.pathname);
  const state = f.get("state");
  const recipeFile = fileFromState(state);
  if (f.get("error")) return fail("The sign-in service said: " + f.get("error"), recipeFile);
  const idToken = f.get("id_token");
  if (!idToken || !state) return fail("The sign-in answer was incomplete.", recipeFile);
  const body = new URLSearchParams({ id_token: idToken, state });
  const r = await fetch("session", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body,
    credentials: "same-origin",
  });
  if (!r.ok) return fail(null, recipeFile);
  const j = await r.json();
  const fn = new URL(j.next, location.href).searchParams.get("fn") || recipeFile;
  if (!fn) {
    location.replace(j.next);
    return;
  }
  $("working").hidden = true;
  $("done").hidden = false;
  $("get-link").addEventListener("click", () => getLink(fn).catch((e) => fail(e.message, fn)));
  location.assign("download?fn=" + encodeURIComponent(fn));
}

document.addEventListener("DOMContentLoaded", () => {
  main().catch(() => fail(null, null));
});
