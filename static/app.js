// Small progressive enhancement; every page works without it.
document.addEventListener("click", (ev) => {
  const copy = ev.target.closest("[data-copy]");
  if (copy) {
    const text = document.querySelector(copy.dataset.copy)?.value ?? copy.dataset.copyText;
    if (text && navigator.clipboard) {
      // Say so on the button for two seconds ("已复制"), then the label comes back.
      navigator.clipboard.writeText(text).then(() => {
        const label = copy.textContent;
        copy.textContent = copy.dataset.copied || label;
        setTimeout(() => { copy.textContent = label; }, 2000);
      });
    }
  }
});
document.addEventListener("submit", (ev) => {
  const msg = ev.target.dataset.confirm;
  if (msg && !window.confirm(msg)) ev.preventDefault();
});
