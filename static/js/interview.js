// The interview outbox: interviews are kept on the tablet (IndexedDB) until the server confirms them, each with
// its own key so a resend is never a duplicate. Without this file the interview form posts as a normal form.
(function () {
  "use strict";
  var DB_NAME = "leefwereld-outbox";
  // The pages kept on the device are kept per wijkteam: "leefwereld-interviews:<team>" (sw.js writes into it).
  var OFFLINE_CACHE = "leefwereld-interviews";  // the same prefix as in sw.js
  var STORE = "interviews";
  var outbox = document.getElementById("outbox");
  var form = document.querySelector("form[data-offline-form]");

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, action) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = action(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result !== undefined ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  var put = function (entry) { return withStore("readwrite", function (s) { return s.put(entry); }); };
  var remove = function (key) { return withStore("readwrite", function (s) { return s.delete(key); }); };
  var all = function () { return withStore("readonly", function (s) { return s.getAll(); }); };

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function render() {
    if (!outbox) { return Promise.resolve(); }
    return all().then(function (entries) {
      var list = outbox.querySelector("ul");
      list.textContent = "";
      entries.forEach(function (entry) {
        var item = document.createElement("li");
        var message = outbox.dataset["msg" + entry.status.charAt(0).toUpperCase() + entry.status.slice(1)] ||
          outbox.dataset.msgWaiting;
        item.textContent = entry.title + " – " + message;
        if (entry.errors) { item.textContent += " " + entry.errors; }
        if (entry.status === "invalid" && form && form.querySelector("input[name=instrument]").value === entry.instrument) {
          var open = document.createElement("button");
          open.type = "button";
          open.className = "lw-button lw-button--secondary";
          open.textContent = outbox.dataset.msgOpen;
          open.addEventListener("click", function () { fill(entry); });
          item.appendChild(document.createTextNode(" "));
          item.appendChild(open);
        }
        list.appendChild(item);
      });
      outbox.hidden = entries.length === 0;
    });
  }

  function fill(entry) {
    form.reset();
    entry.fields.forEach(function (pair) {
      form.querySelectorAll("[name='" + CSS.escape(pair[0]) + "']").forEach(function (input) {
        if (input.type === "radio" || input.type === "checkbox") {
          if (input.value === pair[1]) { input.checked = true; }
        } else if (input.name !== "csrf_token" && input.name !== "team") {
          // the team stays the one of this page: opened again, an interview the server refused for a team the worker
          // has left is saved for their current team
          input.value = pair[1];
        }
      });
    });
    form.scrollIntoView();
  }

  function freshToken() {
    return fetch(outbox.dataset.syncUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { throw { status: "login" }; }
        if (!response.ok) { throw { status: "waiting" }; }
        return response.json();
      })
      .then(function (data) { return data.csrf_token; });
  }

  // Send every waiting interview; resolves with the server's answers per key.
  var flushing = null;
  function flush() {
    if (!outbox) { return Promise.resolve({}); }
    if (flushing) { return flushing; }
    var results = {};
    flushing = all().then(function (entries) {
      var waiting = entries.filter(function (e) { return e.status !== "conflict"; });
      if (!waiting.length) { return results; }
      return freshToken().then(function (token) {
        return waiting.reduce(function (chain, entry) {
          return chain.then(function () { return send(entry, token, results); });
        }, Promise.resolve());
      }, function (problem) {
        return Promise.all(waiting.map(function (entry) {
          entry.status = problem.status === "login" ? "login" : "offline";
          return put(entry);
        }));
      }).then(function () { return results; });
    }).finally(function () { flushing = null; return render(); });
    return flushing;
  }

  function send(entry, token, results) {
    var fields = entry.fields.map(function (pair) { return pair[0] === "csrf_token" ? ["csrf_token", token] : pair; });
    return fetch(outbox.dataset.syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ fields: fields })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        results[entry.key] = { code: response.status, data: data };
        if (response.status === 200 || response.status === 201) { return remove(entry.key); }
        entry.status = response.status === 401 ? "login" : response.status === 409 ? "conflict" :
          response.status === 422 || response.status === 400 ? "invalid" : "offline";
        entry.errors = data.errors ? Object.keys(data.errors).map(function (k) { return data.errors[k].join(" "); }).join(" ") : null;
        return put(entry);
      });
    }, function () {
      entry.status = "offline";
      results[entry.key] = { code: 0 };
      return put(entry);
    });
  }

  function title(fields) {
    var get = function (name) { var p = fields.find(function (f) { return f[0] === name; }); return p ? p[1] : ""; };
    var buurt = form.querySelector("select[name=buurt]");
    var option = buurt && buurt.selectedOptions[0];
    return [get("conducted_on"), option ? option.textContent : "", get("client_code")].filter(Boolean).join(", ");
  }

  if (form) {
    var keyField = form.querySelector("input[name=sync_key]");
    // A page from the device's cache would give every interview the same key: each new form gets its own.
    if (!form.hasAttribute("data-keep-key")) { keyField.value = newKey(); }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fields = [];
      new FormData(form).forEach(function (value, name) { fields.push([name, String(value)]); });
      var entry = {
        key: keyField.value, instrument: form.querySelector("input[name=instrument]").value,
        title: title(fields), fields: fields, status: "waiting", errors: null, savedAt: Date.now()
      };
      put(entry).then(flush).then(function (results) {
        var result = results[entry.key];
        if (result && (result.code === 200 || result.code === 201)) {
          window.location.assign(result.data.url);
        } else if (result && result.code === 422) {
          // online, but the server has remarks: let it show them next to the fields, with everything kept
          remove(entry.key).then(function () { form.submit(); });
        } else {
          form.reset();
          keyField.value = newKey();
          var saved = document.getElementById("saved-offline");
          saved.hidden = false;
          saved.focus();
        }
      });
    });
  }

  // Logging out removes interviews and pages kept on this device (after a warning when some are not sent yet).
  document.querySelectorAll("form[data-clears-device]").forEach(function (logout) {
    logout.addEventListener("submit", function (event) {
      if (logout.dataset.cleared) { return; }
      event.preventDefault();
      all().catch(function () { return []; }).then(function (entries) {
        if (entries.length) {
          // the language's own plural form: {"one": ..., "few": ..., "other": ...} (interviews.views.unsent_warnings)
          var forms = JSON.parse(logout.dataset.msgUnsent);
          var message = forms[new Intl.PluralRules(document.documentElement.lang).select(entries.length)] || forms.other;
          if (!window.confirm(message.replace("%(n)s", entries.length))) { return; }
        }
        // the service worker goes first: it stops writing and finishes what it was writing, so it cannot put a
        // page back into the cache being emptied; then it is unregistered
        var worker = navigator.serviceWorker && navigator.serviceWorker.controller;
        var settled = worker ? new Promise(function (resolve) {
          var channel = new MessageChannel();
          channel.port1.onmessage = function () { resolve(); };
          worker.postMessage({ type: "logout" }, [channel.port2]);
          setTimeout(resolve, 2000);  // a worker that does not answer does not keep anyone logged in
        }) : Promise.resolve();
        var unregistering = settled.then(function () {
          return navigator.serviceWorker ? navigator.serviceWorker.getRegistrations().then(function (rs) {
            return Promise.all(rs.map(function (r) { return r.unregister(); }));
          }) : null;
        });
        var clearing = unregistering.then(function () {
          return Promise.all([
            new Promise(function (resolve) {
              var request = indexedDB.deleteDatabase(DB_NAME);
              request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
            }),
            window.caches ? caches.keys().then(function (names) {
              return Promise.all(names.map(function (name) { return caches.delete(name); }));
            }) : null
          ]);
        });
        // logging out never waits on the device for long: the server's answer clears what is left (Clear-Site-Data)
        Promise.race([clearing, new Promise(function (resolve) { setTimeout(resolve, 5000); })])
          .finally(function () { logout.dataset.cleared = "1"; logout.submit(); });
      });
    });
  });

  // Every staff page says the team of the person logged in now. Pages kept for another team (the worker moved, or
  // someone else used this device) must not be served from here any more: they go. The outbox stays: its interviews
  // are sent, and the server decides whether they may still be added to the team they were taken for.
  var staffForm = document.querySelector("form[data-clears-device]");
  var teamCache = staffForm ? OFFLINE_CACHE + ":" + staffForm.dataset.team : null;
  function dropOtherTeams() {
    if (!staffForm || !window.caches) { return Promise.resolve(); }
    return caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf(OFFLINE_CACHE) === 0 && name !== teamCache;
      }).map(function (name) { return caches.delete(name); }));
    }).catch(function () {});
  }
  var othersGone = dropOtherTeams();

  // The interview pages and what they need, kept on the device so an interview can start without a connection.
  if ("serviceWorker" in navigator && outbox && teamCache) {
    othersGone.then(function () {
      return navigator.serviceWorker.register("/staff/sw.js", { scope: "/staff/" });
    }).then(function () {
      var urls = [window.location.pathname + window.location.search];
      document.querySelectorAll("a[data-offline-page]").forEach(function (a) { urls.push(a.getAttribute("href")); });
      document.querySelectorAll("link[rel=stylesheet], script[src]").forEach(function (el) {
        urls.push(el.getAttribute("href") || el.getAttribute("src"));
      });
      // once more afterwards: the service worker may have been writing this page into the old cache meanwhile
      return caches.open(teamCache).then(function (cache) { return cache.addAll(urls); }).then(dropOtherTeams);
    }).catch(function () { /* without a service worker the pages still work online */ });
  }
  window.addEventListener("online", flush);
  flush();
})();
