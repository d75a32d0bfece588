// Lecture admin: refresh the sanitised preview while the Markdown is edited.
"use strict";
(function () {
  function setup() {
    const body = document.getElementById("id_body");
    const preview = document.querySelector(".lecture-preview");
    if (!body || !preview) return;
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    let timer = null;
    async function refresh() {
      const form = new FormData();
      form.append("body", body.value);
      const response = await fetch(preview.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
        body: form,
      });
      // The server's output is sanitised HTML (the same as members get).
      if (response.ok) preview.innerHTML = await response.text();
    }
    body.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    });
    if (!preview.innerHTML.trim() && body.value.trim()) refresh();
  }
  document.addEventListener("DOMContentLoaded", setup);
})();
