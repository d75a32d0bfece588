// The player's phone in a classic (or team) live contest.
//
// One WebSocket, reconnecting with backoff (socket.js). The page keeps a small model
// `S` of what the server said (the room's phase, the open question, this player's
// `you`, the reveal) and of this phone's own answer to the open question, and
// redraws from it (`render`). The countdown runs on the server's clock (offset from
// `server_now`); the key arrives only in `reveal`.
//
// The answer's life on this phone (`S.answer.status`):
//   sending  → the frame went out; the server's `answer_ack` is awaited
//   queued   → tapped while the socket was down: sent once it is back and the
//              question is still open (the server refuses it then if it is late)
//   accepted → stored by the server (an ack, a `duplicate`, or `you.answered`)
//   retrying → refused as `unavailable` (the server recovers): sent again once
//   late | closed | lost | unavailable → refused or never sent, said so on screen
// The choice is kept in sessionStorage by contest and question, so that a reload
// shows what was answered.

import { contestSocket, el, optionShape } from "./socket.js";

const root = document.querySelector("[data-live]");
const t = {
  ...(document.querySelector("template[data-texts]")?.dataset ?? {}),
  ...(document.querySelector("template[data-play-texts]")?.dataset ?? {}),
};
const $ = (selector) => root.querySelector(selector);

const REFUSALS = ["forbidden", "not_found", "kicked", "inactive", "finished", "locked", "password_change_required"];
const ACK_WAIT_MS = 6000; // an answer not acknowledged by then: the socket is redialled

function fill(text, values) {
  return String(text ?? "").replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

function svgIcon(path) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "tile__icon");
  const shape = document.createElementNS("http://www.w3.org/2000/svg", "path");
  shape.setAttribute("d", path);
  svg.append(shape);
  return svg;
}
const CHECK = "M4 12.5 9.5 18 20 6.5";
const CROSS = "M6 6l12 12M18 6 6 18";

