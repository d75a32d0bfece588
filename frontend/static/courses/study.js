// Study pages: the lecture's heartbeat and completion, reading-list check-offs.
// The server counts the study time; this script only reports that the page is
// visible (and whether the end of the text has been seen).

import { call as send } from "../jiangtang/api.js";

function setupLecture(root) {
  const interval = Math.max(1, Number(root.dataset.heartbeatSeconds || 15)) * 1000;
  const minutes = root.querySelector("[data-minutes-read]");
  const bar = root.querySelector("[data-bar]");
  const done = root.querySelector("[data-done]");
  const doneAt = root.querySelector("[data-completed-at]");
  const hint = root.querySelector("[data-hint]");
  const button = root.querySelector("[data-complete]");
  const error = root.querySelector("[data-error]");
  const remaining = root.querySelector("[data-remaining]");
  let reachedEnd = false;
  let reportedEnd = false;
  let timer = null;
  let completed = done && !done.hidden;

  // As the server writes dates (DATETIME_FORMAT, backend/formats): 2026-11-30 19:54.
  function formatDateTime(at) {
    const two = (n) => String(n).padStart(2, "0");
    return `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${two(at.getHours())}:${two(at.getMinutes())}`;
  }

  function render(progress) {
    minutes.textContent = Math.floor(progress.seconds_read / 60);
    const share = Math.min(1, progress.seconds_read / Math.max(1, progress.min_read_seconds));
    bar.style.width = `${Math.round(share * 100)}%`;
    completed = progress.completed;
    done.hidden = !completed;
    hint.hidden = completed;
    button.hidden = completed;
    button.disabled = !progress.can_complete;
    remaining.hidden = completed || progress.can_complete;
    if (completed && progress.completed_at) {
      const at = new Date(progress.completed_at);
      doneAt.textContent = ` · ${formatDateTime(at)}`;
    }
  }

  async function beat() {
    if (document.visibilityState !== "visible") return;
    const sendingEnd = reachedEnd;
    const { ok, data } = await send("POST", root.dataset.heartbeatUrl, { reached_end: sendingEnd });
    if (ok) {
      reportedEnd = reportedEnd || sendingEnd;
      render(data);
    }
  }

  function start() {
    if (timer === null) {
      beat();
      timer = window.setInterval(beat, interval);
    }
  }

  function stop() {
    window.clearInterval(timer);
    timer = null;
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") start();
    else stop();
  });

  const end = root.querySelector("[data-end]");
  if (end && "IntersectionObserver" in window) {
    new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) {
        reachedEnd = true;
        if (!reportedEnd) beat();
      }
    }).observe(end);
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    const { ok, data } = await send("POST", root.dataset.completeUrl);
    error.hidden = ok;
    if (ok) render(data);
    else {
      error.textContent = data.detail || "网络异常，请稍后再试。";
      button.disabled = false;
    }
  });

  start();
}

function setupChecklist(box) {
  box.addEventListener("change", async () => {
    box.disabled = true;
    const { ok } = await send(box.checked ? "PUT" : "DELETE", box.dataset.url);
    if (!ok) box.checked = !box.checked;
    box.disabled = false;
  });
}

// Opened from a question's "出自《…》" (?p=3#p3): bring the highlighted passage into
// view. Some chat apps' browsers ignore the #fragment or scroll before the page is
// laid out, so do it here too, once the page is ready.
function showCitedPassage() {
  const cited = document.querySelector("[data-cited]");
  if (!cited) return;
  const scroll = () => cited.scrollIntoView({ block: "center" });
  if (document.readyState === "complete") scroll();
  else window.addEventListener("load", scroll, { once: true });
}

const lecture = document.querySelector("[data-lecture]");
if (lecture) setupLecture(lecture);
showCitedPassage();
document.querySelectorAll("[data-reading-item]").forEach(setupChecklist);
