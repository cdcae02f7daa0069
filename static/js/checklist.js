// The checklist page: each answer is kept in the browser (static/js/outbox.js) as soon as
// it changes, then sent; it says "saved" only once the server has said so. Without a
// connection answers wait, on this device, across reloads and closed tabs, and go in order
// when the connection returns, each through the server's check that nobody changed the
// answer meanwhile. The fields an answer needs open with it; progress, scores and the
// "next" links follow. Without this file the page still works: the Save button posts
// every answer, and the fields an answer needs appear once it is saved.
(function () {
  "use strict";

  const form = document.getElementById("checklist-form");
  if (!form) {
    return;
  }
  const text = JSON.parse(document.getElementById("checklist-text").textContent);
  const user = document.body.dataset.user || "";
  const outbox = window.pmappOutbox;
  const TYPING_DELAY_MS = 800;
  const RETRY_MS = 20000;
  const GAP_RESPONSES = ["partial", "no"];
  const FIELDS = ["comment", "not_applicable_reason", "action_description", "action_owner", "action_due"];

  // Each item's answer id is in its inputs' names (a<id>-version): kept on the item, where
  // the functions below and the outbox find it.
  form.querySelectorAll(".answer").forEach(function (item) {
    const version = item.querySelector("input[name$='-version']");
    if (version) {
      item.dataset.answer = version.name.slice(1, -"-version".length);
    }
  });

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) {
      return String(values[key]);
    });
  }

  function items() {
    return Array.from(form.querySelectorAll(".answer[data-answer]"));
  }

  function itemFor(answer) {
    return form.querySelector(".answer[data-answer='" + answer + "']");
  }

  function prefixOf(item) {
    return "a" + item.dataset.answer;
  }

  function field(item, name) {
    return item.querySelector("[name='" + prefixOf(item) + "-" + name + "']");
  }

  function codeOf(item) {
    return item.querySelector("legend code").textContent;
  }

  function currentResponse(item) {
    const checked = item.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }

  function csrfToken() {
    const cookie = document.cookie.split("; ").find(function (part) {
      return part.indexOf("csrftoken=") === 0;
    });
    return cookie ? cookie.split("=")[1] : document.querySelector("input[name=csrfmiddlewaretoken]").value;
  }

  // --- The fields an answer needs --------------------------------------------------------

  function ensureBlock(item, selector, templateId, wanted) {
    let block = item.querySelector(selector);
    if (!block && wanted) {
      const template = document.getElementById(templateId);
      const holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, item.dataset.answer);
      block = holder.firstElementChild;
      field(item, "version").before(block);
    }
    if (block) {
      block.hidden = !wanted;
    }
    return block;
  }

  function toggleSections(item) {
    const response = currentResponse(item);
    ensureBlock(item, ".na-reason", "na-reason-template", response === "na");
    ensureBlock(item, ".action-point", "action-point-template", GAP_RESPONSES.indexOf(response) !== -1);
  }

  function valueOf(item, name) {
    const input = field(item, name);
    return input ? input.value.trim() : "";
  }

  // The values an item holds, as the server receives them.
  function valuesOf(item) {
    const values = { response: currentResponse(item) };
    FIELDS.forEach(function (name) {
      const input = field(item, name);
      if (input) {
        values[name] = input.value;
      }
    });
    return values;
  }

  function showValues(item, values) {
    item.querySelectorAll("input[type=radio]").forEach(function (radio) {
      radio.checked = radio.value === values.response;
    });
    toggleSections(item);
    FIELDS.forEach(function (name) {
      const input = field(item, name);
      if (input && name in values) {
        input.value = values[name] === null ? "" : values[name];
      }
    });
    const comment = item.querySelector("details.comment");
    if (comment && values.comment) {
      comment.open = true;
    }
  }

  // --- Where each item stands: "next" links, statuses, progress --------------------------

  function stateOf(item) {
    const response = currentResponse(item);
    if (!response) {
      return "unanswered";
    }
    if (response === "na" && !valueOf(item, "not_applicable_reason")) {
      return "blocking";
    }
    if (
      GAP_RESPONSES.indexOf(response) !== -1 &&
      !(valueOf(item, "action_description") && valueOf(item, "action_owner") && valueOf(item, "action_due"))
    ) {
      return "blocking";
    }
    return "ready";
  }

  function updateJumps() {
    [
      ["next-unanswered", "unanswered"],
      ["next-blocking", "blocking"],
    ].forEach(function (pair) {
      const link = document.getElementById(pair[0]);
      if (!link) {
        return;
      }
      const first = items().find(function (item) {
        return item.dataset.state === pair[1];
      });
      link.hidden = !first;
      if (first) {
        link.href = "#" + first.id;
      }
    });
  }

  // "Next" means after the item in view, coming back to the top at the end.
  function jumpToNext(state) {
    const candidates = items().filter(function (item) {
      return item.dataset.state === state;
    });
    if (!candidates.length) {
      return;
    }
    const current = document.activeElement && document.activeElement.closest(".answer");
    let next = null;
    if (current) {
      next = candidates.find(function (item) {
        return current.compareDocumentPosition(item) & Node.DOCUMENT_POSITION_FOLLOWING;
      });
    } else {
      next = candidates.find(function (item) {
        return item.getBoundingClientRect().top > window.innerHeight / 3;
      });
    }
    next = next || candidates[0];
    next.scrollIntoView({ block: "start" });
    const radio = next.querySelector("input[type=radio]:checked") || next.querySelector("input[type=radio]");
    radio.focus({ preventScroll: true });
  }

  // Each item shows its own status; one live region says it to screen readers, with the
  // item's code, so that a page of 100 items has one region to follow, not 100.
  const announcer = document.getElementById("save-announcer");

  function setStatus(item, message, kind) {
    const status = item.querySelector(".save-status");
    status.textContent = message;
    status.classList.remove("is-error", "is-pending", "is-saved", "is-waiting");
    if (kind) {
      status.classList.add("is-" + kind);
    }
    if (announcer && kind !== "pending") {
      announcer.textContent = codeOf(item) + ": " + message;
    }
    return status;
  }

  function renderRating(cell, score) {
    cell.textContent = "";
    const badge = document.createElement("span");
    badge.className = "rating rating-" + score.rating;
    if (score.percent !== null && score.percent !== undefined) {
      const percent = document.createElement("span");
      percent.className = "rating-percent";
      percent.textContent = score.percent + "%";
      badge.appendChild(percent);
      badge.appendChild(document.createTextNode(" "));
    }
    const label = document.createElement("span");
    label.className = "rating-label";
    label.textContent = score.label;
    badge.appendChild(label);
    cell.appendChild(badge);
  }

  function updateProgress(progress) {
    const bar = document.getElementById("progress-bar");
    bar.max = progress.total;
    bar.value = progress.answered;
    document.getElementById("progress-text").textContent = format(text.progress, progress);
    const scores = Object.assign({}, progress.principles || {});
    if (progress.overall) {
      scores.overall = progress.overall;
    }
    Object.keys(scores).forEach(function (code) {
      document.querySelectorAll("[data-score-for='" + code + "']").forEach(function (cell) {
        renderRating(cell, scores[code]);
      });
    });
  }

  // "Offline: 3 answers waiting", or while they go, "3 answers waiting to be sent".
  function updateBanner(count) {
    const banner = document.getElementById("offline-banner");
    if (!banner) {
      return;
    }
    banner.hidden = count === 0;
    if (count) {
      const template = navigator.onLine
        ? count === 1
          ? text.waitingOne
          : text.waitingMany
        : count === 1
          ? text.offlineOne
          : text.offlineMany;
      banner.textContent = format(template, { count: count });
    }
  }

  function refreshBanner() {
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

  // --- Conflicts: someone else changed the answer meanwhile ------------------------------

  function offerChoice(item, record, data) {
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

  // --- Typed, kept, sent ------------------------------------------------------------------
  //
  // A change goes from the page to the device, then to the server:
  // - typed: what the person types is written at once, synchronously, to a copy on the
  //   device (localStorage), so that leaving the page at any moment (a reload, a link,
  //   Submit, a closed tab) keeps it; a text is kept in the outbox when the person pauses;
  // - kept: in the outbox (IndexedDB), one change after another for each item, each with
  //   its own number; the copy goes once the outbox has the latest values;
  // - sent: oldest first, one at a time; the server's reply acknowledges the change it
  //   answers, never a later one. "Saved" shows only when nothing newer waits for the item.

  const TYPED = "pmapp-typed:" + user + ":";
  let changes = 0;
  const typing = new Map(); // item -> timer of a text being typed, not yet kept
  const keeping = new WeakMap(); // item -> the promise of its last change being kept
  const unkept = new WeakMap(); // item -> how many of its changes are not in the outbox yet

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

  function forgetTyped(item) {
    try {
      localStorage.removeItem(typedKey(item));
    } catch (_error) {
      // Nothing was kept.
    }
  }

  // Something of the item is not with the server's reply yet on this page.
  function busy(item) {
    const direct = sending.get(item);
    return typing.has(item) || (unkept.get(item) || 0) > 0 || Boolean(direct && direct.again);
  }

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
  function keep(item, baseVersion) {
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
        if (!busy(item)) {
          forgetTyped(item);
        }
      });
    keeping.set(item, kept);
    return kept;
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

  // The server stored the item's values: its version moves at once (a change kept from now
  // on is based on it), and the item says "Saved" unless something newer waits.
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

  // What the server said about one record; false stops the round (try again later).
  function settle(record, result) {
    const item = itemFor(record.answer);
    const data = result.data;
    if (result.httpStatus === 200) {
      if (item) {
        field(item, "version").value = data.version;
        if (busy(item)) {
          writeTyped(item); // a copy being typed is now based on this version
        }
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

  let flushing = null;
  let flushAgain = false;
  let stopped = false;

  // Someone else is signed in on this browser now: this page sends nothing more, and says so.
  function stopSending(message) {
    stopped = true;
    const banner = document.getElementById("offline-banner");
    if (banner) {
      banner.textContent = message;
      banner.hidden = false;
    }
    items().forEach(function (item) {
      if (busy(item) || item.querySelector(".save-status.is-pending, .save-status.is-waiting")) {
        setStatus(item, format(text.failed, { reason: message }), "error");
      }
    });
  }

  // Send what waits, oldest first; stop at the first failure of the connection. Resolves
  // once the round (and any round asked for meanwhile) is over.
  function flush() {
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

  // Without an outbox (storage refused), an answer goes straight to the server, one save
  // of an item at a time: a change made while one is on its way goes after it, based on
  // the version it gives back.
  const sending = new WeakMap(); // item -> {promise, again}

  function sendDirectly(item) {
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
        if (result.httpStatus === 200) {
          field(item, "version").value = result.data.version;
          return result;
        }
        if (result.data.status === "someone_else") {
          stopSending(result.data.message);
          state.again = false;
          return null;
        }
        if (result.data.status === "conflict" && result.data.yours) {
          field(item, "version").value = result.data.version; // own earlier change: again
          state.again = true;
          return null;
        }
        setStatus(item, format(text.failed, { reason: result.data.message || text.serverError }), "error");
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
          if (!busy(item)) {
            forgetTyped(item);
          }
        }
      });
    return state.promise;
  }

  function changed(item) {
    clearTimeout(typing.get(item));
    typing.delete(item);
    writeTyped(item);
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

  // Every text being typed is kept now, and every change is in the outbox (or, without
  // one, with the server): what Save and Submit wait for.
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

  function waitingCount() {
    if (!outbox) {
      return Promise.resolve(items().filter(busy).length);
    }
    return outbox.list(user).then(function (records) {
      return records.length;
    });
  }

  items().forEach(function (item) {
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
      writeTyped(item);
      setStatus(item, text.notSavedYet, "pending");
      clearTimeout(typing.get(item));
      typing.set(
        item,
        setTimeout(function () {
          changed(item);
        }, TYPING_DELAY_MS)
      );
    });
  });

  [
    ["next-unanswered", "unanswered"],
    ["next-blocking", "blocking"],
  ].forEach(function (pair) {
    const link = document.getElementById(pair[0]);
    if (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        jumpToNext(pair[1]);
      });
    }
  });

  // Save and Submit: Save sends what waits; Submit needs a connection and every answer
  // sent first. Without a connection both say so rather than lose the page.
  let submitter = null;
  form.addEventListener("click", function (event) {
    if (event.target.name === "action") {
      submitter = event.target.value;
    }
  });

  function everythingSent() {
    return keepEverything()
      .then(flush)
      .then(keepEverything) // a change made while the last round went
      .then(waitingCount);
  }

  form.addEventListener("submit", function (event) {
    const message = document.getElementById("action-message");
    if (submitter === "submit" && form.dataset.sending !== "done") {
      event.preventDefault();
      if (!navigator.onLine) {
        keepEverything();
        message.textContent = text.submitNeedsConnection;
        message.hidden = false;
        return;
      }
      everythingSent().then(function (waiting) {
        if (waiting) {
          message.textContent = text.submitWaiting;
          message.hidden = false;
          return;
        }
        form.dataset.sending = "done";
        const action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = "submit";
        form.appendChild(action);
        form.submit();
      });
      return;
    }
    if (submitter !== "submit") {
      event.preventDefault();
      everythingSent().then(function (waiting) {
        message.textContent = waiting ? (navigator.onLine ? text.submitWaiting : text.keptOffline) : text.allSaved;
        message.hidden = false;
      });
    }
  });

  // What the device holds of a text typed on this page before it was left (a copy still
  // not in the outbox): shown again, then kept or sent.
  function restoreTyped() {
    let typed = [];
    try {
      typed = Object.keys(localStorage).filter(function (key) {
        return key.indexOf(TYPED) === 0;
      });
    } catch (_error) {
      return [];
    }
    return typed
      .map(function (key) {
        const copy = JSON.parse(localStorage.getItem(key));
        const item = itemFor(key.slice(TYPED.length));
        if (!item || !copy || copy.checklist !== form.dataset.checklist) {
          return null;
        }
        showValues(item, copy.values);
        item.dataset.state = stateOf(item);
        return { item: item, baseVersion: copy.baseVersion };
      })
      .filter(Boolean);
  }

  // On opening the page: what waits from before (a reload, a closed tab) shows, then goes.
  function restore() {
    const typed = restoreTyped();
    const typedItems = typed.map(function (copy) {
      return copy.item;
    });
    if (!outbox) {
      typed.forEach(function (copy) {
        field(copy.item, "version").value = copy.baseVersion;
        sendDirectly(copy.item);
      });
      updateJumps();
      return Promise.resolve();
    }
    return outbox
      .list(user)
      .then(function (records) {
        records.forEach(function (record) {
          const item = itemFor(record.answer);
          if (!item || record.checklist !== form.dataset.checklist || typedItems.indexOf(item) !== -1) {
            return;
          }
          showValues(item, record.values);
          item.dataset.state = stateOf(item);
          if (record.conflict) {
            offerChoice(item, record, record.conflict);
          } else if (record.invalid) {
            setStatus(item, format(text.failed, { reason: record.invalid }), "error");
          } else {
            setStatus(item, text.waiting, "waiting");
          }
        });
        // A copy is newer than any record of its item: kept as a new change, on the base of
        // the change it replaces.
        return Promise.all(
          typed.map(function (copy) {
            setStatus(copy.item, text.waiting, "waiting");
            return keep(copy.item, copy.baseVersion);
          })
        );
      })
      .then(function () {
        updateJumps();
        return refreshBanner();
      })
      .catch(function () {});
  }

  // Evidence files: "Add evidence" opens an upload right in the item; the link itself leads
  // to the answer's page of files (versions, removal), which works without this script.
  let uploads = 0;

  function openUpload(item, link) {
    let block = item.querySelector(".evidence-upload");
    if (!block) {
      block = document.getElementById("evidence-upload-template").content.firstElementChild.cloneNode(true);
      uploads += 1;
      const input = block.querySelector("input[type=file]");
      input.id = "evidence-upload-" + uploads;
      block.querySelector("label").htmlFor = input.id;
      block.querySelector("a").href = link.getAttribute("href");
      link.after(block);
      block.querySelector("button").addEventListener("click", function () {
        upload(block, link);
      });
    }
    block.querySelector("input[type=file]").focus();
  }

  function upload(block, link) {
    const input = block.querySelector("input[type=file]");
    const status = block.querySelector("[role=status]");
    if (!input.files.length) {
      status.textContent = text.chooseFile;
      return;
    }
    if (!navigator.onLine) {
      status.textContent = text.uploadNeedsConnection;
      return;
    }
    const data = new FormData();
    data.append("file", input.files[0]);
    status.textContent = text.uploading;
    fetch(link.getAttribute("href"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response.json().then(function (json) {
          return { ok: response.ok, json: json };
        });
      })
      .then(function (result) {
        if (!result.ok) {
          status.textContent = format(text.failed, { reason: result.json.error || result.json.detail });
          return;
        }
        status.textContent = result.json.message;
        link.textContent = result.json.link;
        input.value = "";
      })
      .catch(function () {
        status.textContent = format(text.failed, { reason: text.offline });
      });
  }

  form.addEventListener("click", function (event) {
    const link = event.target.closest(".evidence-link");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    openUpload(link.closest(".answer"), link);
  });

  // Guidance: each item links to its text on the checklist's guidance page, and each
  // principle to its good practices there; the links work without this script. The page
  // is fetched once per visit (a 304 when the browser has it; the service worker keeps it
  // for use offline) and each text is shown in its place, as a disclosure, so that reading
  // it never leaves the form.
  const DISCLOSED = [
    { link: "a.guidance-link", text: ".guidance-text", className: "guidance" },
    { link: "a.good-practices-link", text: ".good-practices-list", className: "good-practices small mb-2" },
  ];

  function disclose(link, body, className) {
    const details = document.createElement("details");
    details.className = className;
    const summary = document.createElement("summary");
    summary.textContent = link.textContent;
    details.append(summary, document.adoptNode(body));
    const focused = document.activeElement === link;
    link.replaceWith(details);
    if (focused) {
      summary.focus();
    }
  }

  function showGuidance() {
    const first = document.querySelector("a.guidance-link, a.good-practices-link");
    if (!first) {
      return;
    }
    fetch(first.pathname, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) {
        const guidance = new DOMParser().parseFromString(html, "text/html");
        DISCLOSED.forEach(function (kind) {
          document.querySelectorAll(kind.link).forEach(function (link) {
            const section = guidance.getElementById(decodeURIComponent(link.hash.slice(1)));
            const body = section && section.querySelector(kind.text);
            if (body) {
              disclose(link, body, kind.className);
            }
          });
        });
      })
      .catch(function () {}); // the links still lead to the guidance page
  }

  showGuidance();
  restore().then(function () {
    if (navigator.onLine) {
      flush();
    }
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", refreshBanner);
  setInterval(function () {
    if (navigator.onLine) {
      flush();
    }
  }, RETRY_MS);

  // Leaving the page: what is typed is on the device already (writeTyped). Only a browser
  // that refuses storage altogether asks before losing what it has not sent.
  window.addEventListener("beforeunload", function (event) {
    const unsent = items().filter(busy);
    if (unsent.length && !unsent.every(writeTyped)) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
