// Sending what the outbox keeps: oldest first, one at a time; the server's reply
// acknowledges the change it answers, never a later one. Without an outbox (storage
// refused) each item's changes go straight to the server, one save at a time.
import {
  csrfToken,
  field,
  form,
  format,
  items,
  itemFor,
  showValues,
  stateOf,
  text,
  user,
  valuesOf,
} from "./items.js";
import { busy, sending } from "./pending.js";
import { sayInBanner, setStatus, updateBanner, updateJumps, updateProgress } from "./progress.js";

const outbox = window.pmappOutbox;
let flushing = null;
let flushAgain = false;
let stopped = false;

export function refreshBanner() {
  if (!outbox || stopped) {
    return Promise.resolve();
  }
  return outbox
    .list(user)
    .then(function (records) {
      updateBanner(records.length);
    })
    .catch(function () {});
}

function send(record) {
  const data = new FormData();
  const prefix = "a" + record.answer + "-";
  Object.keys(record.values).forEach(function (name) {
    data.append(prefix + name, record.values[name]);
  });
  data.append(prefix + "version", record.baseVersion);
  data.append("signed_in_as", record.user || user); // refused under anyone else's session
  return fetch(record.url, {
    method: "POST",
    body: data,
    credentials: "same-origin",
    headers: {
      "X-CSRFToken": csrfToken(),
      "X-Requested-With": "fetch",
      Accept: "application/json",
    },
  }).then(function (response) {
    const type = response.headers.get("Content-Type") || "";
    if (response.redirected || type.indexOf("application/json") === -1) {
      return { httpStatus: response.status, data: { status: "session", message: text.sessionEnded } };
    }
    return response.json().then(function (json) {
      return { httpStatus: response.status, data: json };
    });
  });
}

// The server stored the item's values: the item says "Saved" unless something newer waits.
function stored(item, data, newer) {
  if (!item) {
    return;
  }
  if (!newer && !busy(item)) {
    setStatus(item, format(text.saved, { time: data.saved_at || "" }), "saved");
    item.classList.remove("has-problem");
  }
  if (data.progress) {
    updateProgress(data.progress);
  }
}

// Someone else is signed in on this browser now: this page sends nothing more, and says so.
function stopSending(message) {
  stopped = true;
  sayInBanner(message);
  items().forEach(function (item) {
    if (busy(item) || item.querySelector(".save-status.is-pending, .save-status.is-waiting")) {
      setStatus(item, format(text.failed, { reason: message }), "error");
    }
  });
}

// Someone else changed the answer meanwhile: the person chooses.
export function offerChoice(item, record, data) {
  const status = setStatus(item, data.message + " ", "error");
  const keepMine = document.createElement("button");
  keepMine.type = "button";
  keepMine.className = "btn btn-sm btn-outline-primary me-1";
  keepMine.textContent = text.keepMine;
  keepMine.addEventListener("click", function () {
    outbox
      .mark(user, record.answer, record.change, { baseVersion: data.version, conflict: null })
      .then(flush);
  });
  const useTheirs = document.createElement("button");
  useTheirs.type = "button";
  useTheirs.className = "btn btn-sm btn-outline-secondary";
  useTheirs.textContent = text.useTheirs;
  useTheirs.addEventListener("click", function () {
    showValues(item, data.values);
    field(item, "version").value = data.version;
    item.dataset.state = stateOf(item);
    updateJumps();
    outbox.discard(user, record.answer, record.change).then(refreshBanner);
    setStatus(item, text.tookTheirs, "saved");
  });
  status.appendChild(keepMine);
  status.appendChild(useTheirs);
  keepMine.focus();
}

