/* Small behaviours any page declares with data attributes, so that no page needs inline
   script (the Content-Security-Policy allows scripts from Maillage's own files only). */
(function () {
  "use strict";

  // <button data-confirm="Question?">: the action goes on only if the user confirms.
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest("[data-confirm]");
    if (target && !window.confirm(target.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // <input data-select-on-focus>: the whole value is selected, ready to copy.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
      event.target.select();
    }
  });

  // <button data-copy="input-id" data-copied="Copied">: copies the input's value in one tap
  // (phones make selecting a long address awkward).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var input = document.getElementById(button.dataset.copy);
    if (!input) { return; }
    input.select();
    if (navigator.clipboard) { navigator.clipboard.writeText(input.value); }
    if (button.dataset.copied) { button.textContent = button.dataset.copied; }
  });
})();
