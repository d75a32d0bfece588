// What the pages' scripts share: `call` for the JSON API (same-origin session, the
// CSRF token from <meta name="csrf-token">), a small DOM builder `el` and `fill` for
// the translated texts' placeholders ("{n}").

const csrf = document.querySelector('meta[name="csrf-token"]')?.content ?? "";

// `{ok, status, data}` for any answer (data is `{}` when the body is not JSON); a
// network failure gives `{ok: false, status: 0, data: {}}`. Never throws.
export async function call(method, url, body) {
  try {
    const response = await fetch(url, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    return { ok: response.ok, status: response.status, data };
  } catch {
    return { ok: false, status: 0, data: {} };
  }
}

// An element with attributes (null, undefined and false ones left out, true as an
// empty attribute) and children (nodes or text; null, undefined and false skipped).
// Text is only ever set as text, never as HTML.
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

// "{n} 题" with {n: 3} → "3 题"; a placeholder without a value becomes "".
export const fill = (template, values) =>
  (template ?? "").replace(/\{(\w+)\}/g, (_m, key) => String(values[key] ?? ""));
