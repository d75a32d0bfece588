// The big screen of a classic live contest: a projector at 1920×1080 or 1280×720.
// It renders what the server sends (lobby, question, reveal, scoreboard, finished;
// a `state` on every (re)connect) as one full-screen view at a time. The server's
// clock drives the countdown; the key arrives only in `reveal`. A reveal is shown
// for a few seconds, then the top 10 (a key or a click switches between them).

import { fill } from "../jiangtang/api.js";
import { contestSocket, el, guestBadges } from "./socket.js";

const root = document.querySelector("[data-screen]");
const base = document.querySelector("template[data-texts]")?.dataset ?? {};
const t = { ...base, ...(document.querySelector("template[data-screen-texts]")?.dataset ?? {}) };
const $ = (selector) => root.querySelector(selector);
const { nameNodes } = guestBadges(t.guest);

const REVEAL_MS = 6000; // the distribution, then the board
const URGENT_S = 5;
const PLACE_NAMES = 3; // names on one place of the podium; a bigger tie is counted
const RING = 2 * Math.PI * 45; // the countdown ring's circumference (r = 45)

// Shapes per option position, as on the phones' tiles (drawn, never a font glyph).
const SHAPES = [
  '<polygon points="50,8 95,88 5,88"/>', // triangle
  '<polygon points="50,3 97,50 50,97 3,50"/>', // diamond
  '<circle cx="50" cy="50" r="45"/>', // circle
  '<rect x="9" y="9" width="82" height="82" rx="4"/>', // square
  '<polygon points="50,4 62,37 97,38 69,59 79,94 50,73 21,94 31,59 3,38 38,37"/>', // star
  '<polygon points="50,4 96,38 78,93 22,93 4,38"/>', // pentagon
];
const CHECK = '<path d="M18 53 40 75 83 27" fill="none" stroke="currentColor" stroke-width="14" stroke-linecap="round" stroke-linejoin="round"/>';
const ARROW_UP = '<polygon points="50,10 92,78 8,78"/>';
const ARROW_DOWN = '<polygon points="8,22 92,22 50,90"/>';

function svg(markup, attrs = {}) {
  const box = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  box.setAttribute("viewBox", "0 0 100 100");
  box.setAttribute("aria-hidden", "true");
  box.setAttribute("focusable", "false");
  for (const [key, value] of Object.entries(attrs)) box.setAttribute(key, value);
  box.innerHTML = markup; // constants of this file only
  return box;
}

const shape = (index) => svg(SHAPES[index % SHAPES.length], { class: "scr-shape" });

// Option labels: a 判断 option is named 正确/错误, never by its key.
function optionLabel(kind, option) {
  if (kind === "truefalse") return option.key === "true" ? t.true : option.key === "false" ? t.false : option.text;
  return option.text;
}
function keyLabel(kind, key) {
  if (kind === "truefalse") return key === "true" ? t.true : key === "false" ? t.false : key;
  return key;
}
const sizeClass = (text, long, longer, short = 0) =>
  text.length > longer ? "is-longer" : text.length > long ? "is-long" : text.length <= short ? "is-short" : "";

