// PupilVoice's own few lines. Everything works without them; they add the
// CSRF header for htmx, copy buttons, the idle warning, and focus on an
// error summary. Read-aloud is in speech.js; saving as the pupil goes, and
// carrying on offline, in offline.js.
(function () {
  "use strict";

  // htmx requests carry the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });


  // Copy buttons beside the text for each PEP section.
  function setUpCopy() {
    if (!navigator.clipboard) {
      return;
    }
    document.querySelectorAll("button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        navigator.clipboard.writeText(source.value).then(function () {
          button.firstChild.textContent = button.dataset.copied;
        });
      });
    });
  }

  // A pupil's tablet left alone stops showing their questions. Two minutes
  // before, the pupil is asked if they need more time; every save or tap on
  // "I need more time" starts the clock again.
  function setUpTimeout() {
    var dialog = document.getElementById("timeout");
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    var idle = Number(dialog.dataset.idleSeconds) * 1000;
    var warning = Number(dialog.dataset.warningSeconds) * 1000;
    var warnTimer;
    var endTimer;
    function restart() {
      clearTimeout(warnTimer);
      clearTimeout(endTimer);
      warnTimer = setTimeout(function () {
        if (!dialog.open) {
          dialog.showModal();
        }
      }, Math.max(idle - warning, 0));
      endTimer = setTimeout(function () {
        window.location.reload();
      }, idle + 1000);
    }
    document.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) {
        restart();
      }
    });
    // Answers recorded by offline.js count as activity too.
    document.addEventListener("pupilvoice:recorded", restart);
    dialog.querySelector("[data-close-dialog]").addEventListener("click", function () {
      dialog.close();
    });
    restart();
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpTimeout();
    setUpCopy();
    var summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
    }
  });
})();
