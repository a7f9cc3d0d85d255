// PupilVoice's own few lines. Everything works without them; they add
// read-aloud, the CSRF header for htmx, and focus on an error summary.
// Saving as the pupil goes, and carrying on offline, are in offline.js.
(function () {
  "use strict";

  // htmx requests carry the CSRF token from the page's meta tag.
  document.addEventListener("htmx:configRequest", function (event) {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) {
      event.detail.headers["X-CSRFToken"] = meta.content;
    }
  });

  // Read-aloud is offered only where the browser can speak the page's
  // language, and only ever starts on a tap.
  function setUpSpeech() {
    if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
      return;
    }
    var lang = document.documentElement.lang;
    var buttons = document.querySelectorAll("button.speak");
    function canSpeak() {
      var voices = window.speechSynthesis.getVoices();
      // Some browsers list their voices late; until they do, offer it.
      if (!voices.length) {
        return true;
      }
      var wanted = lang.split("-")[0].toLowerCase();
      return voices.some(function (voice) {
        return voice.lang.toLowerCase().split(/[-_]/)[0] === wanted;
      });
    }
    function show() {
      var speakable = canSpeak();
      buttons.forEach(function (button) {
        button.hidden = !speakable;
      });
    }
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        window.speechSynthesis.cancel();
        var utterance = new SpeechSynthesisUtterance(button.dataset.speak);
        utterance.lang = lang;
        utterance.rate = 0.9;
        window.speechSynthesis.speak(utterance);
      });
    });
    window.speechSynthesis.addEventListener("voiceschanged", show);
    show();
  }

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
    setUpSpeech();
    setUpTimeout();
    setUpCopy();
    var summary = document.querySelector("[data-autofocus]");
    if (summary) {
      summary.focus();
    }
  });
})();
