// Live contest client for the player's phone, the host console and the big screen.
// One WebSocket per page, reconnecting with backoff; the server's clock drives the
// countdown (offset from `server_now`); the answer only ever arrives in `reveal`.

import { contestSocket, el, guestBadges } from "./socket.js";

const root = document.querySelector("[data-live]");
const t = document.querySelector("template[data-texts]")?.dataset ?? {};
const $ = (selector) => root.querySelector(selector);

const { nameNodes, recentNames } = guestBadges(t.guest);

function setup() {
  const role = root.dataset.role;
  const guest = root.dataset.guest === "1";
  let socket = null;
  let offset = 0;
  let countdown = null;
  let current = null; // the open question
  let nickname = window.sessionStorage.getItem("jiangtang-nickname") || "";

  const conn = $("[data-conn]");
  const stage = $("[data-stage]");

  function status(text, ok) {
    conn.textContent = text;
    conn.classList.toggle("is-online", Boolean(ok));
  }

  function send(message) {
    socket?.send(message);
  }

  function startCountdown(endsAt) {
    window.clearInterval(countdown);
    const box = stage.querySelector("[data-countdown]");
    if (!box) return;
    const tick = () => {
      const left = Math.max(0, Math.ceil((endsAt - (Date.now() + offset)) / 1000));
      box.textContent = String(left);
      box.classList.toggle("is-urgent", left <= 5);
      if (left <= 0) window.clearInterval(countdown);
    };
    tick();
    countdown = window.setInterval(tick, 250);
  }

  function showQuestion(q) {
    current = q;
    offset = q.server_now - Date.now();
    stage.replaceChildren(
      el("div", { class: "live__qhead" }, el("span", {}, `${q.seq} / ${q.total}`), el("span", { class: "countdown", "data-countdown": "" })),
      el("p", { class: "live__question" }, q.text || t.lookAtScreen),
    );
    if (role === "player") {
      if (q.kind === "fill") {
        const form = el("form", { class: "form" });
        for (let i = 0; i < Math.max(1, q.blanks); i += 1) form.append(el("input", { class: "live__blank", maxlength: "200" }));
        form.append(el("button", { class: "button button--primary button--block", type: "submit" }, t.send));
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          const blanks = [...form.querySelectorAll("input")].map((i) => i.value);
          send({ type: "answer", seq: q.seq, blanks });
        });
        stage.append(form);
      } else {
        const grid = el("div", { class: "answer-grid" });
        let chosen = [];
        for (const option of q.options) {
          const button = el("button", { type: "button", class: "answer", "data-key": option.key }, el("strong", {}, q.kind === "truefalse" ? "" : option.key), option.text);
          button.addEventListener("click", () => {
            if (q.kind === "multiple") {
              chosen = chosen.includes(option.key) ? chosen.filter((k) => k !== option.key) : [...chosen, option.key];
              button.classList.toggle("is-chosen");
            } else {
              send({ type: "answer", seq: q.seq, choices: [option.key] });
            }
          });
          grid.append(button);
        }
        stage.append(grid);
        if (q.kind === "multiple") {
          const submit = el("button", { type: "button", class: "button button--primary button--block" }, t.send);
          submit.addEventListener("click", () => chosen.length && send({ type: "answer", seq: q.seq, choices: chosen }));
          stage.append(submit);
        }
      }
    } else {
      stage.append(el("ol", { class: "live__options", type: "A" }, ...q.options.map((o) => el("li", {}, o.text))));
    }
    if (role === "screen") $("[data-lobby]").hidden = true;
    startCountdown(q.ends_at);
  }

  function showReveal(message) {
    window.clearInterval(countdown);
    stage.querySelector("[data-countdown]")?.replaceChildren();
    const counts = message.distribution || {};
    const total = Math.max(1, ...Object.values(counts));
    const answer = el("p", { class: "live__answer" }, `✓ ${message.correct.join(" ")}`);
    stage.querySelectorAll("input, button").forEach((b) => (b.disabled = true));
    stage.querySelectorAll("[data-key]").forEach((b) => b.classList.toggle("is-key", message.correct.includes(b.dataset.key)));
    stage.append(answer);
    if (role !== "player" && Object.keys(counts).length) {
      const chart = el("div", { class: "chart", "data-testid": "distribution" });
      for (const [key, count] of Object.entries(counts)) {
        const bar = el("span", { class: "chart__bar" });
        bar.style.height = `${Math.round((count / total) * 100)}%`;
        if (message.correct.includes(key)) bar.classList.add("is-key");
        chart.append(el("div", { class: "chart__col" }, el("span", { class: "chart__n" }, String(count)), bar, el("span", {}, key)));
      }
      stage.append(chart);
    }
    if (message.you) {
      const you = message.you;
      stage.append(
        el(
          "p",
          { class: `live__verdict ${you.correct ? "is-right" : "is-wrong"}`, "data-testid": "verdict" },
          `${you.answered === false ? t.missed : you.correct ? t.right : t.wrong} +${you.points} ${t.points}`,
        ),
      );
      $("[data-you]").textContent = `${t.score} ${you.score} · ${t.rank} ${you.rank}`;
    }
  }

  function showBoard(message, heading) {
    const board = role === "screen" ? $("[data-board]") : stage;
    const list = el("ol", { class: "board", "data-testid": "scoreboard" });
    for (const row of message.top || message.podium || []) {
      list.append(el("li", {}, el("span", { class: "board__rank" }, String(row.rank)), el("span", { class: "board__name" }, ...nameNodes(row.name, row.guest)), el("span", { class: "board__score" }, String(row.score))));
    }
    const parts = [];
    if (heading) parts.push(el("h2", { class: "card__title" }, heading));
    parts.push(list);
    if (message.teams) {
      const teams = el("ol", { class: "board board--teams" });
      for (const team of message.teams) teams.append(el("li", {}, el("span", { class: "board__rank" }, String(team.rank)), el("span", { class: "board__name" }, team.name), el("span", { class: "board__score" }, String(team.score))));
      parts.push(teams);
    }
    if (role === "screen") {
      board.replaceChildren(...parts);
      board.hidden = false;
    } else if (role === "host" || heading) {
      board.append(...parts);
    }
  }

  function handle(message) {
    switch (message.type) {
      case "state":
        offset = message.server_now - Date.now();
        if (role === "host") {
          $("[data-phase]").textContent = message.phase;
          $("[data-players]").textContent = message.players;
          if ("answered" in message) $("[data-answered]").textContent = message.answered;
        }
        if (role === "screen") $("[data-players]").textContent = message.players;
        if (message.you) {
          $("[data-nickname]") && ($("[data-nickname]").hidden = true);
          $("[data-you]").textContent = `${message.you.name} · ${t.score} ${message.you.score} · ${t.rank} ${message.you.rank}`;
          if (message.phase === "lobby") stage.replaceChildren(el("p", {}, t.joined));
        }
        if (message.phase === "paused") stage.replaceChildren(el("p", {}, t.paused));
        else if (message.question && (!current || current.seq !== message.question.seq || role !== "player")) {
          showQuestion(message.question);
          if (message.you?.answered) stage.append(el("p", { class: "muted" }, t.submitted));
        }
        if (message.phase === "finished") stage.replaceChildren(el("p", {}, t.finished));
        break;
      case "lobby":
        for (const node of root.querySelectorAll("[data-players]")) node.textContent = message.players;
        if (message.recent?.length) root.querySelectorAll("[data-recent]").forEach((n) => n.replaceChildren(...recentNames(message.recent, message.recent_guests)));
        break;
      case "progress":
        $("[data-answered]").textContent = message.answered;
        $("[data-players]").textContent = message.players;
        break;
      case "question":
        if (role === "screen") $("[data-board]").hidden = true;
        showQuestion(message);
        break;
      case "answer_ack":
        if (message.accepted) {
          stage.querySelectorAll("input, button").forEach((b) => (b.disabled = true));
          stage.append(el("p", { class: "muted", "data-testid": "submitted" }, t.submitted));
        } else if (message.reason === "late") {
          stage.append(el("p", { class: "form__error" }, t.late));
        } else if (message.reason === "kicked") {
          stage.append(el("p", { class: "form__error" }, t.kicked));
        } else if (message.reason === "unavailable") {
          stage.append(el("p", { class: "form__error" }, t.unavailable));
        }
        break;
      case "connection":
        // the server's own link to the room; a fresh state follows once it is back
        if (message.status === "reconnecting") status(t.reconnecting, false);
        else status(t.online, true);
        break;
      case "reveal":
        showReveal(message);
        break;
      case "scoreboard":
        if (role !== "player") showBoard(message);
        break;
      case "finished":
        window.clearInterval(countdown);
        stage.replaceChildren(el("p", { class: "live__final" }, t.finished));
        showBoard(message, "🏆");
        break;
      case "error":
        if (["forbidden", "not_found", "kicked", "inactive", "finished"].includes(message.code)) {
          socket.refuse();
          status(`${t.refused}：${message.message}`, false);
        } else {
          stage.append(el("p", { class: "form__error" }, message.message));
          if (message.code === "nickname") $("[data-nickname]").hidden = false;
        }
        break;
      default:
        break;
    }
  }

  root.querySelectorAll("[data-command]").forEach((button) => {
    button.addEventListener("click", () => {
      const command = button.dataset.command;
      if (command === "lock") {
        const locked = button.dataset.locked !== "1";
        button.dataset.locked = locked ? "1" : "0";
        send({ type: "lock", locked });
      } else {
        send({ type: command });
      }
    });
  });

  const nickForm = $("[data-nickname]");
  if (nickForm) {
    nickForm.addEventListener("submit", (event) => {
      event.preventDefault();
      nickname = nickForm.nickname.value.trim();
      window.sessionStorage.setItem("jiangtang-nickname", nickname);
      nickForm.hidden = true;
      send({ type: "join", nickname });
    });
  }
  socket = contestSocket({
    path: root.dataset.ws,
    role,
    guest,
    onOpen() {
      status(t.online, true);
      if (role === "player" && (!guest || nickname)) send({ type: "join", nickname });
      if (role === "player" && guest && !nickname) $("[data-nickname]").hidden = false;
    },
    onMessage: handle,
    onDown: () => status(t.offline, false),
  });
}

if (root) setup();
