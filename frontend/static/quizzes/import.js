// The import preview: a changed choice (duplicates, missing questions) previews again
// at once; the confirm button is pressed once only (the server refuses a second
// commit of the same draft anyway).
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.classList.add("is-live");
    form.addEventListener("change", function () {
      form.setAttribute("aria-busy", "true");
      form.submit();
    });
  });
  document.querySelectorAll("form[data-testid=confirm-form]").forEach(function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (!button) return;
      window.setTimeout(function () {
        button.disabled = true;
        if (button.dataset.busyText) button.textContent = button.dataset.busyText;
      }, 0);
    });
  });
})();
