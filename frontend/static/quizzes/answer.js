// The answer page: one question at a time over the JSON API. Practice answers are
// final and graded at once; quiz answers autosave and are graded on hand-in.
// Time is the server's: the countdown runs to `ends_at`, corrected by the offset
// between the server's clock and this phone's.
// Each question says its kind and what to do (a 多选 answer is sent only by 提交 in
// practice, so the label says so) and a 多选 question counts the options chosen.

import { call, el } from "../jiangtang/api.js";

const root = document.querySelector("[data-attempt-url]");
const text = document.querySelector("template[data-i18n]")?.dataset ?? {};

function setup() {
  const $ = (selector) => root.querySelector(selector);
  const box = $("[data-question]");
  const feedback = $("[data-feedback]");
  const error = $("[data-error]");
  const buttons = {
    prev: $("[data-prev]"),
    confirm: $("[data-confirm]"),
    next: $("[data-next]"),
    submit: $("[data-submit]"),
  };
  let state = null;
  let index = 0;
  let offset = 0;
  let pending = null; // the answer being composed for the current question
  let timer = null;
  let finishing = false;

  const results = () => Object.fromEntries(state.results.map((r) => [r.question, r]));
  const current = () => state.questions[index];
  const answered = (q) => Boolean(state.answers[q.id]);

  function showError(message) {
    error.textContent = message || "";
    error.hidden = !message;
  }

  function composed(q) {
    if (q.kind === "fill") {
      const blanks = [...box.querySelectorAll("input[data-blank]")].map((i) => i.value);
      return blanks.some((b) => b.trim()) ? { blanks } : null;
    }
    const chosen = [...box.querySelectorAll("[data-key][aria-pressed=true]")].map(
      (b) => b.dataset.key,
    );
    return chosen.length ? { choices: chosen } : null;
  }

  function renderFeedback(result) {
    feedback.replaceChildren();
    feedback.hidden = !result;
    if (!result) return;
    feedback.className = `feedback ${result.correct ? "is-right" : "is-wrong"}`;
    const key = result.correct_text
      ? result.correct_text.join("；")
      : result.correct_choices
          .map((k) => (k === "true" ? "正确" : k === "false" ? "错误" : k))
          .join("");
    feedback.append(
      el("p", { class: "feedback__verdict" }, result.correct ? `✓ ${text.right}` : `✗ ${text.wrong}`),
      el("p", {}, `${text.answer}：${key}`),
    );
    if (result.explanation) {
      feedback.append(el("p", { class: "muted" }, `${text.explanation}：${result.explanation}`));
    }
    // 出处: "出自《…》" opens the lecture at the cited passage (highlighted there).
    const link = result.source_link;
    if (link || result.source) {
      const line = el("p", { class: "feedback__source", "data-testid": "source" }, `${text.source}：`);
      if (link) {
        line.append(
          el("a", { class: "source-link", href: link.url, "data-testid": "source-link" },
            text.from.replace("{title}", link.title)),
        );
        if (result.source && result.source !== link.title) {
          line.append(" ", el("span", { class: "muted" }, result.source));
        }
      } else {
        line.append(result.source);
      }
      feedback.append(line);
    }
  }

  // "多选题：选出全部正确答案后点提交" (practice) or "多选题：选出全部正确答案" (exam).
  function kindLabel(q) {
    const name = `kind${q.kind[0].toUpperCase()}${q.kind.slice(1)}`;
    return (state.practice ? text[`${name}Practice`] : undefined) ?? text[name] ?? "";
  }

  function showCount(q, counter) {
    if (!counter) return;
    const n = box.querySelectorAll("[data-key][aria-pressed=true]").length;
    counter.textContent = n ? text.chosen.replace("{n}", String(n)) : text.noneChosen;
  }

  function render() {
    const q = current();
    const verdict = results()[q.id];
    const saved = state.answers[q.id];
    const locked = state.status !== "open" || (state.practice && Boolean(verdict));
    $("[data-progress]").textContent = `${index + 1} / ${state.questions.length}`;
    const kind = el("p", { class: `question__kind question__kind--${q.kind}`, "data-kind": q.kind });
    kind.append(el("span", {}, kindLabel(q)));
    const counter = q.kind === "multiple" && !locked ? el("span", { class: "question__count", "data-chosen-count": "" }) : null;
    if (counter) kind.append(counter);
    box.replaceChildren(kind, el("p", { class: "question__stem" }, q.text));
    if (q.kind === "fill") {
      for (let i = 0; i < q.blanks; i += 1) {
        const input = el("input", {
          type: "text",
          "data-blank": String(i),
          "aria-label": text.blank.replace("{n}", String(i + 1)),
          autocomplete: "off",
        });
        input.value = saved?.blanks?.[i] ?? "";
        input.disabled = locked;
        input.addEventListener("input", () => {
          pending = composed(q);
          if (!state.practice) autosave(q, 800);
          else buttons.confirm.disabled = !pending;
        });
        box.append(el("label", { class: "field" }, input));
      }
    } else {
      const list = el("div", { class: "options" });
      for (const option of q.options) {
        const chosen = saved?.choices?.includes(option.key) ?? false;
        const button = el(
          "button",
          {
            type: "button",
            class: "option",
            "data-key": option.key,
            "aria-pressed": String(chosen),
          },
          q.kind === "truefalse" ? option.text : `${option.key}. ${option.text}`,
        );
        if (verdict?.correct_choices?.includes(option.key)) button.classList.add("is-key");
        button.disabled = locked;
        button.addEventListener("click", () => {
          if (q.kind !== "multiple") {
            list.querySelectorAll("[data-key]").forEach((b) => b.setAttribute("aria-pressed", "false"));
            button.setAttribute("aria-pressed", "true");
          } else {
            button.setAttribute("aria-pressed", String(button.getAttribute("aria-pressed") !== "true"));
          }
          pending = composed(q);
          showCount(q, counter);
          if (!state.practice) autosave(q, 0);
          else buttons.confirm.disabled = !pending;
        });
        list.append(button);
      }
      box.append(list);
      showCount(q, counter);
    }
    pending = composed(q);
    renderFeedback(state.practice ? verdict : null);
    const last = index === state.questions.length - 1;
    buttons.prev.hidden = state.practice || index === 0;
    buttons.confirm.hidden = !state.practice || locked;
    buttons.confirm.disabled = !pending;
    buttons.next.hidden = state.practice ? !locked || last : last;
    buttons.submit.hidden = state.practice ? !(locked && last) : !last;
    buttons.submit.textContent = state.practice ? text.finish : buttons.submit.dataset.label;
    renderPalette();
  }

  function renderPalette() {
    const palette = $("[data-palette]");
    palette.replaceChildren();
    const verdicts = results();
    state.questions.forEach((q, i) => {
      const v = verdicts[q.id];
      const cell = el("button", { type: "button", class: "palette__cell" }, String(i + 1));
      if (i === index) cell.classList.add("is-current");
      if (v) cell.classList.add(v.correct ? "is-right" : "is-wrong");
      else if (answered(q)) cell.classList.add("is-answered");
      cell.addEventListener("click", () => {
        index = i;
        render();
      });
      palette.append(cell);
    });
  }

  let saveTimer = null;
  function autosave(q, delay) {
    window.clearTimeout(saveTimer);
    saveTimer = window.setTimeout(() => save(q), delay);
  }

  async function save(q, body = pending) {
    if (!body) return null;
    const { ok, status, data } = await call("PUT", `${root.dataset.answerUrl}${q.id}/`, body);
    const saved = $("[data-saved]");
    if (ok) {
      state.answers[q.id] = body;
      saved.textContent = text.saved;
      showError("");
      if (data.result) state.results = [...state.results.filter((r) => r.question !== q.id), data.result];
      if (data.attempt_status) state.status = data.attempt_status;
      return data;
    }
    if (status === 409) {
      showError(data.detail);
      if (data.code === "closed" || data.code === "late") await finish();
      return null;
    }
    if (status === 0) {
      saved.textContent = text.notSaved;
      autosave(q, 3000);
      return null;
    }
    showError(data.detail);
    return null;
  }

  async function finish() {
    if (finishing) return;
    finishing = true;
    window.clearInterval(timer);
    if (state.status === "open" && !state.practice) {
      // A blank typed in the last moment is still waiting for its autosave.
      window.clearTimeout(saveTimer);
      const q = current();
      if (pending && JSON.stringify(pending) !== JSON.stringify(state.answers[q.id] ?? null)) {
        await save(q);
      }
      await call("POST", root.dataset.submitUrl);
    }
    window.location.assign(root.dataset.reviewUrl);
  }

  function tick() {
    const left = Math.max(0, new Date(state.ends_at).getTime() - (Date.now() + offset));
    const seconds = Math.ceil(left / 1000);
    const timerEl = $("[data-timer]");
    timerEl.textContent = `${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}`;
    timerEl.classList.toggle("is-urgent", seconds <= 60);
    if (left <= 0) {
      window.clearInterval(timer);
      showError(text.timeUp);
      finish();
    }
  }

  buttons.submit.dataset.label = buttons.submit.textContent;
  buttons.prev.addEventListener("click", () => {
    index = Math.max(0, index - 1);
    render();
  });
  buttons.next.addEventListener("click", async () => {
    if (!state.practice) await save(current());
    index = Math.min(state.questions.length - 1, index + 1);
    render();
  });
  buttons.confirm.addEventListener("click", async () => {
    buttons.confirm.disabled = true;
    await save(current());
    render();
  });
  buttons.submit.addEventListener("click", async () => {
    if (!state.practice) {
      await save(current());
      const missing = state.questions.filter((q) => !answered(q)).length;
      const question = missing ? `${text.confirmSubmit}（${missing} ${text.unanswered}）` : text.confirmSubmit;
      if (!window.confirm(question)) return;
    }
    finish();
  });

  (async () => {
    const { ok, data } = await call("GET", root.dataset.attemptUrl);
    if (!ok) {
      showError(data.detail || "网络异常，请刷新重试。");
      return;
    }
    state = data;
    offset = new Date(data.server_now).getTime() - Date.now();
    if (state.status !== "open") {
      window.location.assign(root.dataset.reviewUrl);
      return;
    }
    const verdicts = results();
    const firstOpen = state.questions.findIndex((q) =>
      state.practice ? !verdicts[q.id] : !answered(q),
    );
    index = firstOpen === -1 ? state.questions.length - 1 : firstOpen;
    if (state.ends_at && !state.practice) {
      $("[data-timer]").hidden = false;
      tick();
      timer = window.setInterval(tick, 1000);
    }
    render();
  })();
}

if (root) setup();
