// Small progressive enhancement; every page works without it.
document.addEventListener("click", (ev) => {
  const copy = ev.target.closest("[data-copy]");
  if (copy) {
    const text = document.querySelector(copy.dataset.copy)?.value ?? copy.dataset.copyText;
    if (text && navigator.clipboard) {
      navigator.clipboard.writeText(text).then(() => { copy.dataset.copied = "1"; });
    }
  }
});
document.addEventListener("submit", (ev) => {
  const msg = ev.target.dataset.confirm;
  if (msg && !window.confirm(msg)) ev.preventDefault();
});
