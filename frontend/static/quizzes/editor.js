// The question editor (authoring pages): option rows, one answer box per blank of
// the stem, a cited lecture's paragraphs, and a live preview in a phone frame that
// renders the question with the markup and classes of the member's answer page
// (quizzes/answer.js, app.css). The server validates on save; this script only
// helps. User text is only ever set with textContent.

import { el, fill } from "../jiangtang/api.js";

const form = document.querySelector("form[data-editor]");
const text = document.querySelector("template[data-i18n]")?.dataset ?? {};
// scoring.BLANK_PATTERN: （　）, () or ___
const BLANK = /（\s*）|\(\s*\)|_{2,}/g;
const LETTERS = "ABCDEFGH";

function setup() {
  const $ = (selector) => form.querySelector(selector);
  const $$ = (selector) => [...form.querySelectorAll(selector)];
  const stem = $("[data-stem]");
  const optionList = $("[data-options]");
  const blankList = $("[data-blanks]");
  const lecture = $("[data-lecture]");
  const passage = $("[data-passage]");
  const source = $("[data-source]");
  const maxOptions = Number(form.dataset.maxOptions || 8);
  const preview = document.querySelector("[data-preview]");
  const box = preview.querySelector("[data-preview-question]");
  const feedback = preview.querySelector("[data-preview-feedback]");
  const action = preview.querySelector("[data-preview-action]");
  let mode = "answering";
  let autoSource = "";

  const kind = () => $("[data-kind-choice]:checked")?.value ?? "single";
  const isChoice = (k) => k === "single" || k === "multiple";

  // --- kind ---------------------------------------------------------------
  function showKind() {
    const k = kind();
    $("[data-section=choices]").hidden = !isChoice(k);
    $("[data-section=truefalse]").hidden = k !== "truefalse";
    $("[data-section=fill]").hidden = k !== "fill";
    $("[data-insert-blank]").hidden = k !== "fill";
    const type = k === "multiple" ? "checkbox" : "radio";
    let kept = false;
    for (const input of $$("[data-correct]")) {
      if (input.type !== type) {
        const was = input.checked;
        input.type = type;
        // one right answer left when a 多选 becomes a 单选
        input.checked = type === "radio" ? was && !kept : was;
      }
      kept ||= input.checked;
    }
    if (k === "fill") syncBlanks();
  }

  // --- options ------------------------------------------------------------
  function relabel() {
    const rows = $$("[data-option-row]");
    rows.forEach((row, i) => {
      row.querySelector("[data-letter]").textContent = LETTERS[i];
      row.querySelector("[data-correct]").value = LETTERS[i];
      row.querySelector("[data-remove-option]").disabled = rows.length <= 2;
    });
    $("[data-add-option]").disabled = rows.length >= maxOptions;
  }

  function addOption() {
    if ($$("[data-option-row]").length >= maxOptions) return;
    const row = el("li", { class: "ed-option", "data-option-row": "" });
    row.append(
      el("input", {
        type: kind() === "multiple" ? "checkbox" : "radio",
        name: "correct",
        value: "",
        "aria-label": text.rightAnswer,
        "data-correct": "",
      }),
      el("span", { class: "ed-option__letter", "data-letter": "" }),
      el("input", { type: "text", name: "option", maxlength: "500", "aria-label": text.optionLabel, "data-option": "" }),
      el("button", { type: "button", class: "button button--ghost ed-small", "data-remove-option": "", "aria-label": text.remove }, "✕"),
    );
    optionList.append(row);
    relabel();
    row.querySelector("[data-option]").focus();
    render();
  }

  // --- blanks -------------------------------------------------------------
  function syncBlanks() {
    const count = (stem.value.match(BLANK) ?? []).length;
    const inputs = $$("[data-blank]");
    for (let i = inputs.length; i < count; i += 1) {
      const input = el("input", { type: "text", name: "blank", placeholder: text.blankHelp, "data-blank": "" });
      const label = el("label", {}, el("span", { class: "ed-blank__label" }, fill(text.blank, { n: i + 1 })), input);
      blankList.append(el("li", { class: "ed-blank" }, label));
    }
    // drop the extra boxes that are empty; keep what was typed (the server will say)
    const all = $$("[data-blank]");
    for (let i = all.length - 1; i >= count; i -= 1) {
      if (!all[i].value.trim()) all[i].closest("li").remove();
    }
    $("[data-no-blanks]").hidden = count > 0;
  }

  function insertBlank() {
    const start = stem.selectionStart ?? stem.value.length;
    const end = stem.selectionEnd ?? start;
    stem.setRangeText("（　）", start, end, "end");
    stem.focus();
    syncBlanks();
    render();
  }

  // --- the cited lecture --------------------------------------------------
  function sourceText() {
    const option = lecture.selectedOptions[0];
    if (!lecture.value || !option) return "";
    const n = passage.value;
    return `《${option.dataset.title}》${n ? `第${n}段` : ""}`;
  }

  function suggestSource() {
    // fill the 出处 while it is empty or still what we wrote
    if (source.value.trim() && source.value !== autoSource) return;
    autoSource = sourceText();
    source.value = autoSource;
  }

  async function loadPassages() {
    passage.replaceChildren(el("option", { value: "" }, text.whole));
    passage.disabled = !lecture.value;
    if (!lecture.value) return;
    passage.disabled = true;
    const chosen = lecture.value;
    const url = form.dataset.passagesUrl.replace("{id}", chosen);
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error(String(response.status));
      const rows = await response.json();
      if (lecture.value !== chosen) return; // another lecture was chosen meanwhile
      for (const row of rows) {
        const short = row.text.length > 30 ? `${row.text.slice(0, 30)}…` : row.text;
        passage.append(el("option", { value: String(row.n) }, fill(text.passage, { n: row.n, text: short })));
      }
      passage.disabled = false;
    } catch {
      passage.replaceChildren(el("option", { value: "" }, text.loadFailed));
    }
  }

  // --- the preview --------------------------------------------------------
  function current() {
    const k = kind();
    const options = $$("[data-option-row]").map((row) => ({
      key: row.querySelector("[data-correct]").value,
      text: row.querySelector("[data-option]").value.trim(),
      right: row.querySelector("[data-correct]").checked,
    }));
    while (options.length && !options.at(-1).text && !options.at(-1).right) options.pop();
    return {
      kind: k,
      stem: stem.value.trim(),
      options,
      truth: $("[data-truth]:checked")?.value ?? "",
      blanks: $$("[data-blank]").map((input) => input.value.trim()),
      blankCount: (stem.value.match(BLANK) ?? []).length,
      explanation: $("[data-explanation]").value.trim(),
      source: source.value.trim(),
      lecture: lecture.value,
      title: lecture.selectedOptions[0]?.dataset.title ?? "",
      passage: passage.value,
    };
  }

  function answerText(q) {
    if (isChoice(q.kind)) return q.options.filter((o) => o.right).map((o) => o.key).join("");
    if (q.kind === "truefalse") return q.truth === "true" ? "正确" : q.truth === "false" ? "错误" : "";
    return q.blanks.filter(Boolean).join("；");
  }

  function renderQuestion(q, answered) {
    const kindLine = el("p", { class: `question__kind question__kind--${q.kind}`, "data-kind": q.kind });
    kindLine.append(el("span", {}, text[`kind${q.kind[0].toUpperCase()}${q.kind.slice(1)}`] ?? ""));
    if (q.kind === "multiple" && !answered) {
      kindLine.append(el("span", { class: "question__count" }, text.noneChosen));
    }
    const stemLine = el("p", { class: "question__stem", "data-preview-stem": "" }, q.stem || text.emptyStem);
    if (!q.stem) stemLine.classList.add("ed-placeholder");
    box.replaceChildren(kindLine, stemLine);
    if (q.kind === "fill") {
      for (let i = 0; i < Math.max(q.blankCount, 1); i += 1) {
        const input = el("input", { type: "text", "aria-label": fill(text.blank, { n: i + 1 }), tabindex: "-1" });
        input.disabled = answered;
        box.append(el("label", { class: "field" }, input));
      }
      return;
    }
    const list = el("div", { class: "options" });
    const options =
      q.kind === "truefalse"
        ? [
            { key: "true", label: "正确", right: q.truth === "true" },
            { key: "false", label: "错误", right: q.truth === "false" },
          ]
        : q.options.map((o) => ({ key: o.key, label: `${o.key}. ${o.text || text.emptyOption}`, right: o.right }));
    for (const option of options) {
      const button = el("button", { type: "button", class: "option", "data-key": option.key, "aria-pressed": "false", tabindex: "-1" }, option.label);
      if (answered && option.right) button.classList.add("is-key");
      button.disabled = answered;
      list.append(button);
    }
    box.append(list);
  }

  function renderFeedback(q, answered) {
    feedback.replaceChildren();
    feedback.hidden = !answered;
    action.hidden = answered;
    if (!answered) return;
    feedback.className = "feedback is-wrong";
    feedback.append(
      el("p", { class: "feedback__verdict" }, `✗ ${text.wrong}`),
      el("p", { "data-preview-answer": "" }, `${text.answer}：${answerText(q) || text.noAnswer}`),
    );
    if (q.explanation) {
      feedback.append(el("p", { class: "muted", "data-preview-explanation": "" }, `${text.explanation}：${q.explanation}`));
    }
    // 出处 as answer.js shows it: "出自《…》" (the lecture at the passage), then the text
    if (q.lecture || q.source) {
      const line = el("p", { class: "feedback__source", "data-preview-source": "" }, `${text.source}：`);
      if (q.lecture) {
        const base = form.dataset.lectureUrl.replace("{id}", q.lecture);
        const href = q.passage ? `${base}?p=${q.passage}#p${q.passage}` : base;
        line.append(
          el("a", { class: "source-link", href, target: "_blank", rel: "noopener", "data-preview-cited": "" },
            fill(text.from, { title: q.title })),
        );
        if (q.source && q.source !== q.title) line.append(" ", el("span", { class: "muted" }, q.source));
      } else {
        line.append(q.source);
      }
      feedback.append(line);
    }
  }

  const screen = preview.querySelector(".ed-phone__screen");

  function render() {
    const q = current();
    const answered = mode === "answered";
    renderQuestion(q, answered);
    renderFeedback(q, answered);
  }

  // the explanation is below the options: scroll the phone's screen to it
  function showFeedback() {
    if (mode !== "answered") return;
    const hidden = feedback.getBoundingClientRect().bottom - screen.getBoundingClientRect().bottom;
    if (hidden > -16) screen.scrollTop += hidden + 16;
  }

  function setMode(next) {
    if (mode === next) {
      showFeedback();
      return;
    }
    mode = next;
    for (const tab of document.querySelectorAll("[data-preview-mode]")) {
      tab.setAttribute("aria-selected", String(tab.dataset.previewMode === mode));
    }
    render();
    if (mode === "answered") showFeedback();
    else screen.scrollTop = 0;
  }

  // --- wiring -------------------------------------------------------------
  form.addEventListener("input", (event) => {
    if (event.target === stem && kind() === "fill") syncBlanks();
    if (event.target === source) autoSource = "";
    render();
    if (event.target.matches("[data-explanation], [data-source]")) showFeedback();
  });
  form.addEventListener("change", (event) => {
    if (event.target.matches("[data-kind-choice]")) showKind();
    if (event.target === lecture) {
      loadPassages().then(() => {
        suggestSource();
        render();
        showFeedback();
      });
    }
    if (event.target === passage) suggestSource();
    render();
    showFeedback();
  });
  form.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    if (button.matches("[data-add-option]")) addOption();
    else if (button.matches("[data-insert-blank]")) insertBlank();
    else if (button.matches("[data-remove-option]")) {
      if ($$("[data-option-row]").length <= 2) return;
      button.closest("[data-option-row]").remove();
      relabel();
      render();
    }
  });
  // what the admin works on decides which moment the preview shows
  form.addEventListener("focusin", (event) => {
    const after = event.target.matches("[data-explanation], [data-source], [data-lecture], [data-passage], [data-correct], [data-truth], [data-blank]");
    const before = event.target.matches("[data-stem], [data-option], [data-kind-choice]");
    if (after) setMode("answered");
    else if (before) setMode("answering");
  });
  for (const tab of document.querySelectorAll("[data-preview-mode]")) {
    tab.addEventListener("click", () => setMode(tab.dataset.previewMode));
  }
  for (const guarded of document.querySelectorAll("form[data-confirm]")) {
    guarded.addEventListener("submit", (event) => {
      if (!window.confirm(guarded.dataset.confirm)) event.preventDefault();
    });
  }
  autoSource = source.value === sourceText() ? source.value : "";
  relabel();
  showKind();
  render();
}

if (form) setup();
