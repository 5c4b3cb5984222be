// The link page: who is signed in, and the files they may download.
"use strict";

const $ = (id) => document.getElementById(id);
let next = null;

function show(id, on) {
  $(id).hidden = !on;
}

function size(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let i = 0;
  let v = Number(n);
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return (i === 0 ? v : v.toFixed(1)) + " " + units[i];
}

function when(iso) {
  const d = new Date(iso);
  return isNaN(d) ? "" : d.toLocaleString();
}

function row(o) {
  const tr = document.createElement("tr");
  const name = document.createElement("td");
  const a = document.createElement("a");
  a.href = "download?fn=" + encodeURIComponent(o.key);
  a.textContent = o.key;
  name.appendChild(a);
  const sz = document.createElement("td");
  sz.className = "num";
  sz.textContent = size(o.size);
  const mod = document.createElement("td");
  mod.textContent = when(o.last_modified);
  tr.append(name, sz, mod);
  return tr;
}

async function list(prefix, continuation) {
  const q = new URLSearchParams({ prefix });
  if (continuation) q.set("continuation", continuation);
  const r = await fetch("list?" + q, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!r.ok) throw new Error("The file list is unavailable (" + r.status + ").");
  const page = await r.json();
  for (const o of page.objects) $("rows").appendChild(row(o));
  next = page.next;
  show("more", Boolean(next));
  show("empty", $("rows").children.length === 0 && !next);
}

function fail(e) {
  $("error").textContent = e.message;
  show("error", true);
}

async function start() {
  const r = await fetch("whoami", { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (r.status === 401) {
    show("signed-out", true);
    return;
  }
  if (!r.ok) throw new Error("Sign-in status is unavailable (" + r.status + ").");
  const me = await r.json();
  $("who-name").textContent = me.email || me.username || me.sub;
  show("who", true);
  show("files", true);
  await list("", null);
}

document.addEventListener("DOMContentLoaded", () => {
  $("more").addEventListener("click", () => list($("prefix").value, next).catch(fail));
  $("filter").addEventListener("submit", (ev) => {
    ev.preventDefault();
    $("rows").replaceChildren();
    list($("prefix").value, null).catch(fail);
  });
  start().catch(fail);
});
