// Behaviour the pages need, as a static file: the Content-Security-Policy allows scripts from our
// own static files only (no inline script or on* attributes). Add page scripts the same way.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.submit();
});
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-confirm]");
  if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
});
