// Read-aloud, for a child who cannot read (yet). Every control a pupil uses
// has a speaker beside it (button.speak, in the control's .hear box), and a
// page may have a "Read it to me" for its question. A tap on a speaker says
// its words; the control itself only ever does what it says. Nothing speaks
// by itself. Without JavaScript, or where the browser cannot speak the
// page's language, the speakers stay hidden and every control is still a
// plain button with its picture and words. Why this and not "first tap
// speaks, second tap acts": docs/decisions.md, "Heard on a tap".
(function () {
  "use strict";

  if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") {
    return;
  }
  var synth = window.speechSynthesis;

  function pageLanguage() {
    return document.documentElement.lang;
  }

  function languageOf(button) {
    return button.dataset.speakLang || pageLanguage();
  }

  function canSpeak(lang) {
    var voices = synth.getVoices();
    // Some browsers list their voices late; until they do, offer it.
    if (!voices.length) {
      return true;
    }
    var wanted = lang.split("-")[0].toLowerCase();
    return voices.some(function (voice) {
      return voice.lang.toLowerCase().split(/[-_]/)[0] === wanted;
    });
  }

  function showSpeakers() {
    document.querySelectorAll("button.speak").forEach(function (button) {
      button.hidden = !canSpeak(languageOf(button));
    });
  }

  // While words are said, the control they belong to is outlined, so the
  // child sees which one they are hearing about.
  var speaking = null;
  function stopShowing() {
    if (speaking) {
      speaking.classList.remove("is-speaking");
      speaking = null;
    }
  }

  function say(button) {
    synth.cancel();
    stopShowing();
    var utterance = new SpeechSynthesisUtterance(button.dataset.speak);
    utterance.lang = languageOf(button);
    utterance.rate = 0.9;
    var box = button.closest(".hear");
    if (box) {
      speaking = box;
      box.classList.add("is-speaking");
      utterance.addEventListener("end", stopShowing);
      utterance.addEventListener("error", stopShowing);
    }
    synth.speak(utterance);
  }

  // One listener for the whole page, so speakers that htmx swaps in work too.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.speak");
    if (button) {
      event.preventDefault();
      say(button);
    }
  });
  // Leaving the page stops the words mid-sentence rather than carrying on
  // over the next page.
  window.addEventListener("pagehide", function () {
    synth.cancel();
  });

  synth.addEventListener("voiceschanged", showSpeakers);
  document.addEventListener("DOMContentLoaded", showSpeakers);
  document.addEventListener("htmx:afterSwap", showSpeakers);
})();
