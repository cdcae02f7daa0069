// The service worker: keeps the pages a user has opened, and their static files, so that
// they open without a connection. Served by the app at /sw.js (its scope is the app).
//
// - Static files with hashed names never change: served from the cache first (without a
//   hash, as under `make run`, from the network first, so that edits show at once).
// - Pages, and a checklist's guidance that its page fetches: from the network when it
//   answers (and kept), else the copy last kept, else a page saying that this one needs a
//   connection. The guidance is asked for with the kept copy's ETag: a 304 serves the copy.
// - Anything but GET (answers, decisions, sign-out) goes to the network untouched: the
//   checklist page keeps answers that cannot be sent in the browser and sends them later.
//
// Kept pages belong to one person and one session (projects/sessions.py): each page says
// whose it is (X-Pmapp-User), and the signed-in marker cookie says whose session this
// browser holds and until when. A kept page is served only to the person whose session is
// held, before its end; once no session is held, or another person's, the worker deletes
// the kept pages and the answers waiting in the outbox. Where the worker cannot read
// cookies, it serves no kept page.
"use strict";

const PAGES = "pmapp-pages"; // one user's pages
const STATIC = "pmapp-static";
const SHELL = "pmapp-shell"; // the page for pages never opened: no one's data
const OFFLINE_PAGE = "/offline/";
const MARKER = "pmapp_signed_in";
const OWNER = "/__kept-for__"; // which person the kept pages belong to

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches
      .open(SHELL)
      .then(function (cache) {
        return cache.add(OFFLINE_PAGE);
      })
      .then(function () {
        return self.skipWaiting();
      })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    heldSession()
      .then(forgetUnlessHeldBy)
      .then(function () {
        return self.clients.claim();
      })
  );
});

// The session the browser holds: {user, endsAt}, null when none (or it is over), undefined
// when the worker cannot tell (no cookie access).
function heldSession() {
  if (!self.cookieStore) {
    return Promise.resolve(undefined);
  }
  return self.cookieStore
    .get(MARKER)
    .then(function (cookie) {
      if (!cookie) {
        return null;
      }
      const values = decodeURIComponent(cookie.value).replace(/"/g, "").split(".").map(Number);
      if (values.length !== 3 || values.some(isNaN) || values[1] * 1000 <= Date.now()) {
        return null;
      }
      return { user: String(values[0]), endsAt: values[1] };
    })
    .catch(function () {
      return undefined;
    });
}

function keptFor() {
  return caches
    .open(PAGES)
    .then(function (cache) {
      return cache.match(OWNER);
    })
    .then(function (response) {
      return response ? response.text() : null;
    });
}

function forgetOutbox(keepFor) {
  return new Promise(function (resolve) {
    const request = indexedDB.open("pmapp", 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore("outbox", { keyPath: "key" }).createIndex("user", "user");
    };
    request.onerror = function () {
      resolve();
    };
    request.onsuccess = function () {
      const database = request.result;
      const transaction = database.transaction("outbox", "readwrite");
      transaction.objectStore("outbox").openCursor().onsuccess = function (event) {
        const cursor = event.target.result;
        if (cursor) {
          if (cursor.value.user !== keepFor) {
            cursor.delete();
          }
          cursor.continue();
        }
      };
      transaction.oncomplete = transaction.onerror = function () {
        database.close();
        resolve();
      };
    };
  });
}

// Delete what is kept for anyone but the person whose session is held.
function forgetUnlessHeldBy(session) {
  if (session === undefined) {
    return Promise.resolve(); // cannot tell: nothing is served, nothing is deleted
  }
  const holder = session ? session.user : null;
  return keptFor()
    .then(function (owner) {
      if (owner !== null && owner !== holder) {
        return caches.delete(PAGES);
      }
    })
    .then(function () {
      return forgetOutbox(holder);
    })
    .catch(function () {});
}

function isPage(response) {
  const type = response.headers.get("Content-Type") || "";
  return response.ok && !response.redirected && type.indexOf("text/html") === 0;
}

function fromCacheFirst(request) {
  return caches.open(STATIC).then(function (cache) {
    return cache.match(request).then(function (kept) {
      if (kept) {
        return kept;
      }
      return fetch(request).then(function (response) {
        if (response.ok) {
          cache.put(request, response.clone());
        }
        return response;
      });
    });
  });
}

function staticFromNetworkFirst(request) {
  return fetch(request)
    .then(function (response) {
      if (response.ok) {
        const copy = response.clone();
        caches.open(STATIC).then(function (cache) {
          cache.put(request, copy);
        });
      }
      return response;
    })
    .catch(function () {
      return caches.match(request, { cacheName: STATIC }).then(function (kept) {
        return kept || Response.error();
      });
    });
}

// Keep a page for the person whose session is held, if it is theirs.
function keep(request, response, session) {
  const owner = response.headers.get("X-Pmapp-User");
  if (!session || !owner || owner !== session.user || !isPage(response)) {
    return Promise.resolve();
  }
  return caches.open(PAGES).then(function (cache) {
    return Promise.all([
      cache.put(request, response),
      cache.put(OWNER, new Response(owner, { headers: { "Content-Type": "text/plain" } })),
    ]);
  });
}

function keptCopy(request, session) {
  if (!session) {
    return Promise.resolve(null);
  }
  return caches.open(PAGES).then(function (cache) {
    return cache.match(request).then(function (kept) {
      return kept && kept.headers.get("X-Pmapp-User") === session.user ? kept : null;
    });
  });
}

function page(request, revalidate) {
  return heldSession().then(function (before) {
    return keptCopy(request, before).then(function (kept) {
      let asked = request;
      const etag = revalidate && kept && kept.headers.get("ETag");
      if (etag) {
        const headers = new Headers(request.headers);
        headers.set("If-None-Match", etag);
        asked = new Request(request, { headers: headers });
      }
      return fetch(asked)
        .then(function (response) {
          if (response.status === 304 && kept) {
            return kept;
          }
          // The answer may have changed the session (a sign-in, the login page): read it again.
          return heldSession().then(function (session) {
            return forgetUnlessHeldBy(session).then(function () {
              return keep(request, response.clone(), session).then(function () {
                return response;
              });
            });
          });
        })
        .catch(function () {
          return forgetUnlessHeldBy(before).then(function () {
            return kept || caches.match(OFFLINE_PAGE, { cacheName: SHELL });
          });
        });
    });
  });
}

self.addEventListener("fetch", function (event) {
  const request = event.request;
  if (request.method !== "GET") {
    return;
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/admin/") === 0) {
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    const hashed = /\.[0-9a-f]{12}\.[a-z0-9]+$/.test(url.pathname);
    event.respondWith(hashed ? fromCacheFirst(request) : staticFromNetworkFirst(request));
  } else if (request.mode === "navigate") {
    event.respondWith(page(request, false));
  } else if (/^\/checklists\/\d+\/guidance\/$/.test(url.pathname)) {
    // A checklist's guidance, which its page fetches to show in each item: kept as a page.
    event.respondWith(page(request, true));
  }
});
