// Account pages: copy a new API token, and fill in the device's time zone. Both are conveniences: the
// pages work without them (the buttons stay hidden until this file runs).
(function () {
  "use strict";

  function announce(text) {
    var status = document.querySelector("[data-copy-status]");
    if (status) status.textContent = text;
  }

  function copyFallback(input) {
    input.focus();
    input.select();
    var copied = false;
    try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
    announce(copied ? "Copied." : "Selected: press Ctrl+C to copy.");
  }

  function setUpCopy() {
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var input = document.querySelector(button.dataset.copy);
      if (!input) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(
            function () { announce("Copied."); },
            function () { copyFallback(input); }
          );
        } else {
          copyFallback(input);
        }
      });
    });
  }

  function setUpTimeZone() {
    var button = document.querySelector("[data-detect-time-zone]");
    var input = document.querySelector("[data-time-zone]");
    if (!button || !input || !window.Intl) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!zone || zone === input.value) return;
    button.textContent = "Use this device’s time zone (" + zone + ")";
    var wrapper = button.closest("[hidden]");
    if (wrapper) wrapper.hidden = false;
    button.addEventListener("click", function () {
      input.value = zone;
      input.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpCopy();
    setUpTimeZone();
  });
})();