function setup() {
  const guest = root.dataset.guest === "1";
  const contestId = root.dataset.contest;
  let socket = null;
  let offset = 0; // server clock − this phone's clock
  let ticker = null;
  let built = null; // the seq whose question is drawn in the stage
  let nickname = window.sessionStorage.getItem("jiangtang-nickname") || "";

  const S = {
    conn: "connecting", // connecting | online | down | server (the server's own link is away)
    phase: null,
    seq: 0,
    question: null, // the open (or last) question, players' copy
    you: null, // this player's standing, once the room knows them
    answer: null, // {seq, choices | blanks, status, retried, queued}
    picks: [], // 多选: the keys chosen before 提交
    reveal: null, // the reveal of `question`
    revealYou: null, // the own line of that reveal
    final: null, // {podium, teams, you}
    refusal: null, // the text of a refusal
    removed: false, // the refusal is a removal by the host (the player was in)
    askNickname: false,
    notice: "",
  };

  // --- storage of the own answer, by contest and question -----------------------------

  const storeKey = (seq) => `jiangtang-answer:${contestId}:${seq}`;

  function remember(answer) {
    const { seq, choices, blanks } = answer;
    try {
      window.sessionStorage.setItem(storeKey(seq), JSON.stringify({ choices, blanks }));
    } catch {
      // private mode or full: the answer still goes; only a reload forgets the mark
    }
  }

  function recalled(seq) {
    try {
      return JSON.parse(window.sessionStorage.getItem(storeKey(seq)) || "null");
    } catch {
      return null;
    }
  }

  // --- the socket --------------------------------------------------------------------

  function transmit() {
    const a = S.answer;
    const message = { type: "answer", seq: a.seq };
    if (a.blanks) message.blanks = a.blanks;
    else message.choices = a.choices;
    if (socket.send(message)) {
      a.status = "sending";
      watch(a);
    } else {
      a.status = "queued";
      a.queued = true;
    }
  }

  // No ack in time: the socket may be dead without knowing it (a phone that lost
  // the network keeps its TCP connection "open" for minutes). Dial again; the
  // `state` after the reconnect says whether the answer got in, else it goes again.
  function watch(a) {
    window.setTimeout(() => {
      if (S.answer !== a || a.status !== "sending") return;
      a.status = "queued";
      a.queued = true;
      socket.reconnect();
      render();
    }, ACK_WAIT_MS);
  }

  function submit(response) {
    if (!S.question || S.answer || S.phase !== "question") return;
    S.notice = "";
    S.answer = { seq: S.question.seq, ...response, status: "sending", retried: false, queued: false };
    remember(S.answer);
    transmit();
    render();
  }

  function join() {
    if (guest && !nickname) {
      S.askNickname = true;
      return;
    }
    socket.send(guest ? { type: "join", nickname } : { type: "join" });
  }

  // After every `state` that knows this player: what the server holds decides
  // whether a queued or unacknowledged answer still goes.
  function reconcile(message) {
    const a = S.answer;
    const open = message.phase === "question" || message.phase === "paused";
    if (message.you.answered && (open || a?.seq === message.seq)) {
      if (!a || a.seq !== message.seq) {
        const stored = recalled(message.seq) || {};
        S.answer = { seq: message.seq, ...stored, status: "accepted", retried: false, queued: false };
      } else {
        a.status = "accepted";
      }
      return;
    }
    if (!a || !["queued", "sending", "retrying"].includes(a.status)) return;
    if (message.phase === "question" && message.seq === a.seq) transmit();
    else if (!(message.phase === "paused" && message.seq === a.seq)) a.status = "lost";
  }

  function onAck(message) {
    const a = S.answer;
    if (message.reason === "kicked") {
      S.refusal = t.kicked;
      S.removed = true;
      socket.refuse();
      return;
    }
    if (!a || a.seq !== message.seq) return;
    if (message.accepted || message.reason === "duplicate") {
      a.status = "accepted";
    } else if (message.reason === "unavailable" && !a.retried) {
      a.retried = true;
      a.status = "retrying";
      window.setTimeout(() => {
        if (S.answer === a && a.status === "retrying") {
          transmit();
          render();
        }
      }, 1200);
    } else if (message.reason === "unavailable" || message.reason === "invalid") {
      // not stored: the player taps again (the tiles are live again)
      S.answer = null;
      S.picks = [];
      S.notice = message.reason === "invalid" ? t.invalid : t.unavailable;
    } else {
      a.status = message.reason === "late" ? "late" : "closed";
    }
  }

  // --- messages ----------------------------------------------------------------------

  function clock(message) {
    if (typeof message.server_now === "number") offset = message.server_now - Date.now();
  }

  function openQuestion(q) {
    if (!S.question || S.question.seq !== q.seq) {
      S.question = q;
      S.reveal = null;
      S.picks = [];
      S.notice = "";
      if (S.answer && S.answer.seq !== q.seq) S.answer = null;
    } else {
      S.question = { ...S.question, ends_at: q.ends_at, server_now: q.server_now };
    }
  }

  function onState(m) {
    S.phase = m.phase;
    S.seq = m.seq;
    if (m.question) openQuestion(m.question);
    else if (m.phase === "lobby") S.question = null;
    if (m.you) {
      if (!S.you) S.notice = ""; // what was said while joining is over
      S.you = { ...S.you, ...m.you };
      S.askNickname = false;
      reconcile(m);
    }
    if (m.phase === "finished" && S.you && !S.final) {
      S.final = { podium: m.scoreboard?.top?.filter((row) => row.rank <= 3) ?? [], teams: m.scoreboard?.teams, you: S.you };
    }
  }

  function onError(m) {
    if (REFUSALS.includes(m.code)) {
      S.refusal = m.message;
      S.removed = m.code === "kicked";
      if (m.code === "locked") socket.close();
      else socket.refuse();
    } else if (m.code === "nickname") {
      S.askNickname = true;
      S.notice = m.message;
    } else if (m.code === "unavailable" && !S.you) {
      // the join itself was not taken (the server recovers): ask again shortly
      S.notice = m.message;
      window.setTimeout(() => !S.you && !S.refusal && join(), 2000);
    } else {
      S.notice = m.message;
    }
  }

  function handle(m) {
    clock(m);
    switch (m.type) {
      case "state":
        onState(m);
        break;
      case "question":
        S.phase = "question";
        S.seq = m.seq;
        openQuestion(m);
        break;
      case "answer_ack":
        onAck(m);
        break;
      case "reveal":
        S.phase = "reveal";
        // an answer still waiting here never reached the room (one in flight is
        // answered by its ack: late)
        if (S.answer?.seq === m.seq && ["queued", "retrying"].includes(S.answer.status)) S.answer.status = "lost";
        S.reveal = m;
        S.revealYou = m.you ?? null;
        if (m.you) S.you = { ...S.you, score: m.you.score, rank: m.you.rank, streak: m.you.streak };
        break;
      case "finished":
        S.phase = "finished";
        if (m.you) S.you = { ...S.you, ...m.you };
        S.final = { podium: m.podium, teams: m.teams, you: m.you ?? S.you };
        socket.close(); // nothing more comes for this phone; the links lead on
        break;
      case "scoreboard":
        // the top 10 is the big screen's; a player's own copy after a correction
        // (void, rescore) carries the recounted own line
        if (!m.you) return;
        S.you = { ...S.you, score: m.you.score, rank: m.you.rank, streak: m.you.streak };
        break;
      case "connection":
        S.conn = m.status === "reconnecting" ? "server" : "online";
        break;
      case "error":
        onError(m);
        break;
      default:
        return; // lobby, progress: for the host and the big screen
    }
    render();
  }

  // --- drawing -----------------------------------------------------------------------

  function drawConn() {
    const conn = $("[data-conn]");
    const texts = { connecting: t.connecting, online: t.online, down: t.offline, server: t.reconnecting };
    conn.textContent = texts[S.conn] ?? "";
    const over = Boolean(S.refusal) || Boolean(S.final); // no connection to speak of
    conn.classList.toggle("is-online", S.conn === "online" && !over);
    conn.classList.toggle("is-down", (S.conn === "down" || S.conn === "server") && !over);
    conn.hidden = over;
    root.classList.toggle("is-offline", S.conn === "down" || S.conn === "server");
  }

  function drawYou() {
    const box = $("[data-you]");
    const me = S.you;
    box.hidden = !me || Boolean(S.refusal);
    if (!me) return;
    box.replaceChildren(
      el("span", { class: "me__name", "data-testid": "my-name" }, me.name ?? ""),
      el("span", { class: "me__sep", "aria-hidden": "true" }, " · "),
      el("span", { class: "me__score" }, fill(t.scoreN, { score: me.score ?? 0 })),
      el("span", { class: "me__sep", "aria-hidden": "true" }, " · "),
      el("span", { class: "me__rank" }, fill(t.rankN, { rank: me.rank ?? "—" })),
    );
  }

  function optionLabel(q, option) {
    if (option.text) return option.text;
    if (q.kind === "truefalse") return option.key === "true" ? t.true : option.key === "false" ? t.false : option.key;
    return "";
  }

  function kindLabel(kind) {
    return { single: t.kindSingle, multiple: t.kindMultiple, truefalse: t.kindTruefalse, fill: t.kindFill }[kind] ?? "";
  }

  function buildQuestion(q) {
    const stage = $("[data-stage]");
    const screenOnly = !q.text;
    const head = el(
      "div",
      { class: "play-q__head" },
      el("span", { class: "play-q__no" }, fill(t.questionOf, { n: q.seq, total: q.total })),
      el("span", { class: "countdown", "data-countdown": "" }),
    );
    const timer = el("div", { class: "play-q__timer", "aria-hidden": "true" }, el("span", { "data-timer": "" }));
    const kind = el("p", { class: `play-q__kind play-q__kind--${q.kind}`, "data-testid": "kind" }, kindLabel(q.kind));
    const text = el("p", { class: `live__question${screenOnly ? " is-screen-only" : ""}` }, q.text || t.lookAtScreen);
    const parts = [head, timer, kind, text];
    const status = el("p", { class: "play-status", "data-answer-status": "", role: "status", hidden: true });
    if (q.kind === "fill") {
      parts.push(buildBlanks(q), status);
    } else {
      const [grid, submitBar] = buildTiles(q, screenOnly);
      parts.push(grid, status); // the status above the sticky 提交 bar
      if (submitBar) parts.push(submitBar);
    }
    parts.push(el("div", { class: "play-reveal", "data-reveal": "", hidden: true }));
    stage.replaceChildren(...parts);
    built = q.seq;
  }

  function buildTiles(q, screenOnly) {
    const long = q.options.some((o) => (o.text || "").length > 12);
    const grid = el("div", { class: `answer-grid play-grid${long ? " is-list" : ""}${screenOnly ? " is-screen-only" : ""}` });
    q.options.forEach((option, i) => {
      const letter = q.kind === "truefalse" ? null : option.key;
      const label = optionLabel(q, option);
      const button = el(
        "button",
        { type: "button", class: `answer tile tile--${(i % 6) + 1}`, "data-key": option.key, "aria-pressed": "false" },
        el("span", { class: "tile__shape" }, optionShape(i)),
        letter ? el("strong", { class: "tile__letter" }, letter) : null,
        label ? el("span", { class: "tile__text" }, label) : null,
        el("span", { class: "tile__mark", "data-mark": "" }),
      );
      button.addEventListener("click", () => tap(q, option.key));
      grid.append(button);
    });
    if (q.kind !== "multiple") return [grid];
    const submitBar = el(
      "div",
      { class: "play-submit" },
      el("span", { class: "play-submit__count", "data-picked": "", "data-testid": "picked" }),
      el("button", { type: "button", class: "button button--primary play-submit__button", "data-submit": "", "data-testid": "submit" }, t.submit),
    );
    submitBar.querySelector("[data-submit]").addEventListener("click", () => {
      if (!S.picks.length) return;
      const order = q.options.map((o) => o.key);
      submit({ choices: [...S.picks].sort((a, b) => order.indexOf(a) - order.indexOf(b)) });
    });
    return [grid, submitBar];
  }

  function tap(q, key) {
    if (S.answer || !(S.phase === "question")) return;
    S.notice = "";
    if (q.kind === "multiple") {
      S.picks = S.picks.includes(key) ? S.picks.filter((k) => k !== key) : [...S.picks, key];
      render();
    } else {
      submit({ choices: [key] });
    }
  }

  function buildBlanks(q) {
    const form = el("form", { class: "form play-blanks" });
    const n = Math.max(1, q.blanks);
    for (let i = 0; i < n; i += 1) {
      form.append(
        el(
          "label",
          { class: "field" },
          n > 1 ? el("span", { class: "field__label" }, fill(t.blankN, { n: i + 1 })) : null,
          el("input", { class: "live__blank", maxlength: "200", "aria-label": fill(t.blankN, { n: i + 1 }), autocomplete: "off" }),
        ),
      );
    }
    form.append(el("button", { class: "button button--primary button--block play-submit__button", type: "submit", "data-submit": "", "data-testid": "submit" }, t.submit));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (S.answer || S.phase !== "question") return;
      submit({ blanks: [...form.querySelectorAll("input")].map((input) => input.value.trim()) });
    });
    return form;
  }

  function statusOf() {
    const a = S.answer;
    if (S.phase === "paused") return { text: t.paused, kind: "warn", id: "paused" };
    if (S.notice) return { text: S.notice, kind: "error", id: "notice" };
    if (S.phase === "reveal" && !S.reveal && (!a || ["accepted", "sending"].includes(a.status))) {
      return { text: t.waitNext, kind: "info", id: "revealed" }; // the reveal came while we were away
    }
    if (!a || (S.reveal && ["accepted", "sending"].includes(a.status))) return null;
    const lines = {
      sending: { text: t.sending, kind: "info", id: "sending" },
      queued: { text: t.queued, kind: "warn", id: "queued" },
      retrying: { text: t.retrying, kind: "warn", id: "retrying" },
      accepted: { text: t.submitted, kind: "ok", id: "submitted" },
      late: { text: a.queued ? t.lateQueued : t.late, kind: "error", id: "late" },
      closed: { text: t.closed, kind: "error", id: "closed" },
      lost: { text: t.lost, kind: "error", id: "lost" },
    };
    return lines[a.status] ?? null;
  }

  function paintTiles(q) {
    const a = S.answer?.seq === q.seq ? S.answer : null;
    const mine = a?.choices ?? [];
    const key = S.reveal?.correct ?? null;
    const live = S.phase === "question" && !a && !S.reveal;
    const unsent = Boolean(a) && ["late", "closed", "lost"].includes(a.status); // never counted
    for (const tile of $("[data-stage]").querySelectorAll(".tile")) {
      const k = tile.dataset.key;
      const chosen = mine.includes(k) || (!a && !S.reveal && S.picks.includes(k));
      const isKey = Boolean(key?.includes(k));
      tile.disabled = !live;
      tile.setAttribute("aria-pressed", String(chosen));
      tile.classList.toggle("is-chosen", chosen);
      tile.classList.toggle("is-faded", key ? !isKey && !chosen : Boolean(a) && !chosen);
      tile.classList.toggle("is-key", isKey);
      tile.classList.toggle("is-wrong", Boolean(key) && chosen && !isKey);
      tile.classList.toggle("is-unsent", !key && chosen && unsent);
      const mark = tile.querySelector("[data-mark]");
      if (key && isKey) mark.replaceChildren(svgIcon(CHECK));
      else if (key && chosen) mark.replaceChildren(svgIcon(CROSS));
      else if (chosen && !unsent) mark.replaceChildren(svgIcon(CHECK));
      else mark.replaceChildren();
      const tag = key && chosen ? el("span", { class: "tile__tag", "data-testid": "my-choice" }, t.yourChoice) : null;
      tile.querySelector(".tile__tag")?.remove();
      if (tag) tile.append(tag);
    }
    const picked = $("[data-picked]");
    if (picked) {
      const count = a ? mine.length : S.picks.length;
      picked.textContent = fill(t.picked, { n: count });
      const button = $("[data-submit]");
      button.disabled = !live || !S.picks.length;
      button.closest(".play-submit").hidden = Boolean(S.reveal);
    }
  }

  function paintBlanks(q) {
    const a = S.answer?.seq === q.seq ? S.answer : null;
    const inputs = [...$("[data-stage]").querySelectorAll(".live__blank")];
    const live = S.phase === "question" && !a && !S.reveal;
    inputs.forEach((input, i) => {
      input.disabled = !live;
      if (a?.blanks && !input.value) input.value = a.blanks[i] ?? "";
    });
    const button = $("[data-submit]");
    if (button) {
      button.disabled = !live;
      button.hidden = Boolean(S.reveal);
    }
  }

  function keyText(q, correct) {
    if (q.kind === "fill") return correct.join("；");
    return correct
      .map((k) => {
        const option = q.options.find((o) => o.key === k);
        if (q.kind === "truefalse") return optionLabel(q, option ?? { key: k, text: "" });
        return option?.text ? `${k}. ${option.text}` : k;
      })
      .join("、");
  }

  function paintReveal(q) {
    const box = $("[data-reveal]");
    const r = S.reveal;
    box.hidden = !r;
    if (!r) return;
    const you = S.revealYou;
    const parts = [];
    if (r.voided) parts.push(el("p", { class: "play-reveal__void", "data-testid": "voided" }, t.voided));
    if (you) {
      const verdict = you.answered === false ? t.missed : you.correct ? t.right : t.wrong;
      const cls = you.answered === false ? "is-missed" : you.correct ? "is-right" : "is-wrong";
      parts.push(
        el(
          "p",
          { class: `live__verdict play-verdict ${cls}`, "data-testid": "verdict" },
          el("span", { class: "play-verdict__word" }, verdict),
          el("span", { class: "play-verdict__points" }, fill(t.plusPoints, { n: you.points ?? 0 })),
        ),
      );
      if ((you.streak ?? 0) >= 2 && you.correct) parts.push(el("p", { class: "play-streak", "data-testid": "streak" }, fill(t.streak, { n: you.streak })));
    }
    parts.push(el("p", { class: "play-reveal__key", "data-testid": "correct" }, fill(t.correctAnswer, { answer: keyText(q, r.correct) })));
    if (q.kind === "fill" && S.answer?.seq === q.seq && S.answer.blanks) {
      parts.push(el("p", { class: "play-reveal__mine muted" }, fill(t.yourAnswer, { answer: S.answer.blanks.join("；") || "—" })));
    }
    parts.push(el("p", { class: "muted play-reveal__next" }, t.waitNext));
    box.replaceChildren(...parts);
  }

  function paintStatus() {
    const box = $("[data-answer-status]");
    if (!box) return;
    const s = statusOf();
    box.hidden = !s;
    box.textContent = s?.text ?? "";
    box.className = `play-status${s ? ` is-${s.kind}` : ""}`;
    if (s) box.dataset.testid = s.id;
    else delete box.dataset.testid;
  }

  function drawQuestion() {
    const q = S.question;
    if (built !== q.seq) buildQuestion(q);
    const stage = $("[data-stage]");
    stage.classList.toggle("is-paused", S.phase === "paused");
    $("[data-timer]").parentElement.hidden = S.phase === "reveal";
    if (q.kind === "fill") paintBlanks(q);
    else paintTiles(q);
    paintStatus();
    paintReveal(q);
    tick();
  }

  function message(text, extra = null) {
    built = null;
    $("[data-stage]").replaceChildren(el("p", { class: "play-wait" }, text), ...(extra ? [extra] : []));
  }

  function drawRefusal() {
    built = null;
    window.clearInterval(ticker);
    $("[data-nickname]").hidden = true;
    $("[data-stage]").replaceChildren(
      el(
        "div",
        { class: "play-refusal", "data-testid": "refusal" },
        el("h2", { class: "play-refusal__title" }, S.removed ? t.removed : t.refused),
        el("p", { class: "play-refusal__text" }, S.refusal),
        el("a", { class: "button button--primary button--block play-big", href: root.dataset.joinUrl }, t.enterPin),
        el("a", { class: "button button--block play-big", href: root.dataset.homeUrl }, t.home),
      ),
    );
  }

  function drawFinal() {
    built = null;
    window.clearInterval(ticker);
    const f = S.final;
    const me = f.you ?? S.you ?? {};
    const stats = el("dl", { class: "play-final__stats" });
    const stat = (label, value, id) => stats.append(el("div", { class: "play-final__stat" }, el("dt", {}, label), el("dd", { "data-testid": id }, String(value))));
    stat(t.finalRank, me.rank ?? "—", "final-rank");
    stat(t.finalScore, me.score ?? 0, "final-score");
    if (typeof me.correct === "number") {
      const asked = me.asked ?? me.answered;
      stat(t.finalRight, typeof asked === "number" ? fill(t.rightOf, { right: me.correct, of: asked }) : me.correct, "final-right");
    } else if (typeof me.accuracy === "number") {
      stat(t.finalAccuracy, `${Math.round(me.accuracy * 100)}%`, "final-right");
    }
    const podium = el("ol", { class: "board play-podium", "data-testid": "podium" });
    for (const row of f.podium ?? []) {
      podium.append(
        el(
          "li",
          { class: `play-podium__row play-podium__row--${row.rank}` },
          el("span", { class: "board__rank" }, String(row.rank)),
          el("span", { class: "board__name" }, row.name, row.guest ? el("span", { class: "badge badge--guest" }, t.guest) : null),
          el("span", { class: "board__score" }, String(row.score)),
        ),
      );
    }
    $("[data-stage]").replaceChildren(
      el(
        "div",
        { class: "play-final", "data-testid": "final" },
        el("p", { class: "live__final play-final__title" }, t.finished),
        stats,
        (me.streak ?? 0) >= 2 ? el("p", { class: "play-streak", "data-testid": "streak" }, fill(t.streak, { n: me.streak })) : null,
        podium.children.length ? el("h2", { class: "card__title play-final__podium-title" }, t.topThree) : null,
        podium.children.length ? podium : null,
        ...teamBoard(f.teams),
        el("a", { class: "button button--primary button--block play-big", href: root.dataset.myContestsUrl, "data-testid": "my-contests" }, t.myContests),
        el("a", { class: "button button--block play-big", href: root.dataset.homeUrl }, t.home),
      ),
    );
  }

  // The team format: every team's final place (the own team's members did it together).
  function teamBoard(teams) {
    if (!teams?.length) return [];
    const list = el("ol", { class: "board play-podium", "data-testid": "teams" });
    for (const team of teams) {
      list.append(
        el(
          "li",
          { class: `play-podium__row play-podium__row--${team.rank}` },
          el("span", { class: "board__rank" }, String(team.rank)),
          el("span", { class: "board__name" }, team.name),
          el("span", { class: "board__score" }, String(team.score)),
        ),
      );
    }
    return [el("h2", { class: "card__title play-final__podium-title" }, t.teamScores), list];
  }

  function render() {
    drawConn();
    drawYou();
    const nick = $("[data-nickname]");
    nick.hidden = !S.askNickname || Boolean(S.refusal);
    const nickError = $("[data-nickname-error]");
    nickError.textContent = S.askNickname ? S.notice : "";
    nickError.hidden = !nickError.textContent;
    $("[data-stage]").hidden = S.askNickname && !S.you && !S.refusal; // the form says it all
    if (S.refusal) return drawRefusal();
    if (S.final) return drawFinal();
    if (!S.you) {
      // not in the room (yet): never a live question before the room has admitted us
      if (S.askNickname) return;
      return message(S.notice || (S.conn === "online" ? t.joining : t.connecting));
    }
    if (S.question?.seq === S.seq && ["question", "paused", "reveal"].includes(S.phase)) return drawQuestion();
    if (S.phase === "lobby") return message(t.joined);
    if (S.phase === "reveal") return message(t.waitNext);
    return message(t.joined);
  }

  // --- the countdown -------------------------------------------------------------------

  function tick() {
    window.clearInterval(ticker);
    const q = S.question;
    const box = $("[data-countdown]");
    const bar = $("[data-timer]");
    if (!q || !box) return;
    const step = () => {
      if (S.phase !== "question") {
        box.textContent = "";
        bar?.style.setProperty("width", S.reveal ? "0%" : bar.style.width);
        return window.clearInterval(ticker);
      }
      const leftMs = Math.max(0, q.ends_at - (Date.now() + offset));
      const left = Math.ceil(leftMs / 1000);
      box.textContent = String(left);
      box.classList.toggle("is-urgent", left <= 5);
      if (bar) bar.style.width = `${Math.min(100, (leftMs / Math.max(1, q.duration_ms)) * 100)}%`;
      if (leftMs <= 0) window.clearInterval(ticker);
    };
    step();
    ticker = window.setInterval(step, 250);
  }

  // --- wiring --------------------------------------------------------------------------

  const nickForm = $("[data-nickname]");
  nickForm.addEventListener("submit", (event) => {
    event.preventDefault();
    nickname = nickForm.nickname.value.trim();
    if (!nickname) return;
    window.sessionStorage.setItem("jiangtang-nickname", nickname);
    S.askNickname = false;
    S.notice = "";
    join();
    render();
  });

  socket = contestSocket({
    path: root.dataset.ws,
    role: "player",
    guest,
    onOpen() {
      S.conn = "online";
      join();
      render();
    },
    onMessage: handle,
    onDown() {
      S.conn = "down";
      if (S.answer?.status === "sending") S.answer.status = "queued";
      if (S.answer) S.answer.queued = S.answer.queued || S.answer.status === "queued";
      render();
    },
  });
  render();
}

if (root) setup();
