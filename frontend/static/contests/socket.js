// What the contest pages share: the DOM builder (`el`, from jiangtang/api.js, re-exported
// here for the contest scripts), the guest token kept on the
// phone, and the contest socket that reconnects with backoff (and stops once the
// server has refused it for good).

import { el } from "../jiangtang/api.js";

export { el };

// A name as shown: a guest's nickname carries a "guest" badge (`label`), so that
// nobody takes it for a member's name. `nameNodes(name, guest)` for one name,
// `recentNames(names, guests)` for a list joined with "、".
export function guestBadges(label) {
  function nameNodes(name, guest) {
    return guest ? [name, el("span", { class: "badge badge--guest" }, label)] : [name];
  }
  function recentNames(names, guests) {
    const nodes = [];
    names.forEach((name, i) => {
      if (i) nodes.push("、");
      nodes.push(...nameNodes(name, guests?.[i]));
    });
    return nodes;
  }
  return { nameNodes, recentNames };
}

export function guestToken() {
  let token = window.localStorage.getItem("jiangtang-guest");
  if (!token) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    token = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
    window.localStorage.setItem("jiangtang-guest", token);
  }
  return token;
}

// The shapes beside the option tiles' colours, by position (0: triangle, 1: diamond,
// 2: circle, 3: square, 4: star, 5: pentagon — the big screen's, screen.js), drawn as
// SVG so that no emoji font is needed: a player matches the phone's tile to the big
// screen's by colour and shape.
const SHAPES = [
  ["path", { d: "M12 2.5 22.5 20.5H1.5z" }],
  ["path", { d: "M12 1.5 22.5 12 12 22.5 1.5 12z" }],
  ["circle", { cx: "12", cy: "12", r: "10" }],
  ["rect", { x: "2.5", y: "2.5", width: "19", height: "19", rx: "1.5" }],
  ["polygon", { points: "12,1 14.9,8.9 23.3,9.1 16.6,14.2 19,22.6 12,17.5 5,22.6 7.4,14.2 0.7,9.1 9.1,8.9" }],
  ["polygon", { points: "12,1 23,9.1 18.7,22.3 5.3,22.3 1,9.1" }],
];
const SVG = "http://www.w3.org/2000/svg";

export function optionShape(index) {
  const [tag, attrs] = SHAPES[index % SHAPES.length];
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "shape");
  const shape = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) shape.setAttribute(key, value);
  svg.append(shape);
  return svg;
}

// Opens `/ws/contests/{pin}/?role=…` (`path` from the page) and keeps it open:
// `onOpen()` after each (re)connect, `onMessage(message)` for each message,
// `onDown()` when the connection drops and a retry is scheduled. `refuse()` stops
// the retries (a refusal the server means); `close()` also closes the socket;
// `reconnect()` gives up a socket that has stopped answering and dials again.
// `send(message)` is false when offline. Retries back off to 5 s at most (a live
// question lasts seconds), and come at once when the phone says it is back online
// or the page is shown again.
export function contestSocket({ path, role, guest, onOpen, onMessage, onDown }) {
  let socket = null;
  let retry = 0;
  let refused = false;
  let timer = null;

  function open() {
    window.clearTimeout(timer);
    timer = null;
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let url = `${scheme}://${window.location.host}${path}?role=${role}`;
    if (guest) url += `&guest=${guestToken()}`;
    const ws = new WebSocket(url);
    socket = ws;
    // a socket given up by `reconnect()` may still report; only the current one counts
    ws.addEventListener("open", () => {
      if (ws !== socket) return;
      retry = 0;
      onOpen();
    });
    ws.addEventListener("message", (event) => ws === socket && onMessage(JSON.parse(event.data)));
    ws.addEventListener("close", () => {
      // Only a refusal (an `error` the page passed to `refuse()`, then close 4403)
      // is final. Any other close reconnects — 4008 too: the server dropped this
      // socket as too slow (it had stopped reading), and the `state` sent on
      // connect brings back everything it missed.
      if (ws !== socket || refused) return;
      down();
    });
  }

  function down() {
    onDown();
    const delay = Math.min(5000, 500 * 2 ** retry) * (0.8 + Math.random() * 0.4);
    retry += 1;
    timer = window.setTimeout(open, delay);
  }

  function soon() {
    // back online (or shown again): try now rather than at the end of the backoff
    if (timer !== null && !refused) open();
  }
  window.addEventListener("online", soon);
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && soon());

  open();
  return {
    send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    isOpen() {
      return Boolean(socket) && socket.readyState === WebSocket.OPEN;
    },
    // The socket looks open but the server has stopped answering (a network gone
    // without a word, which TCP notices only minutes later): drop it and dial again.
    reconnect() {
      if (refused || !socket) return;
      const old = socket;
      socket = null;
      old.close();
      down();
    },
    refuse() {
      refused = true;
      window.clearTimeout(timer);
    },
    close() {
      refused = true;
      window.clearTimeout(timer);
      socket?.close();
    },
  };
}
