// What the contest pages share: a small DOM builder, the guest token kept on the
// phone, and the contest socket that reconnects with backoff (and stops once the
// server has refused it for good).

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

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

// Opens `/ws/contests/{pin}/?role=…` (`path` from the page) and keeps it open:
// `onOpen()` after each (re)connect, `onMessage(message)` for each message,
// `onDown()` when the connection drops and a retry is scheduled. `refuse()` stops
// the retries (a refusal the server means). `send(message)` is false when offline.
export function contestSocket({ path, role, guest, onOpen, onMessage, onDown }) {
  let socket = null;
  let retry = 0;
  let refused = false;

  function open() {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    let url = `${scheme}://${window.location.host}${path}?role=${role}`;
    if (guest) url += `&guest=${guestToken()}`;
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      retry = 0;
      onOpen();
    });
    socket.addEventListener("message", (event) => onMessage(JSON.parse(event.data)));
    socket.addEventListener("close", () => {
      // Only a refusal (an `error` the page passed to `refuse()`, then close 4403)
      // is final. Any other close reconnects — 4008 too: the server dropped this
      // socket as too slow (it had stopped reading), and the `state` sent on
      // connect brings back everything it missed.
      if (refused) return;
      onDown();
      const delay = Math.min(10000, 500 * 2 ** retry) + Math.random() * 300;
      retry += 1;
      window.setTimeout(open, delay);
    });
  }

  open();
  return {
    send(message) {
      if (!socket || socket.readyState !== WebSocket.OPEN) return false;
      socket.send(JSON.stringify(message));
      return true;
    },
    refuse() {
      refused = true;
    },
  };
}
