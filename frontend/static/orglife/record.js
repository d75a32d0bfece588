// The record page: a chosen file's name under the "choose" button (the native file
// input, whose words are the browser's own, is hidden). Texts come from the page.
for (const picker of document.querySelectorAll("[data-file-picker]")) {
  const input = picker.querySelector("input[type=file]");
  const names = picker.querySelector("[data-file-names]");
  const none = names.dataset.none;
  input.addEventListener("change", () => {
    const chosen = Array.from(input.files, (file) => file.name);
    names.textContent = chosen.length ? chosen.join("、") : none;
  });
}
