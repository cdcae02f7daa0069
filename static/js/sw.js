// The service worker: keeps the pages a user has opened, and their static files, so that
// they open without a connection. Served by the app at /sw.js (its scope is the app).
//
// - Static files with hashed names never change: served from the cache first (without a
//   hash, as under `make run`, from the network first, so that edits show at once).
// - Pages, and a checklist's guidance that its page fetches: from the network when it
//   answers (and kept), else the copy last kept, else a page saying that this one needs a
//   connection.
// - Anything but GET (answers, decisions, sign-out) goes to the network untouched: the
//   checklist page keeps answers that cannot be sent in the browser and sends them later.
//
// The page clears the kept pages when the user signs out or another user signs in
// (static/js/offline.js): they hold one user's data.
"use strict";

const PAGES = "pmapp-pages"; // one user's pages: forgotten at sign-out
const STATIC = "pmapp-static";
const SHELL = "pmapp-shell"; // the page for pages never opened: no one's data
const OFFLINE_PAGE = "/offline/";

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
  event.waitUntil(self.clients.claim());
});

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

function fromNetworkFirst(request, cacheName) {
  const pages = cacheName === PAGES;
  return fetch(request)
    .then(function (response) {
      if (pages ? isPage(response) : response.ok) {
        const copy = response.clone();
        caches.open(cacheName).then(function (cache) {
          cache.put(request, copy);
        });
      }
      return response;
    })
    .catch(function () {
      return caches.open(cacheName).then(function (cache) {
        return cache.match(request).then(function (kept) {
          if (kept || !pages) {
            return kept || Response.error();
          }
          return caches.match(OFFLINE_PAGE, { cacheName: SHELL });
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
    event.respondWith(hashed ? fromCacheFirst(request) : fromNetworkFirst(request, STATIC));
  } else if (request.mode === "navigate" || /^\/checklists\/\d+\/guidance\/$/.test(url.pathname)) {
    // A checklist's guidance, which its page fetches to show in each item: kept as a page.
    event.respondWith(fromNetworkFirst(request, PAGES));
  }
});
