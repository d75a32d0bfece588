// The quiz builder (组卷). The page is a plain form that saves without JavaScript;
// this adds, for a drawn paper, rule rows added and removed in place with the count
// each can draw from as you type (POST /api/v1/papers/check/, the server's own
// check, shown as it answers) and the chosen banks' categories and tags in the
// selects (GET /api/v1/papers/facets/); for a fixed paper, the question picker
// (GET /api/v1/questions/) with search and filters, and reordering.

import { call, el, fill } from "../jiangtang/api.js";

const form = document.querySelector("[data-builder]");
const text = document.querySelector("template[data-i18n]")?.dataset ?? {};
const kindLabels = JSON.parse(document.getElementById("bd-kinds")?.textContent || "{}");
const DEBOUNCE_MS = 300;
const PAGE_SIZE = 10;

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function firstMessage(data) {
  if (!data || typeof data !== "object") return "";
  if (data.detail) return String(data.detail);
  for (const value of Object.values(data)) {
    if (Array.isArray(value) && value.length) return String(value[0]);
  }
  return "";
}

function setup() {
  const $ = (selector) => form.querySelector(selector);
  const $$ = (selector) => [...form.querySelectorAll(selector)];
  form.classList.add("is-live");

  const bankIds = () => $$("[data-banks] input[type=checkbox]:checked").map((box) => box.value);

  // --- the paper: drawn or fixed ---

  const modeInputs = $$("[data-mode] input[type=radio]");
  function showMode() {
    const mode = modeInputs.find((input) => input.checked)?.value || "drawn";
    for (const part of $$("[data-paper]")) {
      part.classList.toggle("is-current", part.dataset.paper === mode);
    }
    if (mode === "fixed") picker.search();
    else check();
  }

  // --- facets: the banks' categories and tags ---

  let facets = { categories: [], tags: [] };

  function fillSelect(select, names, anyLabel) {
    const current = select.value;
    const options = [el("option", { value: "" }, anyLabel)];
    const offered = names.includes(current) || !current ? names : [...names, current];
    for (const name of offered) options.push(el("option", { value: name }, name));
    select.replaceChildren(...options);
    select.value = current;
  }

  function applyFacets(root = form) {
    const names = (key) => facets[key].map((facet) => facet.name);
    for (const select of root.querySelectorAll("[data-rule] [data-field=category]")) {
      fillSelect(select, names("categories"), text.any);
    }
    for (const select of root.querySelectorAll("[data-rule] [data-field=tag]")) {
      fillSelect(select, names("tags"), text.any);
    }
  }

  async function loadFacets() {
    const banks = bankIds();
    if (!banks.length) {
      facets = { categories: [], tags: [] };
    } else {
      const url = `${form.dataset.facetsUrl}?banks=${banks.join(",")}`;
      const answer = await call("GET", url);
      if (!answer.ok) return;
      facets = answer.data;
    }
    applyFacets();
    picker.applyFacets(facets);
  }

  // --- drawn: the rule rows ---

  const rows = $("[data-rule-rows]");
  const ruleTemplate = $("template[data-rule-template]");
  const totalForms = $("input[name=rules-TOTAL_FORMS]");
  const totalLine = $("[data-total]");

  const liveRows = () =>
    [...rows.querySelectorAll("[data-rule]")].filter((row) => !row.hidden);

  function setupRemove(row) {
    const label = row.querySelector("[data-delete]");
    const box = label?.querySelector("input[type=checkbox]");
    if (!label || !box) return;
    box.hidden = true;
    const button = el("button", { type: "button", class: "chip bd-remove" }, label.textContent.trim());
    button.addEventListener("click", () => {
      box.checked = true;
      row.hidden = true;
      check();
    });
    label.replaceWith(box, button);
  }

  function addRule() {
    const index = Number(totalForms.value);
    const html = ruleTemplate.innerHTML.replaceAll("__prefix__", String(index));
    const holder = document.createElement("tbody");
    holder.innerHTML = html;
    const row = holder.querySelector("[data-rule]");
    const previous = liveRows().at(-1);
    if (previous) {
      // a new rule starts like the one above it, which is usually what comes next
      for (const name of ["kind", "min_difficulty", "max_difficulty", "points"]) {
        const from = previous.querySelector(`[data-field=${name}]`);
        const to = row.querySelector(`[data-field=${name}]`);
        if (from && to) to.value = from.value;
      }
    }
    rows.append(row);
    totalForms.value = String(index + 1);
    applyFacets(row);
    setupRemove(row);
    row.querySelector("[data-field=count]")?.focus();
    check();
  }

  function ruleOf(row) {
    const value = (name) => row.querySelector(`[data-field=${name}]`)?.value ?? "";
    const rule = { kind: value("kind"), count: value("count"), points: value("points") || "1" };
    for (const name of ["category", "tag"]) if (value(name)) rule[name] = value(name);
    for (const name of ["min_difficulty", "max_difficulty"]) if (value(name)) rule[name] = value(name);
    return rule;
  }

  function showRow(row, { problem = "", message = "" }) {
    row.classList.toggle("is-problem", Boolean(problem));
    row.querySelector("[data-rule-status]").textContent = problem || message;
  }

  let checkSeq = 0;
  const check = debounce(async () => {
    const seq = ++checkSeq;
    const banks = bankIds();
    const all = liveRows();
    const counted = all.filter((row) => row.querySelector("[data-field=count]")?.value.trim());
    for (const row of all) {
      if (!counted.includes(row)) showRow(row, { message: text.needCount });
      else if (!banks.length) showRow(row, { message: text.needBanks });
    }
    if (!banks.length || !counted.length) {
      totalLine.textContent = "";
      return;
    }
    for (const row of counted) row.querySelector("[data-rule-status]").textContent = text.checking;
    const answer = await call("POST", form.dataset.checkUrl, {
      banks: banks.map(Number),
      rules: counted.map(ruleOf),
    });
    if (seq !== checkSeq) return; // a newer check is under way
    if (!answer.ok) {
      const message = answer.status === 0 ? text.offline : firstMessage(answer.data);
      for (const row of counted) showRow(row, { problem: message });
      return;
    }
    answer.data.rules.forEach((result, i) => {
      showRow(counted[i], {
        problem: result.problem,
        message: fill(text.available, { n: result.available }),
      });
    });
    totalLine.textContent = fill(text.total, {
      n: answer.data.total_questions,
      points: answer.data.total_points,
    });
    totalLine.classList.toggle("is-problem", !answer.data.feasible);
  }, DEBOUNCE_MS);

  // --- fixed: the paper's questions and the picker ---

  const items = $("[data-items]");
  const itemTemplate = $("template[data-item-template]");
  const itemsEmpty = $("[data-items-empty]");
  const fixedTotal = $("[data-fixed-total]");

  const pickedIds = () => new Set([...items.querySelectorAll("[data-item]")].map((li) => li.dataset.id));

  function renumber() {
    const all = [...items.querySelectorAll("[data-item]")];
    let points = 0;
    all.forEach((li, i) => {
      li.querySelector("[data-up]").disabled = i === 0;
      li.querySelector("[data-down]").disabled = i === all.length - 1;
      points += Number(li.querySelector("input[name=item_points]").value) || 0;
    });
    itemsEmpty.hidden = all.length > 0;
    fixedTotal.textContent = fill(text.total, { n: all.length, points });
    picker.markPicked();
  }

  function meta(question) {
    const parts = [
      kindLabels[question.kind] || question.kind,
      fill(text.difficulty, { n: question.difficulty }),
      question.category,
    ];
    if (question.tags?.length) parts.push(question.tags.join("、"));
    if (!question.is_active) parts.push(text.inactive);
    return parts.filter(Boolean).join(" · ");
  }

  function addItem(question) {
    if (pickedIds().has(String(question.id))) return;
    const holder = document.createElement("ol");
    holder.innerHTML = itemTemplate.innerHTML;
    const li = holder.querySelector("[data-item]");
    li.dataset.id = String(question.id);
    li.querySelector(".bd-item__stem").textContent = question.stem;
    li.querySelector(".bd-item__meta").textContent = meta(question);
    li.querySelector("input[name=item_question]").value = String(question.id);
    const last = [...items.querySelectorAll("input[name=item_points]")].at(-1);
    li.querySelector("input[name=item_points]").value = last?.value || "1";
    items.append(li);
    renumber();
  }

  items.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    const li = event.target.closest("[data-item]");
    if (!button || !li) return;
    if (button.matches("[data-remove]")) li.remove();
    else if (button.matches("[data-up]") && li.previousElementSibling) {
      li.previousElementSibling.before(li);
    } else if (button.matches("[data-down]") && li.nextElementSibling) {
      li.nextElementSibling.after(li);
    }
    renumber();
    if (button.isConnected && !button.disabled) button.focus();
  });
  items.addEventListener("input", (event) => {
    if (event.target.matches("input[name=item_points]")) renumber();
  });

  const picker = (() => {
    const box = $("[data-picker]");
    const results = box.querySelector("[data-results]");
    const status = box.querySelector("[data-picker-status]");
    const pages = box.querySelector("[data-pages]");
    const pageLabel = box.querySelector("[data-page-label]");
    const filters = [...box.querySelectorAll("[data-filter]")];
    let page = 1;
    let count = 0;
    let seq = 0;
    let shown = [];
    box.hidden = false;

    function markPicked() {
      const picked = pickedIds();
      for (const li of results.querySelectorAll("[data-result]")) {
        const button = li.querySelector("button");
        const on = picked.has(li.dataset.id);
        button.disabled = on;
        button.textContent = on ? text.added : text.add;
      }
    }

    async function search() {
      const current = ++seq;
      const banks = bankIds();
      if (!banks.length) {
        results.replaceChildren();
        status.textContent = text.needBanks;
        pages.hidden = true;
        return;
      }
      // active questions only: an inactive one would keep the paper from being published
      const params = new URLSearchParams({
        banks: banks.join(","),
        active: "true",
        page,
        page_size: PAGE_SIZE,
      });
      for (const input of filters) if (input.value.trim()) params.set(input.dataset.filter, input.value.trim());
      status.textContent = text.loading;
      const answer = await call("GET", `${form.dataset.questionsUrl}?${params}`);
      if (current !== seq) return;
      if (!answer.ok) {
        status.textContent = answer.status === 0 ? text.offline : firstMessage(answer.data);
        return;
      }
      count = answer.data.count;
      shown = answer.data.results;
      status.textContent = count ? fill(text.found, { n: count }) : text.none;
      results.replaceChildren(
        ...shown.map((question) =>
          el(
            "li",
            { class: "bd-result", "data-result": "", "data-id": String(question.id) },
            el(
              "span",
              { class: "bd-result__body" },
              el("span", { class: "bd-result__stem" }, question.stem),
              el("span", { class: "bd-result__meta muted" }, meta(question)),
            ),
            el("button", { type: "button", class: "chip bd-result__add" }, text.add),
          ),
        ),
      );
      const pagesTotal = Math.max(1, Math.ceil(count / PAGE_SIZE));
      pages.hidden = pagesTotal <= 1;
      pageLabel.textContent = fill(text.page, { page, pages: pagesTotal });
      pages.querySelector('[data-page="-1"]').disabled = page <= 1;
      pages.querySelector('[data-page="1"]').disabled = page >= pagesTotal;
      markPicked();
    }

    const searchSoon = debounce(() => {
      page = 1;
      search();
    }, DEBOUNCE_MS);
    for (const input of filters) {
      input.addEventListener(input.tagName === "SELECT" ? "change" : "input", searchSoon);
      // Enter in the search box searches; it does not submit the quiz form
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") {
          event.preventDefault();
          page = 1;
          search();
        }
      });
    }
    pages.addEventListener("click", (event) => {
      const button = event.target.closest("[data-page]");
      if (!button) return;
      page += Number(button.dataset.page);
      search();
    });
    results.addEventListener("click", (event) => {
      const li = event.target.closest("[data-result]");
      if (!li || !event.target.closest("button")) return;
      const question = shown.find((q) => String(q.id) === li.dataset.id);
      if (question) addItem(question);
    });

    function applyFacets(found) {
      const category = box.querySelector("[data-filter=category]");
      const tag = box.querySelector("[data-filter=tag]");
      const any = (select) => select.options[0].textContent;
      fillSelect(category, found.categories.map((f) => f.name), any(category));
      fillSelect(tag, found.tags.map((f) => f.name), any(tag));
    }

    return { search, markPicked, applyFacets };
  })();

  // --- wiring ---

  for (const row of rows.querySelectorAll("[data-rule]")) setupRemove(row);
  $("[data-add-rule]").addEventListener("click", (event) => {
    event.preventDefault();
    addRule();
  });
  rows.addEventListener("input", check);
  rows.addEventListener("change", check);
  for (const input of modeInputs) input.addEventListener("change", showMode);
  $("[data-banks]").addEventListener("change", async () => {
    await loadFacets();
    check();
    picker.search();
  });
  renumber();
  loadFacets();
  showMode();
}

if (form) setup();
