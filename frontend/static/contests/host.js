// The host console of a live contest where everyone answers (classic and team).
//
// It draws the server's view (`state`, then the events) and offers only what the
// server would accept in the current phase: the buttons follow the phase, a command
// waits for its answer before another can be sent, and what cannot be undone (the
// end, removing a player, voiding a question) asks for a second press. The key of a
// question is shown only once the server revealed it. The questions seen and their
// reveals are kept in sessionStorage, so that a reload can still correct them.

import { contestSocket, el, guestBadges } from "./socket.js";

const root = document.querySelector("[data-host]");
const t = {
  ...(document.querySelector("template[data-texts]")?.dataset ?? {}),
  ...(document.querySelector("template[data-host-texts]")?.dataset ?? {}),
};
const $ = (selector) => root.querySelector(selector);
const { nameNodes } = guestBadges(t.guest);

const CONFIRM_MS = 4000; // a second press within this confirms
const PENDING_MS = 6000; // a command unanswered this long frees the buttons again
const REFUSALS = ["forbidden", "not_found", "inactive", "password_change_required"];

function fill(text, values) {
  return String(text || "").replace(/\{(\w+)\}/g, (_, name) => (name in values ? String(values[name]) : ""));
}

function setup() {
  const storeKey = `jiangtang-host-${root.dataset.contest}`;
  const S = {
    online: false,
    phase: null, // lobby | question | paused | reveal | finished (null: not heard yet)
    seq: 0,
    total: 0,
    format: "classic",
    locked: false,
    players: 0,
    answered: 0,
    question: null, // the open (or last) question, the host's copy: never the key
    endsAt: null,
    reveal: null, // the reveal of the current question
    board: null, // the latest scoreboard
    final: null, // the `finished` message
    roster: null, // [{player, name, branch, guest}] once the server sent it
    rosterVersion: 0,
    search: "",
    history: loadHistory(), // seq → {kind, text, options, correct, distribution, answered, voided, rescored}
    pending: null, // {command, seq?, timer}: sent, waiting for the server's answer
    armed: null, // {id, timer}: a command waiting for its second press
    editing: null, // the seq whose answer is being corrected
    choice: [], // the keys chosen in the correction
    notice: null, // {text, error}
    flash: false, // the board was just recounted
  };
  let offset = 0; // server clock − this clock, ms
  let socket = null;

  // --- memory across reloads --------------------------------------------------------------

  function loadHistory() {
    try {
      return JSON.parse(window.sessionStorage.getItem(storeKey) || "{}") || {};
    } catch {
      return {};
    }
  }

  function saveHistory() {
    try {
      window.sessionStorage.setItem(storeKey, JSON.stringify(S.history));
    } catch {
      // a private window may refuse storage: the console works, corrections after a reload are by number only
    }
  }

  function remember(seq, fields) {
    S.history[seq] = { ...(S.history[seq] || {}), ...fields };
    saveHistory();
  }

  // --- talking to the server ----------------------------------------------------------------

  function send(message) {
    if (!socket?.send(message)) {
      notice(t.offline, true);
      return false;
    }
    window.clearTimeout(S.pending?.timer);
    S.pending = {
      command: message.type,
      seq: message.seq,
      correct: message.correct,
      timer: window.setTimeout(() => {
        S.pending = null;
        render();
      }, PENDING_MS),
    };
    disarm();
    if (S.notice?.error) S.notice = null;
    return true;
  }

  function settle() {
    window.clearTimeout(S.pending?.timer);
    S.pending = null;
  }

  function arm(id) {
    disarm();
    S.armed = {
      id,
      timer: window.setTimeout(() => {
        S.armed = null;
        render();
      }, CONFIRM_MS),
    };
  }

  function disarm() {
    window.clearTimeout(S.armed?.timer);
    S.armed = null;
  }

  function notice(text, error = false) {
    S.notice = text ? { text, error } : null;
  }

  function setPhase(phase) {
    if (phase !== S.phase) {
      disarm();
      if (phase !== "reveal") S.editing = null;
      S.notice = null;
    }
    S.phase = phase;
  }

  function takeQuestion(q, serverNow) {
    if (q.seq !== S.seq || !S.question || S.question.seq !== q.seq) {
      S.answered = 0; // a new question: nobody has answered it yet
      S.reveal = null;
    }
    S.seq = q.seq;
    S.total = q.total;
    S.question = q;
    S.endsAt = q.ends_at;
    if (serverNow) offset = serverNow - Date.now();
    remember(q.seq, { kind: q.kind, text: q.text, options: q.options });
  }

  function handle(m) {
    switch (m.type) {
      case "state":
        offset = m.server_now - Date.now();
        if (m.phase !== "question" && m.phase !== "paused") S.endsAt = null;
        if (m.question) takeQuestion(m.question, m.server_now);
        else if (m.seq !== S.seq) S.answered = 0;
        setPhase(m.phase);
        S.seq = m.seq;
        if (m.total) S.total = m.total;
        if (m.format) S.format = m.format;
        if (typeof m.locked === "boolean") S.locked = m.locked;
        S.players = m.players;
        if (typeof m.answered === "number") S.answered = m.answered;
        if (m.phase === "lobby") S.answered = 0;
        if (m.phase === "reveal" && typeof S.history[m.seq]?.answered === "number") S.answered = S.history[m.seq].answered;
        if (m.scoreboard) S.board = m.scoreboard;
        if (m.roster) setRoster(m.roster);
        if (m.phase === "reveal" && !S.reveal && S.history[m.seq]?.correct) S.reveal = { seq: m.seq, ...S.history[m.seq] };
        if (m.phase === "reveal" && !S.question && S.history[m.seq]?.text !== undefined) S.question = { seq: m.seq, total: S.total, ...S.history[m.seq] };
        settle(); // the whole truth: whatever was asked is answered by it
        break;
      case "lobby":
        S.players = m.players;
        if (m.roster) setRoster(m.roster);
        if (S.pending?.command === "kick") {
          if (!m.roster && S.roster) setRoster(S.roster.filter((p) => p.player !== S.pending.player));
          settle();
        }
        break;
      case "question":
        takeQuestion(m, m.server_now);
        setPhase("question");
        settle();
        break;
      case "progress":
        if (m.seq === S.seq) {
          S.answered = m.answered;
          S.players = m.players;
        }
        break;
      case "reveal":
        setPhase("reveal");
        S.endsAt = null;
        S.reveal = m;
        if (typeof m.answered === "number") S.answered = m.answered;
        remember(m.seq, { correct: m.correct, distribution: m.distribution, answered: m.answered, voided: Boolean(m.voided) });
        if (S.pending?.command === "close") settle(); // an end waits for its `finished`
        break;
      case "scoreboard":
        S.board = m;
        if (S.pending?.command === "void" || S.pending?.command === "rescore") corrected(S.pending);
        break;
      case "finished":
        setPhase("finished");
        S.endsAt = null;
        S.final = m;
        settle();
        break;
      case "connection":
        status(m.status === "ok");
        break;
      case "error":
        settle();
        if (REFUSALS.includes(m.code)) {
          socket?.refuse();
          status(false, `${t.refused}：${m.message}`);
          if (m.code === "not_found") {
            // the page knows this contest: its room is gone because it ended
            setPhase("finished");
            notice(t.overNote);
            break;
          }
        }
        notice(m.message || t.refused, true);
        break;
      default:
        return;
    }
    render();
  }

  function corrected(pending) {
    const { command, seq } = pending;
    if (command === "void") {
      remember(seq, { voided: true });
      notice(fill(t.voidDone, { n: seq }));
    } else {
      remember(seq, { correct: pending.correct, rescored: true, voided: false });
      if (S.reveal?.seq === seq) S.reveal = { ...S.reveal, correct: pending.correct, voided: false };
      notice(fill(t.rescoreDone, { n: seq }));
    }
    if (command === "void" && S.reveal?.seq === seq) S.reveal = { ...S.reveal, voided: true };
    S.editing = null;
    S.flash = true;
    settle();
  }

  function setRoster(roster) {
    S.roster = roster;
    S.rosterVersion += 1;
  }

  function status(ok, text) {
    S.online = ok;
    const conn = $("[data-conn]");
    conn.textContent = text || (ok ? t.online : t.offline);
    conn.classList.toggle("is-online", ok);
    if (!ok) settle();
    render();
  }

  // --- drawing ---------------------------------------------------------------------------

  function optionLabel(q, key) {
    if (q?.kind === "truefalse") return q.options.find((o) => o.key === key)?.text || key;
    return key;
  }

  function keyText(q, keys) {
    if (!keys) return "";
    if (q?.kind === "fill") return keys.join("；");
    return keys.map((k) => optionLabel(q, k)).join("、");
  }

  function kindLabel(kind) {
    return t[`kind${kind.charAt(0).toUpperCase()}${kind.slice(1)}`] || "";
  }

  function drawStatus() {
    const phase = S.phase;
    const label = phase ? t[`phase${phase.charAt(0).toUpperCase()}${phase.slice(1)}`] : t.phaseConnecting;
    const box = $("[data-phase]");
    box.textContent = label;
    box.dataset.state = phase || "connecting";
    const number = $("[data-number]");
    number.textContent = S.seq > 0 && phase !== "lobby" && phase !== "finished" ? fill(t.number, { n: S.seq, of: S.total }) : "";

    const lobby = phase === "lobby";
    $("[data-lobby]").hidden = !lobby;
    $("[data-joined-count]").textContent = String(S.players);

    const counting = ["question", "paused", "reveal"].includes(phase);
    $("[data-progress]").hidden = !counting;
    const answered = S.answered;
    const of = Math.max(S.players, answered);
    $("[data-answered]").textContent = String(answered);
    $("[data-of]").textContent = String(of);
    const meter = $("[data-meter]");
    meter.setAttribute("aria-valuemax", String(of));
    meter.setAttribute("aria-valuenow", String(answered));
    $("[data-meter-bar]").style.width = `${of ? Math.round((answered / of) * 100) : 0}%`;
    $("[data-meter-bar]").classList.toggle("is-full", of > 0 && answered >= of);

    $("[data-players]").textContent = String(S.players);
  }

  function drawQuestion() {
    const box = $("[data-question]");
    const q = S.question;
    const shown = q && ["question", "paused", "reveal"].includes(S.phase) && q.seq === S.seq;
    box.hidden = !shown;
    if (!shown) return;
    const reveal = S.reveal?.seq === q.seq ? S.reveal : null;
    const sig = JSON.stringify([q.seq, q.text, S.phase === "paused", reveal?.correct, reveal?.voided, reveal?.distribution]);
    if (box.dataset.sig === sig) return;
    box.dataset.sig = sig;
    const meta = [kindLabel(q.kind)];
    if (q.points) meta.push(`${q.points} ${t.pointsUnit}`);
    const parts = [el("p", { class: "host-question__meta" }, meta.filter(Boolean).join(" · ")), el("p", { class: "host-question__text" }, q.text)];
    if (S.phase === "paused") parts.push(el("p", { class: "notice host-paused" }, t.pausedNote));
    if (q.kind !== "fill" && q.options?.length) {
      const counts = reveal?.distribution || {};
      const most = Math.max(1, ...Object.values(counts));
      const list = el("ol", { class: "host-options", "data-testid": "options" });
      q.options.forEach((option, i) => {
        const isKey = Boolean(reveal && reveal.correct.includes(option.key));
        const item = el(
          "li",
          { class: `host-option host-option--${i % 6}${isKey ? " is-key" : ""}`, "data-key": option.key },
          el("span", { class: "host-option__key", "aria-hidden": q.kind === "truefalse" ? "true" : null }, q.kind === "truefalse" ? "" : option.key),
          el("span", { class: "host-option__text" }, option.text),
        );
        if (isKey) item.append(el("span", { class: "host-option__mark" }, t.correctAnswer));
        if (reveal) {
          const n = counts[option.key] || 0;
          const bar = el("span", { class: "host-option__bar" });
          bar.style.width = `${Math.round((n / most) * 100)}%`;
          item.append(el("span", { class: "host-option__count", "data-testid": "count" }, bar, el("span", { class: "host-option__n" }, String(n))));
        }
        list.append(item);
      });
      parts.push(list);
    } else if (reveal) {
      parts.push(el("p", { class: "host-fill-key" }, `${t.correctAnswer}：${keyText(q, reveal.correct)}`));
    }
    if (reveal?.voided) parts.push(el("p", { class: "notice" }, fill(t.voidedNote, { n: q.seq })));
    box.replaceChildren(...parts);
  }

  function drawCountdown() {
    const box = $("[data-countdown]");
    if (S.phase !== "question" || !S.endsAt) {
      box.textContent = "";
      return;
    }
    const left = Math.max(0, Math.ceil((S.endsAt - (Date.now() + offset)) / 1000));
    box.textContent = String(left);
    box.classList.toggle("is-urgent", left <= 5);
    if (left === 0 && box.dataset.zero !== String(S.seq)) {
      box.dataset.zero = String(S.seq);
      drawControls(); // time is up: close and pause are no longer offered
    }
  }

  function commandState() {
    const p = S.phase;
    const ready = S.online && !S.pending;
    // at 0 the server closes the question by itself: a close or pause now would race it
    const timeUp = p === "question" && S.endsAt !== null && S.endsAt < Date.now() + offset;
    const shown = {
      start: p === "lobby",
      close: p === "question",
      pause: p === "question",
      resume: p === "paused",
      next: p === "reveal",
      end: ["question", "paused", "reveal"].includes(p),
      lock: Boolean(p) && p !== "finished",
    };
    const enabled = {};
    for (const [command, visible] of Object.entries(shown)) enabled[command] = visible && ready;
    enabled.start = enabled.start && S.players > 0;
    enabled.close = enabled.close && !timeUp;
    enabled.pause = enabled.pause && !timeUp;
    return { shown, enabled };
  }

  function drawControls() {
    const { shown, enabled } = commandState();
    for (const button of root.querySelectorAll("[data-controls] [data-command]")) {
      const command = button.dataset.command;
      button.hidden = !shown[command];
      button.disabled = !enabled[command];
      let label = button.dataset.label;
      if (command === "next" && S.seq >= S.total && S.total > 0) label = t.lastNext;
      if (command === "end" && S.armed?.id === "end") label = t.confirmEnd;
      button.textContent = label;
      if (S.armed?.id === command) button.dataset.confirming = "1";
      else delete button.dataset.confirming;
    }
    const lock = $("[data-command=lock]");
    $("[data-lock-row]").hidden = !shown.lock;
    lock.disabled = !enabled.lock;
    lock.setAttribute("aria-pressed", S.locked ? "true" : "false");
    $("[data-lock-label]").textContent = S.locked ? t.locked : t.unlocked;
    $("[data-lock-hint]").textContent = S.locked ? t.lockedHint : t.unlockedHint;

    const box = $("[data-notice]");
    box.hidden = !S.notice;
    box.textContent = S.notice?.text || "";
    box.classList.toggle("is-error", Boolean(S.notice?.error));
  }

  function boardRows(rows, moves = true) {
    return rows.map((row) =>
      el(
        "li",
        {},
        el("span", { class: "board__rank" }, String(row.rank)),
        el("span", { class: "board__name" }, ...nameNodes(row.name, row.guest), row.branch ? el("span", { class: "host-branch" }, row.branch) : null),
        el("span", { class: "board__score" }, String(row.score)),
        moves ? movement(row) : null,
      ),
    );
  }

  // ▲/▼ and the places gained or lost since the last scoreboard
  function movement(row) {
    if (typeof row.previous !== "number" || row.previous === row.rank) return el("span", { class: "host-move" });
    const up = row.previous > row.rank;
    return el("span", { class: `host-move ${up ? "is-up" : "is-down"}`, "aria-hidden": "true" }, `${up ? "▲" : "▼"}${Math.abs(row.previous - row.rank)}`);
  }

  function teamRows(teams) {
    return teams.map((team) => el("li", {}, el("span", { class: "board__rank" }, String(team.rank)), el("span", { class: "board__name" }, team.name), el("span", { class: "board__score" }, String(team.score))));
  }

  function drawBoard() {
    const card = $("[data-board-card]");
    const board = S.board;
    card.hidden = !board || S.phase === "finished" || S.phase === "lobby";
    if (card.hidden) return;
    const sig = JSON.stringify(board);
    if (card.dataset.sig !== sig) {
      card.dataset.sig = sig;
      $("[data-board]").replaceChildren(...boardRows(board.top || []));
      const teams = board.teams || [];
      $("[data-teams]").hidden = !teams.length;
      $("[data-teams-title]").hidden = !teams.length;
      $("[data-teams]").replaceChildren(...teamRows(teams));
    }
    if (S.flash) {
      S.flash = false;
      card.classList.remove("is-updated");
      void card.offsetWidth; // restart the highlight
      card.classList.add("is-updated");
    }
  }

  function drawFinal() {
    const box = $("[data-final]");
    box.hidden = S.phase !== "finished";
    $("[data-podium-box]").hidden = !S.final;
    if (box.hidden || !S.final) return;
    $("[data-podium]").replaceChildren(...boardRows(S.final.podium || [], false));
    const teams = S.final.teams || [];
    $("[data-final-teams]").hidden = !teams.length;
    $("[data-final-teams]").replaceChildren(...teamRows(teams));
  }

  // The questions revealed so far, newest first, each with 作废 and 更正答案.
  function drawHistory() {
    const card = $("[data-history-card]");
    const revealed = S.phase === "reveal" ? S.seq : ["question", "paused"].includes(S.phase) ? S.seq - 1 : 0;
    card.hidden = revealed < 1;
    if (card.hidden) return;
    const canCorrect = S.phase === "reveal" && S.online && !S.pending;
    $("[data-history-wait]").hidden = S.phase === "reveal";
    const sig = JSON.stringify([revealed, canCorrect, S.armed?.id, S.editing, S.choice, S.history]);
    if (card.dataset.sig === sig) return;
    card.dataset.sig = sig;
    const rows = [];
    for (let seq = revealed; seq >= 1; seq -= 1) rows.push(historyRow(seq, canCorrect));
    $("[data-history]").replaceChildren(...rows);
  }

  function historyRow(seq, canCorrect) {
    const h = S.history[seq] || {};
    const q = h.options ? h : null;
    const head = el(
      "div",
      { class: "history__head" },
      el("span", { class: "history__no" }, fill(t.questionNo, { n: seq })),
      h.voided ? el("span", { class: "badge" }, t.voided) : null,
      h.rescored && !h.voided ? el("span", { class: "badge badge--ok" }, t.rescored) : null,
    );
    const parts = [head, el("p", { class: "history__text" }, h.text ?? t.unknownQuestion)];
    if (h.correct) parts.push(el("p", { class: "history__key" }, `${t.correctAnswer}：${keyText(q || { kind: h.kind }, h.correct)}`));
    const actions = el("div", { class: "history__actions" });
    const voidId = `void:${seq}`;
    const voidButton = el(
      "button",
      { type: "button", class: "button button--small", "data-void": String(seq), "data-confirming": S.armed?.id === voidId ? "1" : null, disabled: !canCorrect || h.voided },
      S.armed?.id === voidId ? t.confirmVoid : t.void,
    );
    voidButton.addEventListener("click", () => {
      if (S.armed?.id !== voidId) {
        arm(voidId);
        render();
        return;
      }
      send({ type: "void", seq });
      render();
    });
    actions.append(voidButton);
    const correctable = q && q.kind !== "fill" && q.options?.length;
    if (correctable && S.editing !== seq) {
      const edit = el("button", { type: "button", class: "button button--small", "data-rescore": String(seq), disabled: !canCorrect }, t.rescore);
      edit.addEventListener("click", () => {
        disarm();
        S.editing = seq;
        S.choice = [...(h.correct || [])];
        render();
      });
      actions.append(edit);
    }
    parts.push(actions);
    if (correctable && S.editing === seq) parts.push(rescoreEditor(seq, q, h, canCorrect));
    return el("li", { class: `history__item${h.voided ? " is-voided" : ""}`, "data-seq": String(seq) }, ...parts);
  }

  function rescoreEditor(seq, q, h, canCorrect) {
    const many = q.kind === "multiple";
    const choices = el("div", { class: "rescore__choices", role: "group", "aria-label": t.rescorePick });
    q.options.forEach((option, i) => {
      const on = S.choice.includes(option.key);
      const chip = el(
        "button",
        { type: "button", class: `rescore__choice host-option--${i % 6}`, "aria-pressed": on ? "true" : "false", "data-choice": option.key },
        q.kind === "truefalse" ? option.text : `${option.key}　${option.text}`,
      );
      chip.addEventListener("click", () => {
        if (many) S.choice = on ? S.choice.filter((k) => k !== option.key) : [...S.choice, option.key];
        else S.choice = [option.key];
        render();
      });
      choices.append(chip);
    });
    const same = JSON.stringify([...S.choice].sort()) === JSON.stringify([...(h.correct || [])].sort());
    const confirm = el("button", { type: "button", class: "button button--primary", "data-rescore-confirm": String(seq), disabled: !canCorrect || !S.choice.length || same }, t.rescoreConfirm);
    confirm.addEventListener("click", () => {
      const order = q.options.map((o) => o.key);
      const correct = [...S.choice].sort((a, b) => order.indexOf(a) - order.indexOf(b));
      send({ type: "rescore", seq, correct });
      render();
    });
    const cancel = el("button", { type: "button", class: "button" }, t.cancel);
    cancel.addEventListener("click", () => {
      S.editing = null;
      render();
    });
    return el("div", { class: "rescore" }, el("p", { class: "muted" }, t.rescorePick), choices, el("div", { class: "history__actions" }, confirm, cancel));
  }

  // The roster: everyone in the room, found by name or branch; removing asks twice.
  let rosterSig = "";
  function drawRoster() {
    const list = $("[data-roster]");
    const empty = $("[data-roster-empty]");
    const roster = S.roster || [];
    const over = S.phase === "finished";
    const canKick = S.online && !S.pending && Boolean(S.phase) && !over;
    const sig = JSON.stringify([S.rosterVersion, S.search, S.armed?.id, canKick, over, S.players]);
    if (sig === rosterSig) return;
    rosterSig = sig;
    const needle = S.search.trim().toLowerCase();
    const shown = needle ? roster.filter((p) => p.name.toLowerCase().includes(needle) || (p.branch || "").toLowerCase().includes(needle)) : roster;
    empty.hidden = shown.length > 0 || (S.roster === null && S.players > 0);
    empty.textContent = roster.length ? t.noMatch : empty.dataset.none;
    const partial = $("[data-roster-partial]");
    partial.hidden = !S.roster || roster.length >= S.players || Boolean(needle);
    partial.textContent = fill(t.rosterPartial, { n: roster.length });
    list.replaceChildren(
      ...shown.map((p) => {
        const id = `kick:${p.player}`;
        const armed = S.armed?.id === id;
        const kick = el(
          "button",
          { type: "button", class: "button button--small roster__kick", "data-kick": p.player, "data-confirming": armed ? "1" : null, "aria-label": armed ? null : fill(t.kickOf, { name: p.name }), disabled: !canKick },
          armed ? t.confirmKick : t.kick,
        );
        kick.addEventListener("click", () => {
          if (S.armed?.id !== id) {
            arm(id);
            render();
            return;
          }
          if (send({ type: "kick", player: p.player })) S.pending.player = p.player;
          render();
        });
        return el(
          "li",
          { class: "roster__item", "data-player": p.player },
          el("span", { class: "roster__who" }, el("span", { class: "roster__name" }, ...nameNodes(p.name, p.guest)), p.branch ? el("span", { class: "host-branch" }, p.branch) : null),
          over ? null : kick,
        );
      }),
    );
  }

  function render() {
    root.classList.toggle("is-over", S.phase === "finished");
    drawStatus();
    drawCountdown();
    drawQuestion();
    drawControls();
    drawBoard();
    drawHistory();
    drawRoster();
    drawFinal();
  }

  // --- controls ------------------------------------------------------------------------------

  for (const button of root.querySelectorAll("[data-controls] [data-command]")) {
    button.dataset.label = button.textContent.trim();
    button.addEventListener("click", () => {
      const command = button.dataset.command;
      if (!commandState().enabled[command]) return;
      if (command === "end" && S.armed?.id !== "end") {
        arm("end");
        render();
        return;
      }
      send({ type: command });
      render();
    });
  }

  $("[data-command=lock]").addEventListener("click", () => {
    if (!commandState().enabled.lock) return;
    send({ type: "lock", locked: !S.locked });
    render();
  });

  const empty = $("[data-roster-empty]");
  empty.dataset.none = empty.textContent.trim();
  $("[data-search]").addEventListener("input", (event) => {
    S.search = event.target.value;
    render();
  });

  window.setInterval(drawCountdown, 250);

  if (root.hasAttribute("data-over")) {
    // a finished contest has no room any more: say so and offer the results
    S.phase = "finished";
    notice(t.overNote);
    $("[data-conn]").textContent = "";
    render();
    return;
  }
  render();
  socket = contestSocket({
    path: root.dataset.ws,
    role: "host",
    guest: false,
    onOpen: () => status(true),
    onMessage: handle,
    onDown: () => status(false),
  });
}

if (root) setup();
