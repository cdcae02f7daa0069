// On every page: the service worker that keeps opened pages for use without a connection,
// and what protects a shared device: kept pages are forgotten when the user signs out or
// another user signs in, and signing out with answers still waiting asks first.
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

  // Another user on this device: nothing kept for the previous one may show.
  try {
    const previous = localStorage.getItem("pmapp-user");
    if (previous !== null && previous !== user) {
      forgetPages();
    }
    localStorage.setItem("pmapp-user", user);
  } catch (_error) {
    // Storage refused (private browsing): nothing was kept either.
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
          forgetPages().then(function () {
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
