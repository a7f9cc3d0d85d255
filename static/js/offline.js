// PupilVoice offline: nothing the pupil does is lost when the Wi-Fi drops, and
// nothing is shown as saved until the server has said so.
//
// Every save and "talk to someone" goes into a queue kept on the tablet
// (localStorage), each with an id the tablet made ("<milliseconds>-<random>"),
// and is sent from there, one at a time, in order. It leaves the queue only
// when the server answers with that id in X-Recorded (pupilvoice/pupil.py);
// sent twice after a dropped connection, it is still recorded once. While the
// server cannot be reached, Continue, Back and "talk to someone" carry on
// with the pages the tablet's worker kept (tablet-sw.js, pupilvoice/tablet.py),
// and the pupil is told calmly that their answers are safe on the tablet.
//
// When pupil mode ends, everything kept is wiped: on the next staff page, or
// the "please ask your teacher" page (the server also sends Clear-Site-Data).
//
// Without JavaScript none of this runs and every form posts as usual.
(function () {
  "use strict";

  var KEY = "pupilvoice-tablet";
  var config = document.getElementById("offline-note");

  // ---- Finished in one tab: every other tab of the tablet follows ---------
  // A second tab left on check answers would otherwise go on showing every
  // answer, private ones too, after "I've finished" in the first.
  var FINISHED = "pupilvoice-finished";
  var done = document.querySelector("[data-finished]");
  if (done) {
    try {
      // A new value each time: storage events fire only on a change.
      window.localStorage.setItem(FINISHED, done.dataset.doneUrl + "?at=" + Date.now());
    } catch (error) {
      // Storage refused (private mode): the server still refuses every change.
    }
  } else if (document.body && document.body.classList.contains("pupil")) {
    window.addEventListener("storage", function (event) {
      if (event.key === FINISHED && event.newValue) {
        window.location.replace(event.newValue);
      }
    });
  }

  // ---- Pupil mode is over: wipe what the tablet kept -----------------------
  function wipe() {
    try {
      window.localStorage.removeItem(KEY);
      window.localStorage.removeItem(FINISHED);
    } catch (error) {
      // Storage switched off: nothing was kept there.
    }
    if (window.caches) {
      window.caches.keys().then(function (names) {
        names.forEach(function (name) {
          if (name.indexOf("pupilvoice-") === 0) {
            window.caches.delete(name);
          }
        });
      });
    }
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      navigator.serviceWorker.getRegistrations().then(function (registrations) {
        registrations.forEach(function (registration) {
          registration.unregister();
        });
      });
    }
  }

  if (!config) {
    // A staff page, or "please ask your teacher": no pupil's turn is running.
    // (A kind error page shown during pupil mode keeps everything.)
    if (document.body.classList.contains("staff") || document.querySelector("[data-tablet-wipe]")) {
      wipe();
    }
    return;
  }

  var section = config.dataset.section;
  var fromTablet = document.documentElement.hasAttribute("data-from-tablet");

  // ---- What the tablet keeps: the queue, and the latest answer on each page -
  var memory = null; // where the queue lives if the browser keeps no storage

  function empty() {
    return { section: section, queue: [], drafts: {}, last: 0 };
  }

  function read() {
    var state = memory;
    try {
      state = JSON.parse(window.localStorage.getItem(KEY) || "null") || memory;
    } catch (error) {
      // Unreadable or switched off: the copy in memory stands.
    }
    // Another pupil's leftovers are never sent into this pupil's answers.
    return state && state.section === section ? state : empty();
  }

  function write(state) {
    memory = state;
    try {
      window.localStorage.setItem(KEY, JSON.stringify(state));
    } catch (error) {
      // Full or switched off: kept in memory for as long as this page lives.
    }
  }

  function newId(state) {
    var at = Math.max(Date.now(), state.last + 1);
    state.last = at;
    var bytes = new Uint8Array(12);
    window.crypto.getRandomValues(bytes);
    return at + "-" + Array.prototype.map.call(bytes, function (b) {
      return (b % 36).toString(36);
    }).join("");
  }

  function enqueue(item) {
    var state = read();
    item.id = newId(state);
    var last = state.queue[state.queue.length - 1];
    if (item.auto && last && last.auto && last.step === item.step && last.id !== inFlight) {
      // A newer autosave of the same page replaces one not yet sent.
      state.queue[state.queue.length - 1] = item;
    } else {
      state.queue.push(item);
    }
    write(state);
    return item;
  }

  function remove(id) {
    var state = read();
    state.queue = state.queue.filter(function (item) {
      return item.id !== id;
    });
    write(state);
  }

  function pending(test) {
    return read().queue.some(test);
  }

  function keepDraft(step, fields) {
    var state = read();
    state.drafts[step] = fields;
    write(state);
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && typeof value === "string") {
        fields.push([name, value]);
      }
    });
    return fields;
  }

  function valueOf(fields, name) {
    var found = fields.filter(function (field) {
      return field[0] === name;
    })[0];
    return found ? found[1] : "";
  }

  // A kept page shows the tablet's latest answer, not the one it was kept with.
  function applyDraft(form, fields) {
    if (!fields) {
      return;
    }
    var values = {};
    fields.forEach(function (field) {
      (values[field[0]] = values[field[0]] || []).push(field[1]);
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || element.type === "hidden" || element.name === "csrf_token" || element.tagName === "BUTTON") {
        return;
      }
      var given = values[element.name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = given.indexOf(element.value) !== -1;
      } else {
        element.value = given.length ? given[0] : "";
      }
    });
  }

  // ---- Sending --------------------------------------------------------------
  var inFlight = null;
  var flushing = null;
  var retryTimer = null;
  var retryDelay = 2000;
  var outcomes = {};
  var listeners = [];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function send(item) {
    var body = new URLSearchParams();
    item.fields.forEach(function (field) {
      body.append(field[0], field[1]);
    });
    body.set("client_id", item.id);
    body.set("section", section);
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, 30000);
    return fetch(item.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
      signal: controller.signal,
    }).then(
      function (response) {
        clearTimeout(timer);
        return response.text().then(function (html) {
          if (response.headers.get("X-Recorded") === item.id) {
            return { outcome: "recorded", html: html };
          }
          if (response.status === 409 && response.headers.get("HX-Redirect")) {
            return { outcome: "finished", to: response.headers.get("HX-Redirect") };
          }
          if (response.status >= 500 || response.status === 408 || response.status === 429) {
            return { outcome: "busy" };
          }
          // Refused for good (too long, pupil mode over): the page says why.
          return { outcome: "refused", html: html };
        });
      },
      function () {
        clearTimeout(timer);
        return { outcome: "offline" };
      }
    );
  }

  function flush() {
    if (!flushing) {
      flushing = run().then(
        function (result) {
          flushing = null;
          return result;
        },
        function () {
          flushing = null;
          return "offline";
        }
      );
    }
    return flushing;
  }

  function run() {
    clearTimeout(retryTimer);
    var item = read().queue[0];
    if (!item) {
      notify(null, { outcome: "empty" });
      return Promise.resolve("empty");
    }
    inFlight = item.id;
    return send(item).then(function (result) {
      inFlight = null;
      outcomes[item.id] = result.outcome;
      if (result.outcome === "recorded" || result.outcome === "refused") {
        remove(item.id);
        retryDelay = 2000;
        setOffline(false);
        notify(item, result);
        return run();
      }
      if (result.outcome === "finished") {
        write(empty());
        window.location.href = result.to;
        return "finished";
      }
      // Not recorded: kept, and tried again a little later (and at once when
      // the browser says the connection is back).
      setOffline(result.outcome === "offline");
      notify(item, result);
      retryTimer = setTimeout(flush, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
      return result.outcome;
    });
  }

  function within(promise, milliseconds) {
    return Promise.race([
      promise,
      new Promise(function (resolve) {
        setTimeout(resolve, milliseconds);
      }),
    ]);
  }

  function notify(item, result) {
    if (result.outcome === "recorded") {
      document.dispatchEvent(new CustomEvent("pupilvoice:recorded"));
    }
    listeners.forEach(function (listener) {
      listener(item, result);
    });
  }

  window.addEventListener("online", flush);
  window.addEventListener("offline", function () {
    setOffline(true);
  });

  // ---- Saying where things are ---------------------------------------------
  var offline = fromTablet || navigator.onLine === false;
  var waitingPage = document.querySelector("[data-tablet-waiting]");

  function setOffline(value) {
    offline = value;
    config.hidden = !offline || !!waitingPage;
  }

  // ---- The tablet's worker ---------------------------------------------------
  var tabletReady = fromTablet;

  function markReady() {
    tabletReady = true;
    document.documentElement.setAttribute("data-tablet-ready", "");
  }

  function setUpWorker() {
    if (!("serviceWorker" in navigator) || !window.isSecureContext) {
      return;
    }
    navigator.serviceWorker
      .register(config.dataset.worker, { scope: config.dataset.scope })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        var channel = new MessageChannel();
        channel.port1.onmessage = function (event) {
          if (!event.data || !event.data.ready) {
            return;
          }
          if (navigator.serviceWorker.controller) {
            markReady();
          } else {
            navigator.serviceWorker.addEventListener("controllerchange", markReady);
          }
        };
        registration.active.postMessage(
          { type: "prepare", version: config.dataset.version, manifest: config.dataset.manifest },
          [channel.port2]
        );
      })
      .catch(function () {
        // No worker (private browsing, an old browser): the pupil stays on
        // the page when offline, and is told their answers are safe.
      });
  }

  // Offline, a page is opened only if the tablet kept it; otherwise the pupil
  // stays where they are, told that their answers are safe.
  function go(url) {
    if (offline && !tabletReady) {
      setOffline(true);
      return;
    }
    window.location.href = url;
  }

  function pathOf(url) {
    return new URL(url, window.location.href).pathname;
  }

  // Not form.action: a question's buttons are named "action", and a named
  // control hides the form's own property of that name.
  function actionOf(someForm) {
    return new URL(someForm.getAttribute("action") || window.location.href, window.location.href).href;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href]");
    if (link && offline && !tabletReady && pathOf(link.href).indexOf(config.dataset.scope) === 0) {
      event.preventDefault();
      setOffline(true);
    }
  });

  // ---- A question page: save as the pupil taps and types -------------------
  var form = document.querySelector("form.question");
  var status = document.getElementById("save-status");
  var step = form ? form.dataset.step : null;

  function showNotSent() {
    if (!status) {
      return;
    }
    var span = document.createElement("span");
    span.className = "status status--waiting";
    span.textContent = config.dataset.notSent;
    status.replaceChildren(span);
  }

  function pendingHere(item) {
    return item.kind === "save" && item.step === step;
  }

  function autosave() {
    var fields = fieldsOf(form);
    keepDraft(step, fields);
    enqueue({ kind: "save", url: actionOf(form), step: step, fields: fields, auto: true });
    flush();
  }

  function debounce(work, milliseconds) {
    var timer;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(work, milliseconds);
    };
  }

  if (form) {
    if (fromTablet || pending(pendingHere)) {
      applyDraft(form, read().drafts[step]);
    }
    if (pending(pendingHere)) {
      showNotSent();
    }
    var typed = debounce(autosave, 800);
    form.addEventListener("input", function (event) {
      keepDraft(step, fieldsOf(form));
      if (event.target.tagName === "TEXTAREA") {
        typed();
      }
    });
    form.addEventListener("change", autosave);
    var pressed = null;
    form.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[name=action]");
      if (button) {
        pressed = button;
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = event.submitter || pressed;
      var fields = fieldsOf(form);
      fields.push(["action", button ? button.value : "answer"]);
      keepDraft(step, fieldsOf(form));
      var item = enqueue({ kind: "save", url: actionOf(form), step: step, fields: fields, auto: false });
      within(flush(), 2500).then(function () {
        if (outcomes[item.id] === "refused") {
          // Too long, say: the server shows the page with what to do.
          var action = document.createElement("input");
          action.type = "hidden";
          action.name = "action";
          action.value = button ? button.value : "answer";
          form.appendChild(action);
          HTMLFormElement.prototype.submit.call(form);
        } else if (outcomes[item.id] !== "finished") {
          go(form.dataset.next);
        }
      });
    });
    listeners.push(function (item, result) {
      if (!item || !pendingHere(item)) {
        return;
      }
      if (pending(pendingHere)) {
        showNotSent();
      } else if (result.html !== undefined && status) {
        // The server's own words: "Saved", or why not.
        status.innerHTML = result.html;
      } else {
        showNotSent();
      }
    });
  }

  // ---- "I want to talk to someone" ------------------------------------------
  var talkStates = document.querySelectorAll("[data-talk-state]");

  function isTalk(item) {
    return item.kind === "talk";
  }

  function showTalk(state) {
    Array.prototype.forEach.call(talkStates, function (element) {
      element.hidden = element.dataset.talkState !== state;
      var heading = element.querySelector("h1");
      if (!element.hidden && heading) {
        document.title = document.title.replace(/^.*?(?= – PupilVoice$)/, heading.textContent);
      }
    });
  }

  if (talkStates.length && pending(isTalk)) {
    showTalk("waiting");
  }
  listeners.push(function (item, result) {
    if (!talkStates.length || !item || !isTalk(item)) {
      return;
    }
    if (pending(isTalk)) {
      showTalk("waiting");
    } else if (result.outcome === "recorded") {
      showTalk("sent");
    } else if (result.outcome === "refused") {
      showTalk("not_sent");
    }
  });

  function talk(event, talkForm) {
    event.preventDefault();
    var fields = fieldsOf(talkForm);
    enqueue({ kind: "talk", url: actionOf(talkForm), step: null, fields: fields });
    if (talkStates.length) {
      showTalk("waiting");
    }
    within(flush(), 2500).then(function () {
      if (talkStates.length) {
        return;
      }
      var at = valueOf(fields, "step");
      go(config.dataset.talked + (at ? "?step=" + encodeURIComponent(at) : ""));
    });
  }

  // ---- Finishing, and the teacher taking the tablet back ---------------------
  // Both wait until everything kept has been sent: "I've finished" closes the
  // answers, and ending pupil mode wipes the tablet.
  var leaving = false;

  function whenSent(event, sendingForm, otherwise) {
    if (!read().queue.length || sendingForm.dataset.confirmed) {
      leaving = true;
      return;
    }
    event.preventDefault();
    within(flush(), 10000).then(function () {
      if (!read().queue.length) {
        leaving = true;
        HTMLFormElement.prototype.submit.call(sendingForm);
      } else {
        otherwise();
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var target = event.target;
    if (event.defaultPrevented || target === form) {
      return;
    }
    var path = pathOf(actionOf(target));
    if (path === config.dataset.talk) {
      talk(event, target);
    } else if (path === config.dataset.finish) {
      whenSent(event, target, function () {
        setOffline(true);
      });
    } else if (path === config.dataset.unlock) {
      whenSent(event, target, function () {
        var warning = document.createElement("p");
        warning.className = "status status--problem";
        warning.setAttribute("role", "alert");
        warning.textContent = config.dataset.unsentWarning;
        target.parentNode.insertBefore(warning, target);
        target.dataset.confirmed = "1";
      });
    }
  });

  // ---- Pages that wait for everything to be sent -----------------------------
  // Check answers lists what the server has: shown again once all is in.
  var finishing = document.querySelector('form[action="' + config.dataset.finish + '"]');
  if (finishing && read().queue.length) {
    listeners.push(function (item, result) {
      if (result.outcome === "empty" && item === null && !leaving) {
        window.location.reload();
      }
    });
  }

  // Shown by the tablet for a page it did not keep: once the server answers
  // again, carry on to the page that was asked for.
  if (waitingPage) {
    var back = document.querySelector("[data-tablet-back]");
    if (back && window.history.length > 1) {
      back.addEventListener("click", function (event) {
        event.preventDefault();
        window.history.back();
      });
    }
    var probe = function () {
      flush().then(function (result) {
        if (result !== "empty") {
          setTimeout(probe, 4000);
          return;
        }
        fetch(config.dataset.manifest, { credentials: "same-origin", cache: "no-store" }).then(
          function (response) {
            if (!response.ok) {
              setTimeout(probe, 4000);
            } else if (
              window.location.pathname === config.dataset.waitingPage ||
              document.documentElement.hasAttribute("data-after-post")
            ) {
              // Never sent again by reloading: a form the network lost is
              // pressed again by the pupil, from where they pick up.
              window.location.replace(config.dataset.scope);
            } else {
              window.location.reload();
            }
          },
          function () {
            setTimeout(probe, 4000);
          }
        );
      });
    };
    setTimeout(probe, 1000);
  }

  // Finished: the answers are in, and nothing of them stays on the tablet.
  if (config.dataset.closed) {
    var state = read();
    state.queue = [];
    state.drafts = {};
    write(state);
  }

  // A page brought back by Back from the browser's memory is asked for again,
  // so the server (or the tablet's worker) decides what may be shown.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      window.location.reload();
    }
  });

  setOffline(offline);
  setUpWorker();
  flush();
})();
