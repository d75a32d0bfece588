// On-stage contests (现场赛): the player's phone, the big screen and the host/judge console.
// One WebSocket per page, reconnecting with backoff; countdowns run on the server's clock
// (offset from `server_now`). The page keeps a model of the stage (the `stage` part of
// `state`, kept current by `turn`, `buzzer`, `buzz_result`, `stake_ack`, `verdict`,
// `reveal`, `audit`, `finished`) and redraws from it. Messages: contests/protocol.py.

import { contestSocket, el, guestBadges } from "./socket.js";

const root = document.querySelector("[data-stage-live]");
const t = {
  ...(document.querySelector("template[data-texts]")?.dataset ?? {}),
  ...(document.querySelector("template[data-stage-texts]")?.dataset ?? {}),
};
const role = root?.dataset.role;
const BUZZER_FORMATS = ["qiangda", "tiebreak"];
const $ = (selector) => root.querySelector(selector);
const $$ = (selector) => [...root.querySelectorAll(selector)];

function fill(text, values) {
  return String(text ?? "").replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}

function signed(n) {
  if (n > 0) return `+${n}`;
  if (n < 0) return `−${Math.abs(n)}`;
  return "±0";
}

// A name as shown: a guest's nickname carries a "guest" mark, so that nobody takes it
// for a member's name (a badge where markup is allowed, brackets in an <option>).
const { nameNodes, recentNames } = guestBadges(t.guest);

function guestName(name, guest) {
  return guest ? `${name}（${t.guest}）` : name;
}

const label = (prefix, value) => t[prefix + String(value ?? "").replace(/(^|_)(\w)/g, (m, s, c) => c.toUpperCase())] ?? value ?? "";

function emptyStage() {
  return {
    round: 0, rounds: [], format: null, title: null, step: "lobby", team: null, order: [],
    eligible: [], teams: [], ends_at: null, tie: false, stakes: [], allowed_stakes: [],
    question: null, buzzer: null, judge_key: null, audit: [], you: null,
  };
}

