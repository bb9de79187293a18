// Service worker of the interview pages: serves them, their stylesheet and scripts from the device's cache when
// there is no connection. The pages put themselves in the cache (static/js/interview.js); logging out empties it.
"use strict";
// the prefix of the caches the pages make, one per wijkteam ("leefwereld-interviews:<team>", see interview.js)
var OFFLINE_CACHE = "leefwereld-interviews";
// Page refreshes still being written to the cache, and whether logging out has begun: once it has, nothing is
// written any more, and logging out waits for the writes under way, so no page comes back into an emptied cache.
var writing = new Set();
var closing = false;

self.addEventListener("message", function (event) {
  if (!event.data || event.data.type !== "logout" || !event.ports[0]) { return; }
  closing = true;
  event.waitUntil(Promise.all(Array.from(writing)).catch(function () {}).then(function () {
    event.ports[0].postMessage("done");
  }));
});

// Keeps a copy of a good answer, but only in a cache the pages made: after logging out (cache deleted) nothing
// comes back, and after a change of team only the current team's cache is there (the pages remove the others).
function keep(request, response) {
  if (response.ok && !response.redirected) {
    var copy = response.clone();
    var write = caches.keys().then(function (names) {
      var name = names.find(function (n) { return n.indexOf(OFFLINE_CACHE + ":") === 0; });
      if (name && !closing) {
        return caches.open(name).then(function (cache) { return cache.put(request, copy); });
      }
    }).catch(function () {}).finally(function () { writing.delete(write); });
    writing.add(write);
  }
  return response;
}

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  var isAsset = url.pathname.indexOf("/assets/") === 0 || url.pathname.indexOf("/static/") === 0;
  var isInterviewPage = url.pathname === "/staff/interviews" || url.pathname === "/staff/interviews/new";
  if (!isAsset && !isInterviewPage) { return; }
  if (isAsset) {
    // assets carry their version in the address or change rarely: the cache first, and an asset fetched from the
    // network is kept, so a page opened before the pages' own caching finished still works without a connection
    event.respondWith(caches.match(request).then(function (hit) {
      return hit || fetch(request).then(function (response) { return keep(request, response); });
    }));
    return;
  }
  // pages: the network first (fresh data), the cached copy when there is no connection
  event.respondWith(fetch(request).then(function (response) {
    return keep(request, response);
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || Response.error(); });
  }));
});
