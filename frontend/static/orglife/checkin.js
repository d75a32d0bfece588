// The landing page behind the QR code: send the check-in form at once (a POST; the
// page's GET changed nothing). Without scripts the member presses the button.
const form = document.querySelector("form[data-autosubmit]");
if (form && !form.dataset.sent) {
  form.dataset.sent = "1";
  form.requestSubmit();
}