function setup() {
  const guest = root.dataset.guest === "1";
  const choosing = root.dataset.choose === "1"; // may pick an ad-hoc team before joining
  let socket = null;
  let fresh = false; // the connection's first `state` is still to come
  let offset = 0;
  let nickname = window.sessionStorage.getItem("jiangtang-nickname") || "";
  let team = null; // the ad-hoc team chosen ("" to watch)

  // The model of the stage, as this viewer may see it.
  const S = {
    phase: "lobby",
    seq: 0,
    players: 0,
    recent: [],
    recentGuests: [], // parallel to `recent`: true for a guest
    number: 0,
    of: 0,
    stage: emptyStage(),
    buzzed: false, // our team's buzz is in (this buzzer window)
    early: false, // our team was penalised for an early buzz (this question)
    submitted: false, // an answer went from this device (this floor)
    voided: false,
    buzzNote: "",
    notice: { text: "", kind: "" },
    changes: {}, // team → the change of the last verdict
    changeId: 0,
    chosen: [],
    final: null,
    armed: null, // a destructive host command waiting for its second press
  };

  // --- the socket ------------------------------------------------------------------------

  function status(text, ok) {
    const conn = $("[data-conn]");
    if (!conn) return;
    conn.textContent = text;
    conn.classList.toggle("is-online", Boolean(ok));
  }

  function send(message) {
    if (socket?.send(message)) return true;
    notice(t.offline, "error");
    return false;
  }

  function join() {
    const message = { type: "join" };
    if (guest && nickname) message.nickname = nickname;
    if (team) message.team = team;
    send(message);
  }

  function joinOrAsk() {
    // a player the room does not know yet joins, after a nickname (guests) and the
    // choice of an ad-hoc team (a player whose branch has no team) where needed
    if ((guest && !nickname) || (choosing && team === null)) $("[data-join]").hidden = false;
    else join();
  }

  function clock(message) {
    if (typeof message.server_now === "number") offset = message.server_now - Date.now();
  }

  // --- who am I --------------------------------------------------------------------------

  const you = () => S.stage.you;
  const myTeam = () => (you() && !you().spectator ? you().team : null);
  const teamInfo = (name) => S.stage.teams.find((team) => team.name === name);
  const isBuzzerRound = () => BUZZER_FORMATS.includes(S.stage.format);

  function mayBuzz() {
    const me = you();
    return Boolean(me && me.captain && !me.spectator && S.stage.eligible.includes(me.team));
  }

  function mayStake() {
    const me = you();
    return Boolean(me && me.captain && S.phase === "question" && S.stage.step === "staking" && S.stage.team === me.team);
  }

  function mayAnswer() {
    const me = you();
    const team = teamInfo(myTeam());
    return Boolean(
      team && S.phase === "question" && S.stage.step === "answering" && S.stage.team === team.name
        && (me.captain || team.mode === "members") && !S.submitted,
    );
  }

  // --- messages --------------------------------------------------------------------------

  function notice(text, kind = "") {
    S.notice = { text, kind };
    const box = $("[data-notice]");
    if (!box) return;
    box.textContent = text;
    box.className = `stage-notice${kind ? ` is-${kind}` : ""}`;
    box.hidden = !text;
  }

  function newQuestion(seq) {
    if (seq === S.seq) return;
    S.seq = seq;
    S.buzzed = false;
    S.early = false;
    S.submitted = false;
    S.voided = false;
    S.buzzNote = "";
    S.chosen = [];
    notice("");
  }

  function scoresFrom(rows) {
    for (const row of rows || []) {
      const team = teamInfo(row.name);
      if (team) Object.assign(team, { score: row.score, rank: row.rank });
    }
  }

  function verdictText(m) {
    if (m.kind === "void") return fill(t.voidedNo, { n: m.seq });
    const parts = [];
    if (m.kind === "correction") parts.push(`${t.kindCorrection}：`);
    if (m.team) parts.push(`${m.team} `);
    parts.push(m.kind === "early_buzz" ? t.kindEarlyBuzz : label("result", m.result));
    if (typeof m.stake === "number") parts.push(` ${fill(t.stakeShort, { points: m.stake })}`);
    parts.push(` ${signed(m.delta)}`);
    return parts.join("");
  }

  function handle(m) {
    const st = S.stage;
    switch (m.type) {
      case "state": {
        clock(m);
        S.phase = m.phase;
        S.players = m.players;
        S.stage = { ...emptyStage(), ...(m.stage || {}) };
        newQuestion(m.seq);
        const q = S.stage.question;
        if (q) [S.number, S.of] = [q.number, q.of];
        const me = S.stage.you;
        if (me && S.stage.step === "buzzing" && mayBuzz() && !me.can_act) S.buzzed = true;
        if (S.phase === "finished") S.final = [...S.stage.teams].sort((a, b) => a.rank - b.rank);
        if (me) $("[data-join]")?.setAttribute("hidden", "");
        if (role === "player" && fresh && !me && S.phase !== "finished") joinOrAsk();
        fresh = false;
        break;
      }
      case "lobby":
        S.players = m.players;
        S.recent = m.recent || [];
        S.recentGuests = m.recent_guests || [];
        break;
      case "turn":
        clock(m);
        newQuestion(m.seq);
        S.phase = "question";
        if (!st.rounds[m.round - 1]) st.rounds[m.round - 1] = { title: m.title, format: m.format };
        Object.assign(st, {
          round: m.round, format: m.format, title: m.title, step: m.step, team: m.team,
          order: m.order, eligible: m.eligible, ends_at: m.ends_at, tie: false,
          question: m.question || null, judge_key: m.judge_key || null,
          buzzer: BUZZER_FORMATS.includes(m.format) ? { state: "closed" } : null,
        });
        if (m.stakes) st.allowed_stakes = m.stakes;
        [S.number, S.of] = [m.number, m.of];
        S.submitted = false;
        break;
      case "buzzer":
        clock(m);
        if (m.seq !== S.seq) break;
        if (m.state === "open") {
          Object.assign(st, { step: "buzzing", team: null, eligible: m.eligible, ends_at: m.ends_at });
          st.buzzer = { state: "open", ends_at: m.ends_at, eligible: m.eligible };
          S.buzzed = false;
          S.buzzNote = "";
          S.submitted = false;
        } else if (m.state === "won") {
          Object.assign(st, { step: "answering", team: m.team, eligible: [m.team], ends_at: m.ends_at });
          st.buzzer = { state: "won", team: m.team, margin_ms: m.margin_ms };
          S.submitted = false;
          S.buzzNote = "";
        } else if (m.state === "early") {
          if (m.team === myTeam()) S.early = true;
          notice(fill(t.earlyNote, { team: m.team, delta: signed(m.delta) }), "warn");
        } else {
          st.buzzer = { state: "closed", nobody: true };
          st.ends_at = null;
          notice(t.noBuzz);
        }
        break;
      case "buzz_result":
        if (m.seq !== S.seq) break;
        if (m.accepted) {
          if (m.team === myTeam()) S.buzzed = true;
        } else {
          if (m.reason === "early") S.early = true;
          S.buzzNote = m.reason === "early" ? t.buzzEarly : label("reason", m.reason);
        }
        break;
      case "stake_ack":
        if (m.accepted) {
          st.stakes = [...st.stakes.filter((s) => s.seq !== m.seq), { seq: m.seq, team: m.team, points: m.points }];
          if (m.auto) notice(t.stakeAuto, "warn");
        } else {
          notice(`${t.stakeRefused}：${label("reason", m.reason)}`, "error");
        }
        break;
      case "answer_ack":
        if (m.accepted) S.submitted = true;
        else notice(label("answer", m.reason), "error");
        break;
      case "connection":
        // the server's own link to the room; a fresh state follows once it is back
        if (m.status === "reconnecting") status(t.reconnecting, false);
        else status(t.online, true);
        break;
      case "verdict":
        scoresFrom(m.scores);
        S.changes = m.changes || {};
        S.changeId += 1;
        if (typeof m.stake === "number" && m.team && !st.stakes.some((s) => s.seq === m.seq)) {
          st.stakes = [...st.stakes, { seq: m.seq, team: m.team, points: m.stake }];
        }
        if (m.kind === "void" && m.seq === S.seq) S.voided = true;
        if (m.kind === "early_buzz" || m.kind === "void") notice(verdictText(m), "warn");
        else notice(verdictText(m), m.result === "right" ? "ok" : m.delta < 0 ? "bad" : "");
        break;
      case "reveal":
        if (m.seq === S.seq) {
          S.phase = "reveal";
          st.step = "reveal";
          st.ends_at = null;
          if (st.question) st.question.correct = m.correct;
          else st.revealed = m.correct;
          if (m.voided) {
            S.voided = true;
            notice(fill(t.voidedNo, { n: m.seq }), "warn");
          }
        }
        break;
      case "finished":
        S.phase = "finished";
        st.step = "finished";
        st.ends_at = null;
        scoresFrom(m.teams || m.podium);
        S.final = m.teams || m.podium || [];
        break;
      case "audit":
        for (const entry of m.entries) {
          const at = st.audit.findIndex((e) => e.id === entry.id);
          if (at >= 0) st.audit[at] = entry;
          else st.audit.push(entry);
        }
        st.audit.sort((a, b) => a.id - b.id);
        break;
      case "error":
        if (m.code === "invalid" && role === "player" && !you() && team) {
          // a server that takes no team on `join`: join as a spectator instead
          team = "";
          join();
        }
        if (["forbidden", "not_found", "kicked", "inactive", "finished", "locked"].includes(m.code)) {
          socket.refuse();
          status(`${t.refused}：${m.message}`, false);
        } else if (m.code === "nickname") {
          $("[data-join]").hidden = false;
        }
        notice(m.message, "error");
        break;
      default:
        return;
    }
    render();
  }

  // --- countdowns --------------------------------------------------------------------------

  function tick() {
    const endsAt = S.phase === "question" ? S.stage.ends_at : null;
    const left = endsAt ? Math.max(0, Math.ceil((endsAt - (Date.now() + offset)) / 1000)) : null;
    for (const box of $$("[data-countdown]")) {
      box.textContent = left === null ? "" : String(left);
      box.classList.toggle("is-urgent", left !== null && left <= 5);
    }
  }

  // --- drawing -----------------------------------------------------------------------------

  function once(box, key, build) {
    // redraw ``box`` only when what it shows changed (keeps focus, typing and animations)
    if (!box || box.dataset.key === key) return;
    box.dataset.key = key;
    box.replaceChildren(...build().filter((node) => node !== null && node !== undefined && node !== false));
  }

  function roundLine() {
    const st = S.stage;
    if (S.phase === "lobby") return t.stepLobby;
    if (S.phase === "finished") return t.finished;
    const parts = [st.title || label("fmt", st.format)];
    if (S.of) parts.push(fill(t.number, { n: S.number, of: S.of }));
    parts.push(S.voided ? t.voided : label("step", st.step));
    return parts.join(" · ");
  }

  function optionsList(q) {
    const correct = q.correct || [];
    if (q.kind === "fill") {
      return correct.length ? [el("p", { class: "stage-q__key" }, `${t.correctAnswer}：${correct.join("；")}`)] : [];
    }
    const list = el("ol", { class: "stage-options" });
    for (const option of q.options) {
      const key = q.kind === "truefalse" ? "" : option.key;
      list.append(el("li", { class: correct.includes(option.key) ? "is-key" : null, "data-key": option.key }, key ? el("strong", {}, key) : null, el("span", {}, option.text)));
    }
    const out = [list];
    if (correct.length) {
      const shown = q.kind === "truefalse" ? q.options.filter((o) => correct.includes(o.key)).map((o) => o.text) : correct;
      out.push(el("p", { class: "stage-q__key", "data-testid": "correct" }, `${t.correctAnswer}：${shown.join("、")}`));
    }
    return out;
  }

  function drawQuestion(withOptions = true) {
    const box = $("[data-question]");
    if (!box) return;
    const q = S.stage.question;
    const waitingStake = S.phase === "question" && S.stage.step === "staking";
    box.hidden = !q && !waitingStake;
    const key = JSON.stringify([q?.seq, q?.correct, waitingStake, withOptions, S.voided]);
    once(box, key, () => {
      if (!q) return [el("p", { class: "stage-q__hidden" }, t.questionHidden)];
      const head = el("p", { class: "stage-q__meta" }, fill(t.number, { n: q.number, of: q.of }), q.points ? ` · ${q.points} ${t.pointsUnit}` : "");
      return [head, el("p", { class: "stage-q__text" }, q.text), ...(withOptions ? optionsList(q) : []), S.voided ? el("p", { class: "stage-q__void" }, t.voided) : null];
    });
  }

  function drawScores() {
    const box = $("[data-scores]");
    if (!box) return;
    const teams = S.stage.teams;
    const names = teams.map((team) => team.name).join("\n");
    if (box.dataset.names !== names) {
      box.dataset.names = names;
      box.replaceChildren(
        ...teams.map((team) =>
          el(
            "li",
            { class: "team-card", "data-team": team.name },
            el("span", { class: "team-card__rank" }),
            el("span", { class: "team-card__name" }, team.name),
            el("span", { class: "team-card__score", "data-testid": "team-score" }),
            el("span", { class: "team-card__delta" }),
            el("span", { class: "team-card__bar" }, el("span", { class: "team-card__fill" })),
          ),
        ),
      );
    }
    const scores = teams.map((team) => team.score);
    const top = Math.max(1, ...scores.map((s) => Math.abs(s)));
    for (const card of box.children) {
      const team = teamInfo(card.dataset.team);
      if (!team) continue;
      card.querySelector(".team-card__rank").textContent = team.rank && S.phase !== "lobby" ? `${team.rank}` : "";
      card.querySelector(".team-card__score").textContent = String(team.score);
      card.querySelector(".team-card__fill").style.width = `${Math.max(0, Math.round((team.score / top) * 100))}%`;
      card.classList.toggle("is-turn", S.phase === "question" && S.stage.team === team.name);
      card.classList.toggle("is-leader", team.rank === 1 && S.phase !== "lobby");
      card.classList.toggle("is-mine", team.name === myTeam());
      const change = S.changes[team.name];
      const badge = card.querySelector(".team-card__delta");
      if (badge.dataset.change !== String(S.changeId)) {
        badge.dataset.change = String(S.changeId);
        const fresh = el("span", { class: "team-card__delta" + (change ? ` is-new ${change > 0 ? "is-up" : "is-down"}` : ""), "data-change": String(S.changeId) }, change ? signed(change) : "");
        badge.replaceWith(fresh);
      }
    }
  }

  function drawFinal() {
    const box = $("[data-final]");
    if (!box) return;
    box.hidden = S.phase !== "finished";
    once(box, JSON.stringify(S.final), () => {
      if (!S.final) return [];
      const list = el("ol", { class: "podium", "data-testid": "final" });
      for (const row of S.final) {
        list.append(el("li", { class: `podium__row podium__row--${row.rank}${row.name === myTeam() ? " is-mine" : ""}` }, el("span", { class: "podium__rank" }, String(row.rank)), el("span", { class: "podium__name" }, row.name), el("span", { class: "podium__score" }, String(row.score))));
      }
      return [el("h2", { class: "card__title" }, t.finalRanking), list];
    });
  }

  function turnText() {
    const st = S.stage;
    if (S.phase !== "question") return "";
    const mine = st.team && st.team === myTeam();
    if (st.step === "staking") return mine ? t.turnStakeYours : fill(t.stakeWait, { team: st.team });
    if (st.step === "answering") {
      if (mine) return t.turnYours;
      return fill(t.answeringOther, { team: st.team });
    }
    if (st.step === "reading") return t.buzzWait;
    if (st.step === "buzzing") return t.buzzOpen;
    return "";
  }

  // --- the player's phone ------------------------------------------------------------------

  function drawPlayer() {
    const st = S.stage;
    const me = you();
    const team = teamInfo(myTeam());
    $("[data-my-team]").textContent = me ? (team ? team.name : me.name) : "—";
    $("[data-my-role]").textContent = me ? (me.spectator ? t.roleSpectator : me.captain ? t.roleCaptain : t.roleMember) : "";
    $("[data-my-role]").hidden = !me;
    $("[data-my-name]").textContent = me && team ? me.name : "";
    $("[data-my-score-box]").hidden = !team;
    if (team) {
      $("[data-my-score]").textContent = String(team.score);
      const change = S.changes[team.name];
      const box = $("[data-my-change]");
      box.textContent = change ? signed(change) : "";
      box.className = `delta${change ? (change > 0 ? " is-up" : " is-down") : ""}`;
    }
    $("[data-round]").textContent = roundLine();
    const turn = $("[data-turn]");
    turn.textContent = turnText();
    turn.hidden = !turn.textContent || (isBuzzerRound() && Boolean(team));
    turn.classList.toggle("is-mine", Boolean(team) && st.team === team.name);
    drawBuzzer(team);
    drawStake(team);
    drawAnswer(team);
    drawQuestion(!mayAnswer());
    if (S.phase === "finished") $("[data-question]").hidden = true;
    $("[data-scores-card]").hidden = S.phase === "finished";
    drawScores();
    drawFinal();
    const waiting = $("[data-waiting]");
    waiting.hidden = S.phase !== "lobby";
    waiting.textContent = me ? t.joinedStage : t.waiting;
  }

  function drawBuzzer(team) {
    const st = S.stage;
    const area = $("[data-buzz-area]");
    const show = Boolean(team) && isBuzzerRound() && ["question", "reveal"].includes(S.phase);
    area.hidden = !show;
    if (!show) return;
    const button = $("[data-buzz]");
    const me = you();
    const eligible = st.eligible.includes(team.name);
    let state = "locked";
    let text = t.buzzLocked;
    let enabled = false;
    if (S.phase === "reveal") {
      state = "closed";
      text = st.buzzer?.state === "won" && st.buzzer.team === team.name ? t.buzzWon : t.buzzClosed;
    } else if (st.step === "reading" && eligible) {
      state = "waiting";
      text = t.buzzWait;
      enabled = me.captain; // early: pressing it is allowed, and penalised
    } else if (st.step === "buzzing" && eligible) {
      state = S.buzzed ? "sent" : "open";
      text = S.buzzed ? t.buzzSent : t.buzzOpen;
      enabled = me.captain && !S.buzzed;
    } else if (st.step === "answering") {
      const ours = st.team === team.name;
      state = ours ? "won" : "lost";
      text = ours ? t.buzzWon : fill(t.buzzWonOther, { team: st.team });
    }
    button.className = `buzz is-${state}`;
    button.disabled = !enabled;
    button.dataset.state = state;
    $("[data-buzz-label]").textContent = st.format === "tiebreak" ? t.buzzTiebreak : t.buzz;
    $("[data-buzz-state]").textContent = text;
    $("[data-buzz-count]").hidden = state !== "open";
    const margin = st.buzzer?.state === "won" && typeof st.buzzer.margin_ms === "number" ? fill(t.lead, { ms: st.buzzer.margin_ms }) : "";
    let note = S.buzzNote || (S.early ? t.buzzEarly : "");
    if (!note && !me.captain && ["waiting", "open"].includes(state)) note = t.buzzCaptain;
    if (!note && margin && state === "won") note = margin;
    const noteBox = $("[data-buzz-note]");
    noteBox.textContent = note;
    noteBox.classList.toggle("is-error", Boolean(S.buzzNote || S.early));
  }

  function drawStake(team) {
    const st = S.stage;
    const area = $("[data-stake-area]");
    const ourTurn = Boolean(team) && S.phase === "question" && st.step === "staking" && st.team === team.name;
    const taken = st.stakes.find((s) => s.seq === S.seq && s.team === team?.name);
    const showTaken = Boolean(team) && st.format === "risk" && taken && ["question", "reveal"].includes(S.phase);
    area.hidden = !ourTurn && !showTaken;
    const key = JSON.stringify([S.seq, ourTurn, mayStake(), taken?.points, st.allowed_stakes]);
    once(area, key, () => {
      if (showTaken) return [el("p", { class: "stake__taken", "data-testid": "stake-taken" }, fill(t.stakeTaken, { points: taken.points }))];
      if (!mayStake()) return [el("p", { class: "stake__wait" }, t.stakeWaitCaptain)];
      const buttons = el("div", { class: "stake__buttons" });
      for (const points of st.allowed_stakes) {
        const button = el("button", { type: "button", class: "stake__button", "data-stake": String(points) }, el("strong", {}, String(points)), el("span", {}, t.pointsUnit));
        button.addEventListener("click", () => {
          if (send({ type: "stake", seq: S.seq, points })) buttons.querySelectorAll("button").forEach((b) => (b.disabled = true));
        });
        buttons.append(button);
      }
      return [el("h2", { class: "card__title" }, t.stakePick), el("p", { class: "muted" }, t.stakeHint), buttons];
    });
  }

  function drawAnswer(team) {
    const st = S.stage;
    const area = $("[data-answer-area]");
    const ours = Boolean(team) && S.phase === "question" && st.step === "answering" && st.team === team.name;
    area.hidden = !ours;
    const can = mayAnswer();
    const q = st.question;
    const key = JSON.stringify([S.seq, ours, can, S.submitted, st.buzzer?.state, q?.seq]);
    once(area, key, () => {
      if (!ours || !q) return [];
      if (S.submitted) return [el("p", { class: "stake__taken", "data-testid": "submitted" }, t.answerSent)];
      if (!can) return [el("p", { class: "stake__wait" }, t.answerCaptain)];
      const out = [el("p", { class: "muted" }, t.answerAloud)];
      if (q.kind === "fill") {
        const form = el("form", { class: "form" });
        for (let i = 0; i < Math.max(1, q.blanks); i += 1) form.append(el("input", { class: "live__blank", maxlength: "200", "aria-label": `${i + 1}` }));
        form.append(el("button", { class: "button button--primary button--block", type: "submit" }, t.send));
        form.addEventListener("submit", (event) => {
          event.preventDefault();
          send({ type: "answer", seq: S.seq, blanks: [...form.querySelectorAll("input")].map((i) => i.value) });
        });
        out.push(form);
        return out;
      }
      const grid = el("div", { class: "answer-grid" });
      for (const option of q.options) {
        const button = el("button", { type: "button", class: "answer", "data-key": option.key }, q.kind === "truefalse" ? null : el("strong", {}, option.key), option.text);
        button.addEventListener("click", () => {
          if (q.kind === "multiple") {
            S.chosen = S.chosen.includes(option.key) ? S.chosen.filter((k) => k !== option.key) : [...S.chosen, option.key];
            button.classList.toggle("is-chosen", S.chosen.includes(option.key));
          } else {
            send({ type: "answer", seq: S.seq, choices: [option.key] });
          }
        });
        grid.append(button);
      }
      out.push(grid);
      if (q.kind === "multiple") {
        const submit = el("button", { type: "button", class: "button button--primary button--block" }, t.send);
        submit.addEventListener("click", () => S.chosen.length && send({ type: "answer", seq: S.seq, choices: S.chosen }));
        out.push(submit);
      }
      return out;
    });
  }

  // --- the big screen ----------------------------------------------------------------------

  function drawScreen() {
    const st = S.stage;
    const lobby = S.phase === "lobby";
    $("[data-lobby]").hidden = !lobby;
    $("[data-players]").textContent = String(S.players);
    once($("[data-recent]"), JSON.stringify([S.recent, S.recentGuests]), () => recentNames(S.recent, S.recentGuests));
    once($("[data-lobby-teams]"), JSON.stringify(st.teams.map((team) => team.name)), () => st.teams.map((team) => el("li", {}, team.name)));
    $("[data-live-area]").hidden = lobby;
    const finished = S.phase === "finished";
    const title = finished ? t.finished : st.title || label("fmt", st.format) || "";
    const format = finished ? "" : label("fmt", st.format);
    $("[data-round-title]").textContent = title;
    $("[data-round-format]").textContent = format;
    $("[data-round-format]").hidden = !format || format === title;
    $("[data-round-number]").textContent = S.of && S.phase !== "finished" ? fill(t.number, { n: S.number, of: S.of }) : "";
    once($("[data-order]"), JSON.stringify([st.order, st.team, S.phase, st.format]), () =>
      S.phase === "finished" || isBuzzerRound()
        ? []
        : st.order.map((name, i) => el("li", { class: S.phase === "question" && name === st.team ? "is-turn" : null }, el("span", { class: "order__n" }, String(i + 1)), name)),
    );
    $("[data-order]").hidden = S.phase === "finished" || isBuzzerRound() || !st.order.length;
    drawQuestion(true);
    if (S.phase === "finished") $("[data-question]").hidden = true;
    // the buzzer / turn banner
    const banner = $("[data-buzzer]");
    let text = "";
    let sub = "";
    let state = "";
    if (S.phase === "question" || S.phase === "reveal") {
      const b = st.buzzer;
      if (isBuzzerRound()) {
        if (st.step === "reading") [text, state] = [t.buzzWaitScreen, "waiting"];
        else if (st.step === "buzzing") [text, state] = [t.buzzOpenScreen, "open"];
        else if (b?.state === "won") {
          [text, state] = [fill(t.buzzWonOther, { team: b.team }), "won"];
          if (typeof b.margin_ms === "number") sub = fill(t.lead, { ms: b.margin_ms });
        } else if (b?.nobody) [text, state] = [t.noBuzz, "closed"];
      } else if (S.phase === "question") {
        text = turnText();
        state = st.step === "staking" ? "waiting" : "won";
      }
    }
    const stake = st.stakes.find((s) => s.seq === S.seq);
    if (stake && S.phase === "reveal") sub = [sub, fill(t.stakeReveal, { team: stake.team, points: stake.points })].filter(Boolean).join(" · ");
    banner.hidden = !text && !sub;
    banner.className = `screen-buzzer is-${state || "none"}`;
    $("[data-buzzer-text]").textContent = text;
    $("[data-buzzer-sub]").textContent = sub;
    $("[data-buzzer-count]").hidden = state !== "open";
    drawScores();
    drawFinal();
  }

  // --- the host / judge console --------------------------------------------------------------

  function tieNow() {
    const st = S.stage;
    if (st.tie) return true;
    if (S.phase !== "reveal" || st.format === "tiebreak") return false;
    if (st.round !== st.rounds.length || S.number !== S.of) return false;
    return st.teams.filter((team) => team.rank === 1).length > 1;
  }

  function currentResult(entry) {
    const corrections = S.stage.audit.filter((e) => e.kind === "correction" && e.corrects === entry.id);
    return corrections.length ? corrections[corrections.length - 1].result : entry.result;
  }

  function roundTitle(number) {
    return S.stage.rounds[number - 1]?.title || t.fmtTiebreak;
  }

  function responseText(response) {
    if (!response) return "";
    if (response.choices) return response.choices.join("");
    if (response.blanks) return response.blanks.join("；");
    return response.text || "";
  }

  function drawHost() {
    const st = S.stage;
    $("[data-round]").textContent = roundLine();
    $("[data-players]").textContent = String(S.players);
    const turn = $("[data-turn]");
    turn.textContent = st.buzzer?.state === "won" && S.phase === "question"
      ? [fill(t.buzzWonOther, { team: st.team }), typeof st.buzzer.margin_ms === "number" ? fill(t.lead, { ms: st.buzzer.margin_ms }) : ""].filter(Boolean).join(" · ")
      : turnText();
    turn.hidden = !turn.textContent;
    drawQuestion(true);
    const keyBox = $("[data-judge-key]");
    const q = st.question;
    keyBox.hidden = !st.judge_key || S.phase !== "question";
    if (st.judge_key && q) {
      const shown = q.kind === "truefalse" ? q.options.filter((o) => st.judge_key.includes(o.key)).map((o) => o.text) : st.judge_key;
      keyBox.textContent = `${t.judgeKey}：${shown.join("、")}`;
    } else if (st.judge_key) {
      keyBox.textContent = `${t.judgeKey}：${st.judge_key.join("、")}`;
    }
    const stake = st.stakes.find((s) => s.seq === S.seq);
    const stakeBox = $("[data-host-stake]");
    stakeBox.hidden = !stake;
    if (stake) stakeBox.textContent = fill(t.stakeReveal, { team: stake.team, points: stake.points });
    const step = st.step;
    const enabled = {
      start: S.phase === "lobby",
      next: S.phase === "reveal",
      open_buzzer: S.phase === "question" && step === "reading",
      close: S.phase === "question" && ["buzzing", "answering", "staking"].includes(step),
      judge: S.phase === "question" && step === "answering",
      void: ["question", "reveal"].includes(S.phase) && S.seq > 0 && !S.voided,
      tiebreak: tieNow(),
      end: S.phase !== "finished",
    };
    for (const button of $$("[data-command]")) {
      const command = button.dataset.command;
      button.disabled = !enabled[command];
      if (command === "tiebreak") button.hidden = !enabled.tiebreak;
      if (S.armed !== command && button.dataset.confirming) {
        delete button.dataset.confirming;
        button.textContent = button.dataset.label;
      }
    }
    $("[data-tie-hint]").hidden = !enabled.tiebreak;
    $("[data-results-link]").hidden = S.phase !== "finished";
    drawTeamsTable();
    drawAudit();
    drawScores();
    drawFinal();
  }

  function drawTeamsTable() {
    const box = $("[data-teams]");
    const st = S.stage;
    once(box, JSON.stringify(st.teams.map((team) => [team.name, team.mode, team.captain_id, team.players, team.members])), () =>
      st.teams.map((team) => {
        const select = el("select", { class: "captain-select", "aria-label": fill(t.captainOf, { team: team.name }), "data-captain": team.name });
        if (!team.captain_id) select.append(el("option", { value: "" }, t.noCaptain));
        for (const player of team.players || []) select.append(el("option", { value: player.id, selected: player.id === team.captain_id }, guestName(player.name, player.guest)));
        if (team.captain_id && !(team.players || []).some((p) => p.id === team.captain_id)) {
          select.append(el("option", { value: team.captain_id, selected: true }, team.captain ? guestName(team.captain, team.captain_guest) : t.notJoined));
        }
        select.disabled = !(team.players || []).length;
        select.addEventListener("change", () => select.value && send({ type: "captain", team: team.name, player: select.value }));
        return el(
          "tr",
          {},
          el("th", { scope: "row" }, team.name),
          el("td", {}, team.mode === "members" ? t.modeMembers : t.modeCaptain),
          el("td", { class: "num" }, String(team.members)),
          el("td", {}, select),
        );
      }),
    );
  }

  function drawAudit() {
    const box = $("[data-audit]");
    const audit = S.stage.audit;
    $("[data-audit-empty]").hidden = audit.length > 0;
    once(box, JSON.stringify(audit), () =>
      [...audit].reverse().map((entry) => {
        const at = new Date(entry.at).toLocaleTimeString(document.documentElement.lang || "zh-CN", { hour12: false });
        const actions = el("div", { class: "audit__actions" });
        if (entry.kind === "answer" || entry.kind === "timeout") {
          const now = currentResult(entry);
          for (const result of ["right", "wrong", "partial"]) {
            const button = el("button", { type: "button", class: `chip chip--${result}`, disabled: now === result }, label("result", result));
            button.addEventListener("click", () => send({ type: "correct", entry: entry.id, result }));
            actions.append(button);
          }
        }
        const reply = responseText(entry.response);
        const struck = entry.kind !== "correction" && entry.kind !== "void" && entry.effective !== entry.delta;
        return el(
          "tr",
          { "data-entry": String(entry.id) },
          el("td", { class: "num" }, String(entry.id)),
          el("td", {}, at),
          el("td", {}, roundTitle(entry.round)),
          el("td", { class: "num" }, String(entry.seq)),
          el("td", {}, entry.team || "—"),
          el("td", {}, label("kind", entry.kind)),
          el("td", {}, label("result", entry.result), reply ? el("span", { class: "muted" }, ` (${reply})`) : null),
          el("td", { class: `num${struck ? " is-struck" : ""}` }, signed(entry.delta)),
          el("td", { class: "num" }, entry.kind === "correction" || entry.kind === "void" ? "—" : signed(entry.effective)),
          el("td", {}, label("by", entry.by)),
          el("td", { class: "num" }, entry.corrects ? `#${entry.corrects}` : ""),
          el("td", {}, actions),
        );
      }),
    );
  }

  function render() {
    if (role === "player") drawPlayer();
    else if (role === "screen") drawScreen();
    else drawHost();
    const box = $("[data-notice]");
    if (box) {
      box.textContent = S.notice.text;
      box.hidden = !S.notice.text;
    }
    tick();
  }

  // --- controls ------------------------------------------------------------------------------

  const DESTRUCTIVE = ["void", "end"];
  for (const button of $$("[data-command]")) {
    button.dataset.label = button.textContent;
    button.addEventListener("click", () => {
      const command = button.dataset.command;
      if (DESTRUCTIVE.includes(command) && S.armed !== command) {
        S.armed = command;
        button.dataset.confirming = "1";
        button.textContent = t.confirm;
        window.setTimeout(() => {
          if (S.armed === command) {
            S.armed = null;
            render();
          }
        }, 4000);
        return;
      }
      S.armed = null;
      if (command === "judge") send({ type: "judge", result: button.dataset.result });
      else if (command === "void") send({ type: "void", seq: S.seq });
      else send({ type: command });
      render();
    });
  }

  $("[data-buzz]")?.addEventListener("click", () => {
    if (S.phase === "question") send({ type: "buzz", seq: S.seq });
  });

  const joinForm = $("[data-join]");
  joinForm?.addEventListener("submit", (event) => {
    event.preventDefault();
    if (joinForm.nickname) {
      nickname = joinForm.nickname.value.trim();
      window.sessionStorage.setItem("jiangtang-nickname", nickname);
    }
    if (joinForm.team) team = joinForm.team.value;
    joinForm.hidden = true;
    join();
  });

  window.setInterval(tick, 250);
  render();
  socket = contestSocket({
    path: root.dataset.ws,
    role,
    guest,
    onOpen() {
      fresh = true;
      status(t.online, true);
    },
    onMessage: handle,
    onDown: () => status(t.offline, false),
  });
}

if (root) setup();
