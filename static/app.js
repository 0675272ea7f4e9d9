// Small progressive enhancement; every page works without it.
// A print button (the evidence pack) is hidden until this script can work it.
for (const b of document.querySelectorAll("[data-print]")) b.hidden = false;
document.addEventListener("click", (ev) => {
  if (ev.target.closest("[data-print]")) window.print();
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
