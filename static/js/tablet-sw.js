// The pupil's tablet worker. It keeps a copy of this pupil's pages, listed by
// the server (pupilvoice/tablet.py), so that when the school Wi-Fi drops,
// Continue, Back and "talk to someone" still open a page instead of the
// browser's "no internet" error. Answers are never sent from here: the page's
// own script (offline.js) keeps and sends them. Everything kept here is
// deleted when pupil mode ends (Clear-Site-Data, and offline.js).
//
// Served as /pupil/sw.js, so it looks after /pupil/ and nothing else.
"use strict";

var PREFIX = "pupilvoice-pages-";
var MANIFEST = "tablet-manifest";
var SCOPE = new URL(self.registration.scope).pathname;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

// Counts finishes, so a copy being made when the pupil finished is dropped.
var generation = 0;

// One thing at a time: two pages asking at once do not fetch everything twice.
var queue = Promise.resolve();
function serially(work) {
  var next = queue.then(work, work);
  queue = next.catch(function () {});
  return next;
}

self.addEventListener("message", function (event) {
  var data = event.data || {};
  var port = event.ports && event.ports[0];
  function reply(value) {
    if (port) {
      port.postMessage(value);
    }
  }
  if (data.type === "prepare") {
    event.waitUntil(
      serially(function () {
        return prepare(data.version, data.manifest);
      }).then(
        function () {
          reply({ ready: true });
        },
        function () {
          reply({ ready: false });
        }
      )
    );
  } else if (data.type === "forget") {
    event.waitUntil(
      serially(forget).then(function () {
        reply({ forgotten: true });
      })
    );
  }
});

// The kept pages and what they were kept from, if any.
async function current() {
  var names = (await caches.keys()).filter(function (name) {
    return name.indexOf(PREFIX) === 0;
  });
  for (var i = 0; i < names.length; i++) {
    var cache = await caches.open(names[i]);
    var stored = await cache.match(MANIFEST);
    if (stored) {
      return { name: names[i], cache: cache, manifest: await stored.json() };
    }
  }
  return null;
}

async function forget() {
  var names = await caches.keys();
  await Promise.all(
    names
      .filter(function (name) {
        return name.indexOf(PREFIX) === 0;
      })
      .map(function (name) {
        return caches.delete(name);
      })
  );
}

// Keep this version's pages, and the files they use, then drop any older
// copy. A page that cannot be fetched leaves the older copy in place.
async function prepare(version, manifestUrl) {
  var started = generation;
  var have = await current();
  if (have && have.manifest.version === version) {
    return;
  }
  var response = await fetch(manifestUrl, { credentials: "same-origin", cache: "no-store" });
  if (!response.ok) {
    throw new Error("no manifest");
  }
  var manifest = await response.json();
  var name = PREFIX + manifest.version;
  if (have && have.name === name) {
    return;
  }
  await caches.delete(name);
  var cache = await caches.open(name);
  var files = new Set();
  for (var i = 0; i < manifest.pages.length; i++) {
    var page = await fetch(manifest.pages[i], { credentials: "same-origin", cache: "no-store" });
    if (!page.ok || page.redirected) {
      // The server moved on (the pupil finished, pupil mode ended): keep nothing.
      await caches.delete(name);
      throw new Error("page not kept");
    }
    var html = await page.text();
    await cache.put(manifest.pages[i], copy(html, page));
    filesUsed(html).forEach(function (file) {
      files.add(file);
    });
  }
  await keepFiles(cache, Array.from(files));
  if (generation !== started) {
    // The pupil finished meanwhile: these copies may hold answers.
    await caches.delete(name);
    throw new Error("finished meanwhile");
  }
  await cache.put(MANIFEST, new Response(JSON.stringify(manifest), {
    headers: { "Content-Type": "application/json" },
  }));
  var names = await caches.keys();
  await Promise.all(
    names
      .filter(function (other) {
        return other.indexOf(PREFIX) === 0 && other !== name;
      })
      .map(function (other) {
        return caches.delete(other);
      })
  );
}

function copy(body, response) {
  return new Response(body, {
    status: 200,
    headers: { "Content-Type": response.headers.get("Content-Type") || "text/html" },
  });
}

// Scripts, styles and pictures a kept page asks for, and the fonts and
// pictures a style sheet asks for.
function filesUsed(html) {
  var found = [];
  var pattern = /(?:src|href)="([^"]+)"/g;
  var match;
  while ((match = pattern.exec(html))) {
    var url = new URL(match[1].replace(/&amp;/g, "&"), self.location.origin);
    if (url.origin === self.location.origin && url.pathname.indexOf(SCOPE) !== 0 && /\.(css|js|svg|png|woff2?)$/.test(url.pathname)) {
      found.push(url.pathname + url.search);
    }
  }
  return found;
}

async function keepFiles(cache, files) {
  var seen = new Set();
  while (files.length) {
    var file = files.shift();
    if (seen.has(file)) {
      continue;
    }
    seen.add(file);
    var response = await fetch(file, { credentials: "same-origin" });
    if (!response.ok) {
      continue;
    }
    if (/\.css(\?|$)/.test(file)) {
      var text = await response.clone().text();
      var pattern = /url\(["']?([^"')]+)["']?\)/g;
      var match;
      while ((match = pattern.exec(text))) {
        var url = new URL(match[1], self.location.origin + file);
        if (url.origin === self.location.origin) {
          files.push(url.pathname + url.search);
        }
      }
    }
    await cache.put(file, response);
  }
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(navigate(request, url));
  } else if (request.method === "GET" && url.pathname.indexOf(SCOPE) !== 0) {
    event.respondWith(file(request));
  }
  // Everything else (the page's own saves, "talk to someone") goes straight
  // to the network: offline.js decides what to do when it fails.
});

async function navigate(request, url) {
  var isPost = request.method === "POST";
  var response;
  try {
    response = await fetch(request);
  } catch (error) {
    return fromTablet(request, url);
  }
  var have = await current();
  if (have) {
    if (isPost && url.pathname === have.manifest.finish && response.status < 400) {
      // Finished: from now on no kept page may show an answer, even offline.
      // (Not in turn behind a prepare: the finished page must not wait.)
      generation += 1;
      await forget();
    } else if (!isPost && response.status === 200 && have.manifest.pages.indexOf(url.pathname) !== -1 && !url.search) {
      // A fresh copy of a kept page, for next time.
      var body = await response.clone().text();
      await have.cache.put(url.pathname, copy(body, response));
    }
  }
  return response;
}

// Offline: the kept copy of the page, or the page shown for any other,
// marked so that offline.js knows it came from the tablet.
async function fromTablet(request, url) {
  var have = await current();
  if (!have) {
    return Response.error();
  }
  var found = request.method === "GET" ? await have.cache.match(url.pathname) : null;
  if (!found) {
    found = await have.cache.match(have.manifest.fallback);
  }
  if (!found) {
    return Response.error();
  }
  var html = await found.text();
  var marks = "<html data-from-tablet " + (request.method === "POST" ? "data-after-post " : "");
  return new Response(html.replace("<html ", marks), {
    status: 200,
    headers: { "Content-Type": "text/html; charset=utf-8" },
  });
}

async function file(request) {
  var have = await current();
  if (have) {
    var url = new URL(request.url);
    var found = await have.cache.match(url.pathname + url.search);
    if (found) {
      return found;
    }
  }
  return fetch(request);
}