// What the server said about one record; false stops the round (try again later).
function settle(record, result) {
  const item = itemFor(record.answer);
  const data = result.data;
  if (result.httpStatus === 200) {
    if (item) {
      field(item, "version").value = data.version; // a change kept from now on is based on it
    }
    return outbox.acknowledge(user, record.answer, record.change, data.version).then(function (state) {
      stored(item, data, state === "newer");
      return true;
    });
  }
  if (data.status === "conflict" && data.yours) {
    // The newer version on the server is this person's own earlier change: this one,
    // newer still, goes again on top of it.
    return outbox.mark(user, record.answer, record.change, { baseVersion: data.version }).then(function () {
      flushAgain = true;
      return true;
    });
  }
  if (data.status === "conflict") {
    return outbox.mark(user, record.answer, record.change, { conflict: data }).then(function (still) {
      if (item && still) {
        offerChoice(item, record, data);
      }
      return true;
    });
  }
  if (data.status === "someone_else") {
    stopSending(data.message);
    return false;
  }
  if (data.status === "session" || result.httpStatus === 403) {
    if (item) {
      setStatus(item, format(text.failed, { reason: data.message || text.sessionEnded }), "error");
    }
    return false;
  }
  if (result.httpStatus >= 500) {
    if (item) {
      setStatus(item, format(text.notSentYet, { reason: text.serverError }), "waiting");
    }
    return false;
  }
  // Refused (a value the server does not accept, or a checklist no longer editable):
  // kept, with the reason, until the user changes the answer again.
  const reason = data.message || text.serverError;
  return outbox.mark(user, record.answer, record.change, { invalid: reason }).then(function (still) {
    if (item && still) {
      setStatus(item, format(text.failed, { reason: reason }), "error");
    }
    return true;
  });
}

function ready(record) {
  return Boolean(record) && !record.conflict && !record.invalid;
}

// Send one answer's record as it stands now: a change kept since the round began goes
// instead of the one listed.
function sendLatest(listed) {
  return outbox.get(user, listed.answer).then(function (record) {
    if (!ready(record)) {
      return true;
    }
    const item = itemFor(record.answer);
    if (item) {
      setStatus(item, text.saving, "pending");
    }
    return send(record)
      .then(function (result) {
        return settle(record, result);
      })
      .catch(function () {
        if (item) {
          setStatus(item, text.waiting, "waiting");
        }
        return false;
      });
  });
}

// Send what waits, oldest first; stop at the first failure of the connection. Resolves
// once the round (and any round asked for meanwhile) is over.
export function flush() {
  if (stopped) {
    return Promise.resolve();
  }
  if (!outbox || !navigator.onLine) {
    return refreshBanner(); // offline: everything waits; the "online" event sends it
  }
  if (flushing) {
    flushAgain = true;
    return flushing;
  }
  flushing = outbox
    .list(user)
    .then(function (records) {
      return records.filter(ready).reduce(function (previous, record) {
        return previous.then(function (going) {
          return going ? sendLatest(record) : false;
        });
      }, Promise.resolve(true));
    })
    .catch(function () {})
    .then(function () {
      flushing = null;
      if (flushAgain) {
        flushAgain = false;
        return flush();
      }
      return refreshBanner();
    });
  return flushing;
}

// Without an outbox: one save of an item at a time; a change made while one is on its way
// goes after it, based on the version it gives back.
export function sendDirectly(item) {
  if (stopped) {
    return Promise.resolve();
  }
  const current = sending.get(item);
  if (current) {
    current.again = true;
    return current.promise;
  }
  const state = { again: false };
  sending.set(item, state);
  const record = {
    answer: item.dataset.answer,
    url: form.dataset.saveBase + item.dataset.answer + "/",
    values: valuesOf(item),
    baseVersion: field(item, "version").value,
  };
  setStatus(item, text.saving, "pending");
  state.promise = send(record)
    .then(function (result) {
      const data = result.data;
      if (result.httpStatus === 200) {
        field(item, "version").value = data.version;
        return result;
      }
      if (data.status === "someone_else") {
        stopSending(data.message);
        state.again = false;
      } else if (data.status === "conflict" && data.yours) {
        field(item, "version").value = data.version; // own earlier change: again on it
        state.again = true;
      } else {
        setStatus(item, format(text.failed, { reason: data.message || text.serverError }), "error");
      }
      return null;
    })
    .catch(function () {
      setStatus(item, format(text.failed, { reason: text.offline }), "error");
      return null;
    })
    .then(function (result) {
      sending.delete(item);
      if (state.again) {
        return sendDirectly(item);
      }
      if (result) {
        stored(item, result.data, false);
      }
    });
  return state.promise;
}