function setup() {
  const views = Object.fromEntries([...root.querySelectorAll("[data-view]")].map((v) => [v.dataset.view, v]));
  const conn = $("[data-conn]");
  const pause = $("[data-pause]");
  let socket = null;
  let offset = 0; // server time − local time
  let timer = null;
  let revealTimer = null;
  let current = null; // the open (or last) question
  let reveal = null; // the last reveal, for its question
  let board = null; // the last scoreboard
  const boards = new Map(); // seq → scoreboard (the movement when `previous` is absent)
  let finished = false;
  let showing = "lobby";
  let players = 0;

  function show(name) {
    showing = name;
    for (const [key, view] of Object.entries(views)) view.hidden = key !== name;
    $("[data-head-pin]").hidden = name === "lobby" || name === "final";
    root.dataset.showing = name;
  }

  function status(text, state) {
    conn.textContent = text;
    conn.classList.toggle("is-online", state === "ok");
    conn.classList.toggle("is-down", state === "down");
  }

  function setPlayers(n) {
    players = n;
    for (const node of root.querySelectorAll("[data-players]")) node.textContent = String(n);
  }

  // --- lobby -------------------------------------------------------------------------------------

  function showRecent(names, guests) {
    const list = $("[data-recent]");
    list.replaceChildren(...names.map((name, i) => el("li", { class: "scr-chip" }, ...nameNodes(name, guests?.[i]))));
  }

  // --- question ----------------------------------------------------------------------------------

  function kindBadge(q) {
    const badge = el("span", { class: `scr-kind scr-kind--${q.kind}`, "data-testid": "screen-kind" }, t[`kind${q.kind[0].toUpperCase()}${q.kind.slice(1)}`] || "");
    if (q.kind === "multiple") badge.append(el("small", {}, t.kindMultipleHint));
    return badge;
  }

  function qHead(q, extra) {
    return el("header", { class: "scr-q__head" }, el("span", { class: "scr-q__no", "data-testid": "screen-seq" }, fill(t.questionNo, { n: q.seq, total: q.total })), kindBadge(q), extra || null);
  }

  function ring() {
    const box = svg(`<circle class="scr-timer__track" cx="50" cy="50" r="45"/><circle class="scr-timer__left" cx="50" cy="50" r="45" stroke-dasharray="${RING.toFixed(2)}" stroke-dashoffset="0" transform="rotate(-90 50 50)"/>`, { class: "scr-timer__ring" });
    return el("div", { class: "scr-timer", "data-testid": "screen-countdown" }, box, el("span", { class: "scr-timer__n", "data-countdown": "" }), el("span", { class: "scr-timer__unit" }, t.seconds));
  }

  function options(q) {
    if (q.kind === "fill") {
      const blanks = Math.max(1, q.blanks || 1);
      return el(
        "div",
        { class: "scr-blanks", "data-testid": "screen-blanks" },
        ...Array.from({ length: blanks }, (_, i) => el("span", { class: "scr-blank" }, el("span", { class: "scr-blank__n" }, fill(t.blank, { n: i + 1 })), el("span", { class: "scr-blank__line" }))),
        el("p", { class: "scr-blanks__hint" }, t.kindFillHint),
      );
    }
    const list = el("ol", { class: `scr-options scr-options--${q.options.length}`, "data-testid": "screen-options" });
    q.options.forEach((option, i) => {
      const label = optionLabel(q.kind, option);
      list.append(
        el(
          "li",
          { class: `scr-opt scr-opt--${(i % 6) + 1}`, "data-key": option.key },
          shape(i),
          q.kind === "truefalse" ? null : el("span", { class: "scr-opt__key" }, option.key),
          el("span", { class: `scr-opt__text ${sizeClass(label, 22, 44)}` }, label),
        ),
      );
    });
    return list;
  }

  function showQuestion(q) {
    window.clearTimeout(revealTimer);
    current = q;
    reveal = null;
    offset = q.server_now - Date.now();
    const text = q.text || "";
    views.question.replaceChildren(
      qHead(q, el("span", { class: "scr-q__answered", "data-live-answered": "" })),
      el("div", { class: "scr-q__body" }, ring(), el("p", { class: `scr-q__text ${sizeClass(text, 60, 120, 28)}`, "data-testid": "screen-question" }, text)),
      options(q),
    );
    show("question");
    startCountdown(q.ends_at, q.duration_ms);
  }

  function startCountdown(endsAt, duration) {
    window.clearInterval(timer);
    const number = views.question.querySelector("[data-countdown]");
    const left = views.question.querySelector(".scr-timer__left");
    const box = views.question.querySelector(".scr-timer");
    if (!number) return;
    const tick = () => {
      const ms = Math.max(0, endsAt - (Date.now() + offset));
      const seconds = Math.ceil(ms / 1000);
      number.textContent = String(seconds);
      left.setAttribute("stroke-dashoffset", (RING * (1 - Math.min(1, ms / Math.max(1, duration)))).toFixed(2));
      box.classList.toggle("is-urgent", seconds <= URGENT_S);
      if (ms <= 0) window.clearInterval(timer);
    };
    tick();
    timer = window.setInterval(tick, 200);
  }

  // --- reveal ------------------------------------------------------------------------------------

  function keyText(q, correct) {
    if (!q) return correct.join("、");
    if (q.kind === "fill") return correct.map((v, i) => (correct.length > 1 ? `${fill(t.blank, { n: i + 1 })}：` : "") + v.split("/").join(" / ")).join("　");
    if (q.kind === "truefalse") return correct.map((k) => keyLabel(q.kind, k)).join("、");
    const texts = correct.map((k) => {
      const option = q.options.find((o) => o.key === k);
      return option ? `${k}. ${option.text}` : k;
    });
    return texts.join("　");
  }

  function showReveal(message) {
    window.clearInterval(timer);
    reveal = message;
    const q = current && current.seq === message.seq ? current : null;
    const parts = [];
    if (q) parts.push(qHead(q), el("p", { class: `scr-reveal__q ${sizeClass(q.text || "", 80, 160)}` }, q.text || ""));
    if (message.voided) {
      parts.push(el("p", { class: "scr-voided", "data-testid": "screen-voided" }, t.voided, el("small", {}, t.voidedHint)));
    } else {
      const key = el("p", { class: `scr-key ${sizeClass(keyText(q, message.correct), 40, 90)}`, "data-testid": "screen-key" }, svg(CHECK, { class: "scr-key__check" }), el("span", { class: "scr-key__label" }, t.correctAnswer), el("strong", { class: "scr-key__text" }, keyText(q, message.correct)));
      parts.push(key);
    }
    const counts = message.distribution || {};
    if (q && q.kind !== "fill" && q.options.length && Object.values(counts).some((n) => n > 0)) {
      const most = Math.max(1, ...Object.values(counts));
      const chart = el("ol", { class: `scr-dist scr-dist--${q.options.length}`, "data-testid": "distribution" });
      q.options.forEach((option, i) => {
        const n = counts[option.key] || 0;
        const isKey = message.correct.includes(option.key) && !message.voided;
        const bar = el("span", { class: "scr-dist__bar" }, el("span", { class: "scr-dist__n" }, isKey ? svg(CHECK, { class: "scr-dist__check" }) : null, String(n)));
        bar.style.setProperty("--h", `${Math.max(3, Math.round((n / most) * 100))}%`);
        chart.append(
          el(
            "li",
            { class: `scr-dist__col scr-opt--${(i % 6) + 1}${isKey ? " is-key" : " is-dim"}`, "data-key": option.key, "data-count": String(n) },
            el("span", { class: "scr-dist__well" }, bar),
            el("span", { class: "scr-dist__label" }, shape(i), el("span", {}, q.kind === "truefalse" ? keyLabel(q.kind, option.key) : option.key)),
          ),
        );
      });
      parts.push(chart);
    }
    parts.push(summary(message, q));
    views.reveal.replaceChildren(...parts);
    views.reveal.classList.toggle("is-plain", !views.reveal.querySelector(".scr-dist")); // 填空: the key alone, larger
    show("reveal");
    window.clearTimeout(revealTimer);
    revealTimer = window.setTimeout(() => board && showing === "reveal" && showBoard(), REVEAL_MS);
  }

  // How many answered and, where the reveal says it (single choice, true or false),
  // how many got it right; nothing invented for 多选 or 填空.
  function summary(message, q) {
    const line = el("p", { class: "scr-reveal__sum", "data-testid": "screen-summary" });
    const answered = message.answered;
    if (answered === 0) {
      line.append(t.nobody);
      return line;
    }
    if (typeof answered === "number") line.append(el("span", {}, fill(t.answered, { n: answered })));
    const right = typeof message.right === "number" ? message.right : null;
    if (right !== null && !message.voided) line.append(el("span", { class: "scr-reveal__right" }, fill(t.right, { n: right })));
    return line;
  }

  // --- scoreboard --------------------------------------------------------------------------------

  const person = (row) => `${row.name}\u0000${row.branch ?? ""}\u0000${row.guest ? 1 : 0}`;

  // Places moved since the last question: a number (+ up, − down), "new", or null.
  function movements(message) {
    const rows = message.top || [];
    if (rows.some((r) => "previous" in r)) {
      if (rows.every((r) => r.previous === null || r.previous === undefined)) return rows.map(() => null);
      return rows.map((r) => (r.previous === null || r.previous === undefined ? "new" : r.previous - r.rank));
    }
    let before = null;
    for (const [seq, seen] of boards) if (seq < (message.seq ?? 0) && (!before || seq > before.seq)) before = seen;
    if (!before) return rows.map(() => null);
    const ranks = new Map(before.top.map((r) => [person(r), r.rank]));
    return rows.map((r) => (ranks.has(person(r)) ? ranks.get(person(r)) - r.rank : "new"));
  }

  function moveBadge(move) {
    if (move === null || move === 0) return el("span", { class: "scr-move is-same", "aria-hidden": "true" });
    if (move === "new") return el("span", { class: "scr-move is-new", "data-move": "new", title: t.new }, t.new);
    const up = move > 0;
    const n = Math.abs(move);
    return el("span", { class: `scr-move ${up ? "is-up" : "is-down"}`, "data-move": up ? `up${n}` : `down${n}`, title: fill(up ? t.up : t.down, { n }) }, svg(up ? ARROW_UP : ARROW_DOWN, { class: "scr-move__arrow" }), String(n));
  }

  function personRow(row, move) {
    return el(
      "li",
      { class: `scr-row scr-row--${Math.min(row.rank, 4)}`, "data-rank": String(row.rank) },
      el("span", { class: "scr-row__rank" }, String(row.rank)),
      el("span", { class: "scr-row__who" }, el("span", { class: "scr-row__name" }, ...nameNodes(row.name, row.guest)), row.branch ? el("span", { class: "scr-row__branch" }, row.branch) : null),
      move === undefined ? null : moveBadge(move),
      el("span", { class: "scr-row__score" }, String(row.score)),
    );
  }

  function teamRow(team) {
    return el(
      "li",
      { class: `scr-row scr-row--${Math.min(team.rank, 4)}`, "data-rank": String(team.rank) },
      el("span", { class: "scr-row__rank" }, String(team.rank)),
      el("span", { class: "scr-row__who" }, el("span", { class: "scr-row__name" }, team.name), typeof team.members === "number" ? el("span", { class: "scr-row__branch" }, fill(t.members, { n: team.members })) : null),
      el("span", { class: "scr-row__score" }, String(team.score)),
    );
  }

  function showBoard() {
    if (!board) return;
    window.clearTimeout(revealTimer);
    const rows = board.top || [];
    const moves = movements(board);
    const heading = el("h2", { class: "scr-board__title" }, t.board, board.seq ? el("small", {}, fill(t.boardAfter, { n: board.seq })) : null);
    const people = el("ol", { class: `scr-rows${rows.length > 5 ? " scr-rows--long" : ""}`, "data-testid": "scoreboard" }, ...rows.map((row, i) => personRow(row, moves[i])));
    if (!rows.length) people.append(el("li", { class: "scr-rows__empty" }, t.emptyBoard));
    if (board.teams?.length) {
      const teams = el("ol", { class: "scr-rows scr-rows--teams", "data-testid": "screen-teams" }, ...board.teams.slice(0, 10).map(teamRow));
      views.board.replaceChildren(heading, el("div", { class: "scr-board__cols" }, el("div", {}, el("h3", {}, t.teams), teams), el("div", {}, el("h3", {}, t.people), people)));
    } else {
      views.board.replaceChildren(heading, people);
    }
    show("board");
  }

  function takeBoard(message) {
    board = message;
    if (typeof message.seq === "number" && !boards.has(message.seq)) boards.set(message.seq, message);
    if (finished) showFinal({}); // a correction after the end: the podium from the new board
    else if (showing === "board") showBoard();
  }

  // --- the end -----------------------------------------------------------------------------------

  // Places 1–3 (ties stand together on one place), laid out 2-1-3.
  function podium(rows, isTeam) {
    const places = [];
    for (const row of rows.filter((r) => r.rank <= 3)) {
      const place = places.find((p) => p.rank === row.rank);
      if (place) place.rows.push(row);
      else places.push({ rank: row.rank, rows: [row] });
    }
    const list = el("ol", { class: "scr-podium", "data-testid": isTeam ? "screen-team-podium" : "podium" });
    places.forEach((place, i) => {
      const step = Math.min(place.rank, 3);
      list.append(
        el(
          "li",
          { class: `scr-place scr-place--${step} scr-place--at${i + 1}${place.rows.length > 1 ? " is-tie" : ""}`, "data-rank": String(place.rank), "data-testid": "place" },
          el(
            "div",
            { class: "scr-place__who" },
            ...place.rows.slice(0, PLACE_NAMES).map((row) => el("p", { class: "scr-place__person" }, el("span", { class: "scr-place__name" }, ...(isTeam ? [row.name] : nameNodes(row.name, row.guest))), !isTeam && row.branch ? el("span", { class: "scr-place__branch" }, row.branch) : null, el("span", { class: "scr-place__score" }, `${row.score} ${t.pointsUnit}`))),
            place.rows.length > PLACE_NAMES ? el("p", { class: "scr-place__more", "data-testid": "place-more" }, fill(t.more, { n: place.rows.length - PLACE_NAMES })) : null,
          ),
          el("div", { class: "scr-place__block" }, el("span", { class: "scr-place__rank" }, String(place.rank))),
        ),
      );
    });
    return list;
  }

  function showFinal(message) {
    finished = true;
    window.clearInterval(timer);
    window.clearTimeout(revealTimer);
    pause.hidden = true;
    const people = message.podium ?? (board?.top || []).filter((r) => r.rank <= 3);
    const teams = message.teams ?? board?.teams ?? null;
    const rest = (board?.top || []).filter((r) => r.rank > 3);
    const parts = [el("h2", { class: "scr-final__title" }, t.final, el("small", {}, teams?.length ? t.finalTeams : t.finalRanking))];
    if (teams?.length) {
      parts.push(podium(teams, true));
      const best = el("ol", { class: "scr-rows scr-rows--rest", "data-testid": "screen-rest" }, ...people.map((row) => personRow(row)));
      parts.push(el("div", { class: "scr-final__rest" }, el("h3", {}, t.topPeople), best));
    } else {
      parts.push(podium(people, false));
      if (rest.length) parts.push(el("ol", { class: "scr-rows scr-rows--rest", "data-testid": "screen-rest" }, ...rest.map((row) => personRow(row))));
    }
    views.final.replaceChildren(...parts);
    views.final.classList.toggle("has-rest", parts.length > 2);
    show("final");
  }

  // --- messages ----------------------------------------------------------------------------------

  function onState(message) {
    offset = message.server_now - Date.now();
    setPlayers(message.players ?? players);
    if (message.scoreboard) {
      board = message.scoreboard;
      if (typeof board.seq === "number" && !boards.has(board.seq)) boards.set(board.seq, board);
    }
    pause.hidden = message.phase !== "paused";
    switch (message.phase) {
      case "lobby":
        show("lobby");
        break;
      case "question":
        if (message.question) showQuestion(message.question);
        break;
      case "paused":
        // The pause's `state` is the players' copy (no texts in screen-only mode):
        // keep the question already on screen, its clock stopped.
        window.clearInterval(timer);
        if (message.question && (!current || current.seq !== message.question.seq || showing !== "question")) {
          showQuestion(message.question);
          window.clearInterval(timer);
          // the time left at the pause is not in the snapshot: no number until `resume`
          views.question.querySelector("[data-countdown]").textContent = "";
        }
        break;
      case "reveal":
        if (!reveal || reveal.seq !== message.seq) showBoard();
        break;
      case "finished":
        showFinal({});
        break;
      default:
        break;
    }
  }

  function handle(message) {
    switch (message.type) {
      case "state":
        onState(message);
        break;
      case "lobby":
        setPlayers(message.players);
        if (message.recent?.length) showRecent(message.recent, message.recent_guests);
        break;
      case "question":
        pause.hidden = true;
        showQuestion(message);
        break;
      case "progress": {
        const box = views.question.querySelector("[data-live-answered]");
        if (box && current && message.seq === current.seq) box.textContent = fill(t.answeredLive, { n: message.answered });
        break;
      }
      case "reveal":
        pause.hidden = true;
        showReveal(message);
        break;
      case "scoreboard":
        takeBoard(message);
        break;
      case "finished":
        showFinal(message);
        break;
      case "connection":
        if (message.status === "reconnecting") status(t.reconnecting, "down");
        else status(t.online, "ok");
        break;
      case "error":
        if (["forbidden", "not_found", "inactive"].includes(message.code)) {
          socket.refuse();
          status(t.refused, "down");
          const refused = $("[data-refused]");
          refused.textContent = message.message;
          refused.hidden = false;
        }
        break;
      default:
        break;
    }
  }

  // The operator may flip between the reveal and the board (a clicker's keys, a click).
  function toggle() {
    if (showing === "reveal" && board) showBoard();
    else if (showing === "board" && reveal) {
      views.reveal.hidden = false;
      show("reveal");
    }
  }
  document.addEventListener("keydown", (event) => {
    if ([" ", "Enter", "ArrowRight", "ArrowLeft", "PageDown", "PageUp"].includes(event.key)) {
      event.preventDefault();
      toggle();
    }
  });
  root.addEventListener("click", toggle);

  // The QR code fills its box: scalable once it has a viewBox (the page's SVG has a size only).
  const qr = $(".scr-lobby__qr svg");
  if (qr && !qr.getAttribute("viewBox") && qr.getAttribute("width")) {
    qr.setAttribute("viewBox", `0 0 ${parseFloat(qr.getAttribute("width"))} ${parseFloat(qr.getAttribute("height"))}`);
    qr.removeAttribute("width");
    qr.removeAttribute("height");
  }

  show("lobby");
  socket = contestSocket({
    path: root.dataset.ws,
    role: "screen",
    guest: false,
    onOpen: () => status(t.online, "ok"),
    onMessage: handle,
    onDown: () => status(t.offline, "down"),
  });
}

if (root) setup();
