// On every page: the session on a shared computer (projects/sessions.py says the rules).
//
// The server sets a cookie scripts can read, the signed-in marker ("<user id>.<end>.<idle
// end>", seconds): whose session this browser holds and until when. From it, without the
// network:
// - what the browser keeps for the app (kept pages, waiting answers, texts being typed)
//   belongs to the marker's person: anyone else's is deleted, and all of it once no session
//   is held, or the session is past its limit;
// - a page of a person who is no longer the one signed in (a tab left open, a page the Back
//   button brings back) leaves, so the next person never reads it;
// - the page warns before the idle limit, typing counts as use, and at the limit the page
//   goes to the login page (what was typed stays on the device for the same person).
(function () {
  "use strict";

  const MARKER = "pmapp_signed_in";
  const PAGES = "pmapp-pages";
  const TYPED = "pmapp-typed:";
  const body = document.body;
  const pageUser = body.dataset.user || "";
  const idleSeconds = Number(body.dataset.idleSeconds || 0);
  const warningSeconds = Number(body.dataset.idleWarningSeconds || 120);
  const textElement = document.getElementById("offline-text");
  const text = textElement ? JSON.parse(textElement.textContent) : {};

  function now() {
    return Date.now() / 1000;
  }

  function marker() {
    const part = document.cookie.split("; ").find(function (cookie) {
      return cookie.indexOf(MARKER + "=") === 0;
    });
    if (!part) {
      return null;
    }
    const values = part.slice(MARKER.length + 1).replace(/"/g, "").split(".").map(Number);
    if (values.length !== 3 || values.some(isNaN)) {
      return null;
    }
    return { user: String(values[0]), endsAt: values[1], idleEndsAt: values[2] };
  }

  // Delete what the browser keeps for anyone but ``keepFor`` (everything without one).
  function forgetDevice(keepFor) {
    const work = [];
    if (!keepFor && "caches" in window) {
      work.push(caches.delete(PAGES).catch(function () {}));
    }
    if (window.pmappOutbox) {
      work.push(window.pmappOutbox.forget(keepFor).catch(function () {}));
    }
    try {
      Object.keys(localStorage).forEach(function (key) {
        if (key.indexOf(TYPED) === 0 && (!keepFor || key.indexOf(TYPED + keepFor + ":") !== 0)) {
          localStorage.removeItem(key);
        }
      });
    } catch (_error) {
      // Storage refused: nothing was kept there.
    }
    return Promise.all(work);
  }

  // Whether this page belongs to the session the browser holds now.
  function pageIsCurrent() {
    const held = marker();
    return Boolean(held) && held.user === pageUser && held.endsAt > now();
  }

  const held = marker();
  const cleared = forgetDevice(!held || held.endsAt <= now() ? null : held.user);

  window.pmappSession = {
    marker: marker,
    forgetDevice: forgetDevice,
    pageIsCurrent: pageIsCurrent,
    cleared: cleared, // what this page deleted on opening, once it is done
  };

  if (!pageUser) {
    return;
  }

  // --- A page of someone who is no longer signed in here ---------------------------------

  function leaveIfNotCurrent() {
    if (pageIsCurrent()) {
      return false;
    }
    location.replace("/");
    return true;
  }

  window.addEventListener("pageshow", function (event) {
    if (event.persisted && !pageIsCurrent()) {
      location.reload(); // brought back by Back or Forward after the session changed
    }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      check();
    }
  });
  window.addEventListener("focus", check);

  // --- Idle time ---------------------------------------------------------------------------

  const warning = document.getElementById("session-warning");
  let telling = null;

  function tellStillHere() {
    if (telling || !navigator.onLine) {
      return telling;
    }
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    const cookie = document.cookie.split("; ").find(function (part) {
      return part.indexOf("csrftoken=") === 0;
    });
    telling = fetch("/accounts/still-here/", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": cookie ? cookie.split("=")[1] : token ? token.value : "",
        "X-Requested-With": "fetch",
      },
    })
      .catch(function () {})
      .then(function () {
        telling = null;
        check();
      });
    return telling;
  }

  // Typing, clicking: use, told to the server as often as it records use (once a minute,
  // or a tenth of the idle time if shorter).
  function used() {
    const held = marker();
    const every = Math.min(60, idleSeconds / 10);
    if (held && held.user === pageUser && idleSeconds && now() - (held.idleEndsAt - idleSeconds) >= every) {
      tellStillHere();
    }
  }

  ["keydown", "input", "pointerdown"].forEach(function (kind) {
    document.addEventListener(kind, used, { capture: true, passive: true });
  });

  if (warning) {
    warning.querySelector("button").addEventListener("click", tellStillHere);
  }

  function check() {
    if (leaveIfNotCurrent()) {
      return;
    }
    const held = marker();
    if (!held || !idleSeconds) {
      return;
    }
    const left = held.idleEndsAt - now();
    if (left <= 0) {
      // Over: the login page says why. What was typed stays for this person
      // (checklist/autosave.js copies it to the device as the page goes).
      location.assign("/accounts/login/?next=" + encodeURIComponent(location.pathname + location.search));
      return;
    }
    if (warning) {
      const showing = left <= warningSeconds;
      if (showing) {
        warning.querySelector("span").textContent = (text.idleWarning || "").replace(
          "%(minutes)s",
          String(Math.max(1, Math.ceil(left / 60)))
        );
      }
      warning.hidden = !showing;
    }
  }

  check();
  setInterval(check, 5000);
})();
