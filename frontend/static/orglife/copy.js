// Copy buttons: <button data-copy="#input" data-copied="Copied">; the text comes from the page.
for (const button of document.querySelectorAll("[data-copy]")) {
  button.addEventListener("click", async () => {
    const field = document.querySelector(button.dataset.copy);
    if (!field) return;
    const original = button.textContent;
    try {
      await navigator.clipboard.writeText(field.value);
    } catch {
      field.select();
      document.execCommand("copy");
    }
    button.textContent = button.dataset.copied || original;
    setTimeout(() => { button.textContent = original; }, 2000);
  });
}
