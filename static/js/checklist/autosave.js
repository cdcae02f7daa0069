// Autosave: each change of an answer goes from the page to the device, then to the server.
// - typed: a text is kept in the outbox when the person pauses; a page left before that
//   (a reload, a link, Submit, a closed tab) writes what is typed to a copy on the device
//   (localStorage, synchronously, as the page goes), which the next page keeps;
// - kept: in the outbox (IndexedDB, static/js/outbox.js), one change after another for
//   each item, each with its own number;
// - sent: oldest first, one at a time; the server's reply acknowledges the change it
//   answers, never a later one. "Saved" shows only when nothing newer waits for the item.
// Without an outbox (storage refused) each item's changes go straight to the server, one
// save at a time.
import { field, form, items, stateOf, text, toggleSections, user, valuesOf } from "./items.js";
import { busy, keeping, sending, typing, unkept } from "./pending.js";
import { setStatus, updateJumps } from "./progress.js";
import { flush, refreshBanner, sendDirectly } from "./sending.js";

const outbox = window.pmappOutbox;
const TYPING_DELAY_MS = 800;
export const TYPED = "pmapp-typed:" + user + ":";
let changes = 0;

// --- The copy left on the device when the page goes -------------------------------------

function typedKey(item) {
  return TYPED + item.dataset.answer;
}

// Returns whether the device holds the copy (false: storage refused).
function writeTyped(item) {
  try {
    localStorage.setItem(
      typedKey(item),
      JSON.stringify({
        checklist: form.dataset.checklist,
        values: valuesOf(item),
        baseVersion: field(item, "version").value,
      })
    );
    return true;
  } catch (_error) {
    return false;
  }
}

export function forgetTyped(item) {
  try {
    localStorage.removeItem(typedKey(item));
  } catch (_error) {
    // Nothing was kept.
  }
}

// The page goes: what is not in the outbox yet is copied to the device. Only a browser that
// refuses storage altogether asks before losing what it has not sent.
export function leaving(event) {
  const unsent = items().filter(busy);
  if (unsent.length && !unsent.every(writeTyped) && event.type === "beforeunload") {
    event.preventDefault();
    event.returnValue = "";
  }
}

// --- Kept --------------------------------------------------------------------------------

function nextChange() {
  changes += 1;
  return Date.now() * 1000 + (changes % 1000);
}

function recordOf(item) {
  const answer = item.dataset.answer;
  return {
    user: user,
    answer: answer,
    checklist: form.dataset.checklist,
    url: form.dataset.saveBase + answer + "/",
    values: valuesOf(item),
    change: nextChange(),
  };
}

// Keep the item's values as they are when its turn comes: after its previous change.
// Without a change waiting, it is based on ``baseVersion`` when given (the version a copy
// left on the device was typed on), else on the version the page has from the server.
export function keep(item, baseVersion) {
  const previous = keeping.get(item) || Promise.resolve();
  unkept.set(item, (unkept.get(item) || 0) + 1);
  const kept = previous
    .catch(function () {})
    .then(function () {
      return outbox.keep(recordOf(item), function () {
        return baseVersion === undefined ? field(item, "version").value : baseVersion;
      });
    })
    .finally(function () {
      unkept.set(item, unkept.get(item) - 1);
    });
  keeping.set(item, kept);
  return kept;
}

// --- Changes -------------------------------------------------------------------------------

export function changed(item) {
  clearTimeout(typing.get(item));
  typing.delete(item);
  item.dataset.state = stateOf(item);
  updateJumps();
  if (!outbox) {
    return sendDirectly(item);
  }
  // Never "saved" while a change is on its way to the outbox.
  setStatus(item, navigator.onLine ? text.saving : text.waiting, navigator.onLine ? "pending" : "waiting");
  return keep(item)
    .then(refreshBanner)
    .then(flush)
    .catch(function () {
      return sendDirectly(item);
    });
}

export function listen(item) {
  item.dataset.state = stateOf(item);
  item.addEventListener("change", function (event) {
    if (event.target.type === "radio") {
      toggleSections(item);
    }
    changed(item);
  });
  item.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") {
      return;
    }
    setStatus(item, text.notSavedYet, "pending");
    clearTimeout(typing.get(item));
    typing.set(
      item,
      setTimeout(function () {
        changed(item);
      }, TYPING_DELAY_MS)
    );
  });
}

// Every text being typed is kept now, every change is in the outbox (or, without one, with
// the server), and what waits is sent: resolves with how many answers still wait.
export function everythingSent() {
  function keepEverything() {
    return Promise.all(
      items().map(function (item) {
        if (typing.has(item)) {
          changed(item);
        }
        const direct = sending.get(item);
        return Promise.all([keeping.get(item), direct && direct.promise]).catch(function () {});
      })
    );
  }
  return keepEverything()
    .then(flush)
    .then(keepEverything) // a change made while the last round went
    .then(function () {
      if (!outbox) {
        return items().filter(busy).length;
      }
      return outbox.list(user).then(function (records) {
        return records.length;
      });
    });
}
