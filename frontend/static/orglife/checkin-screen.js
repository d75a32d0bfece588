// The host's check-in screen (phone or projector). It shows what the server sends:
// the code endpoint gives the QR (as SVG), the six digits and when the next code is
// shown, timed by the server's clock (`changes_at - server_now`, never the screen's own);
// the attendance endpoint, asked every few seconds, gives the count and the lists.
// A manual check-in asks once to confirm (a second press within 4 s).
import { call, el, fill } from "../jiangtang/api.js";

const root = document.querySelector("[data-checkin-screen]");
const t = document.querySelector("template[data-checkin-texts]").dataset;
const ATTENDANCE_MS = 4000;
const RETRY_MS = 3000;
const CONFIRM_MS = 4000;

const $ = (selector) => root.querySelector(selector);
let armed = null; // {id, timer}: a manual check-in waiting for its second press
let last = null; // the attendance last drawn

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new Error(String(response.status));
  return response.json();
}

function setCount(name, value) {
  for (const node of root.querySelectorAll(`[data-count="${name}"]`)) node.textContent = String(value);
}

async function loadCode() {
  let delay = RETRY_MS;
  try {
    const body = await getJSON(root.dataset.codeUrl);
    const qr = $("[data-qr]");
    qr.innerHTML = body.qr_svg;
    qr.href = body.url;
    $("[data-short]").textContent = `${body.short_code.slice(0, 3)} ${body.short_code.slice(3)}`;
    setCount("present", body.present);
    setCount("expected", body.expected);
    $("[data-conn]").hidden = true;
    // Outside the check-in window the screen says so (compared on the server's clock).
    const now = Date.parse(body.server_now);
    const windowNote = $("[data-window]");
    if (now < Date.parse(body.opens_at)) windowNote.textContent = fill(t.opens, { time: body.opens_time });
    else if (now >= Date.parse(body.closes_at)) windowNote.textContent = t.closed;
    else if (!root.dataset.cancelled) windowNote.textContent = "";
    windowNote.hidden = !windowNote.textContent;
    // The next code is shown from `changes_at` on the server's clock.
    delay = Math.max(500, Date.parse(body.changes_at) - Date.parse(body.server_now) + 200);
  } catch {
    $("[data-conn]").hidden = false;
  }
  window.setTimeout(loadCode, delay);
}

function person(p, withButton) {
  const item = el("li", { class: "ck-person" }, el("span", { class: "ck-person__name" }, p.name));
  if (p.branch && root.dataset.showBranch !== undefined) item.append(" ", el("span", { class: "ck-person__branch" }, p.branch));
  if (p.late) item.append(el("span", { class: "badge" }, t.late));
  if (p.manual) item.append(el("span", { class: "badge badge--guest" }, t.byHand));
  if (p.guest) item.append(el("span", { class: "badge badge--guest" }, t.guest));
  if (p.time) item.append(el("span", { class: "ck-person__time" }, p.time));
  if (withButton) {
    const confirming = armed?.id === p.id;
    const button = el(
      "button",
      { type: "button", class: "button button--small", "data-manual": String(p.id), "data-confirming": confirming ? "1" : null },
      confirming ? fill(t.confirm, { name: p.name }) : t.manual,
    );
    button.addEventListener("click", () => manual(p.id));
    item.append(el("span", { class: "ck-person__act" }, button));
  }
  return item;
}

function drawList(name, people, withButton, emptyText) {
  const list = $(`[data-list="${name}"]`);
  const items = people.map((p) => person(p, withButton));
  if (!items.length && emptyText) items.push(el("li", { class: "ck-empty" }, emptyText));
  list.replaceChildren(...items);
}

function draw(body) {
  last = body;
  setCount("present", body.counts.present);
  setCount("expected", body.counts.expected);
  setCount("absent", body.counts.absent);
  setCount("on_leave", body.counts.on_leave);
  setCount("checked", body.present.length);
  const guests = $("[data-guests]");
  guests.hidden = !body.counts.guests;
  guests.textContent = fill(t.guests, { n: body.counts.guests });
  $('[data-title="on_leave"]').hidden = !body.on_leave.length;
  drawList("absent", body.absent, true, t.everyone);
  drawList("on_leave", body.on_leave, true, null);
  drawList("present", body.present, false, t.nobody);
}

async function loadAttendance() {
  if (!document.hidden) {
    try {
      draw(await getJSON(root.dataset.attendanceUrl));
    } catch {
      // the code's loop shows the connection; the lists keep their last state
    }
  }
  window.setTimeout(loadAttendance, ATTENDANCE_MS);
}

async function manual(id) {
  if (armed?.id !== id) {
    window.clearTimeout(armed?.timer);
    armed = { id, timer: window.setTimeout(() => { armed = null; if (last) draw(last); }, CONFIRM_MS) };
    if (last) draw(last);
    return;
  }
  window.clearTimeout(armed.timer);
  armed = null;
  const { ok, data } = await call("POST", root.dataset.attendanceUrl, { member: id });
  if (!ok) window.alert(data.detail || t.failed);
  try {
    draw(await getJSON(root.dataset.attendanceUrl));
  } catch {
    // drawn by the next round
  }
}

// The server-rendered buttons (forms without scripts) become two-press buttons.
for (const form of root.querySelectorAll(".ck-person__act")) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    manual(Number(form.querySelector("[name=member]").value));
  });
}
// The page came with the current code; the next one is due in `data-next-ms` (server time).
window.setTimeout(loadCode, Math.max(0, Number(root.dataset.nextMs) || 0) + 200);
loadAttendance();
