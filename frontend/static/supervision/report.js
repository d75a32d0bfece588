// The quarterly report's box: asks the server to build the file in the background,
// polls its status (progress bar), then offers the download. Texts come from the
// box's data-text-* attributes (the template's translations).
import { call } from "../jiangtang/api.js";

const box = document.querySelector("[data-start-url]");

function show(state) {
  const area = box.querySelector("[data-testid=report-state]");
  const bar = box.querySelector("[data-report-progress]");
  const text = box.querySelector("[data-report-text]");
  const link = box.querySelector("[data-report-download]");
  area.hidden = false;
  bar.value = state.progress || 0;
  text.textContent = box.dataset["text" + state.status.charAt(0).toUpperCase() + state.status.slice(1)] || "";
  if (state.status === "done" && state.download_url) {
    link.href = state.download_url;
    link.textContent = box.dataset.textDownload + " " + (state.filename || "");
    link.hidden = false;
  } else {
    link.hidden = true;
  }
}

async function poll(url) {
  for (let i = 0; i < 600; i += 1) {
    const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
    if (!response.ok) throw new Error(String(response.status));
    const state = await response.json();
    show(state);
    if (state.status === "done" || state.status === "failed") return state;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return null;
}

async function start(format) {
  const buttons = box.querySelectorAll("[data-report-format]");
  buttons.forEach((b) => { b.disabled = true; });
  // at once: the previous file's link goes away while this one is asked for
  show({ status: "queued", progress: 0 });
  try {
    const body = { format };
    if (box.dataset.unit) body.unit = Number(box.dataset.unit);
    if (box.dataset.version) body.version = Number(box.dataset.version);
    const { ok, status, data: state } = await call("POST", box.dataset.startUrl, body);
    if (!ok) throw new Error(String(status));
    show(state);
    if (state.status !== "done" && state.status !== "failed") await poll(state.status_url);
  } catch (error) {
    show({ status: "error", progress: 0 });
  } finally {
    buttons.forEach((b) => { b.disabled = false; });
  }
}

if (box) {
  box.querySelectorAll("[data-report-format]").forEach((button) => {
    button.addEventListener("click", () => start(button.dataset.reportFormat));
  });
}
