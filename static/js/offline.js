// On every page: the service worker that keeps opened pages for use without a connection,
// and signing out, which asks first when answers still wait to be sent (signing out
// deletes them from the device, with everything else kept for the person: session.js).
(function () {
  "use strict";

  const user = document.body.dataset.user || "";
  const textElement = document.getElementById("offline-text");
  const text = textElement ? JSON.parse(textElement.textContent) : {};
  const PAGES = "pmapp-pages";

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) {
      return String(values[key]);
    });
  }

  function forgetPages() {
    return "caches" in window ? caches.delete(PAGES).catch(function () {}) : Promise.resolve();
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () {});
  }

  // The page for pages never opened, kept in the language the user reads now.
  try {
    const language = document.documentElement.lang;
    if ("caches" in window && navigator.onLine && localStorage.getItem("pmapp-offline-language") !== language) {
      caches
        .open("pmapp-shell")
        .then(function (cache) {
          return cache.add("/offline/");
        })
        .then(function () {
          localStorage.setItem("pmapp-offline-language", language);
        })
        .catch(function () {});
    }
  } catch (_error) {
    // Storage refused: the worker keeps the page it fetched when it was installed.
  }

  // Signing out: warn when answers wait to be sent, then forget the kept pages.
  const logout = document.getElementById("logout-form");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      event.preventDefault();
      const outbox = window.pmappOutbox;
      const waiting = outbox ? outbox.list(user) : Promise.resolve([]);
      waiting
        .catch(function () {
          return [];
        })
        .then(function (records) {
          const warning = document.getElementById("logout-warning");
          if (records.length && !logout.dataset.confirmed) {
            logout.dataset.confirmed = "1";
            warning.textContent = format(
              records.length === 1 ? text.signOutWaitingOne : text.signOutWaitingMany,
              { count: records.length }
            );
            warning.hidden = false;
            logout.querySelector("button[type=submit]").textContent = text.signOutAnyway;
            return;
          }
          // The server's answer tells the browser to delete all of it too (Clear-Site-Data);
          // this is for browsers that do not know that header.
          const forgotten = window.pmappSession ? window.pmappSession.forgetDevice(null) : forgetPages();
          forgotten.then(function () {
            logout.submit();
          });
        });
    });
  }

  // Forms that only work online say so instead of failing.
  document.querySelectorAll("form[data-needs-connection]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) {
        return;
      }
      event.preventDefault();
      let message = form.querySelector(".needs-connection");
      if (!message) {
        message = document.createElement("p");
        message.className = "needs-connection alert alert-warning mt-2";
        message.setAttribute("role", "alert");
        form.appendChild(message);
      }
      message.textContent = form.dataset.needsConnection || text.needsConnection;
    });
  });
})();
