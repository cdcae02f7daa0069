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
    if (!outbox) {
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
      record.baseVersion = data.version;
      record.conflict = null;
      outbox.put(record).then(flush);
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
      outbox.remove(user, record.answer).then(refreshBanner);
      setStatus(item, text.tookTheirs, "saved");
    });
    status.appendChild(keepMine);
    status.appendChild(useTheirs);
    keepMine.focus();
  }

  // --- Keeping and sending ---------------------------------------------------------------

  // Every change gets its own number, so that a reply to an older change never removes a
  // newer one; changes of one item are kept one after the other, never interleaved.
  let changes = 0;
  const keeping = new WeakMap();
  const unkept = new WeakMap(); // changes of an item not yet in the outbox

  function keep(item) {
    const previous = keeping.get(item) || Promise.resolve();
    unkept.set(item, (unkept.get(item) || 0) + 1);
    const kept = previous
      .catch(function () {})
      .then(function () {
        return keepNow(item);
      })
      .finally(function () {
        unkept.set(item, unkept.get(item) - 1);
      });
    keeping.set(item, kept);
    return kept;
  }

  function keepNow(item) {
    const answer = item.dataset.answer;
    changes += 1;
    const change = Date.now() * 1000 + (changes % 1000);
    return outbox.get(user, answer).then(function (existing) {
      const record = {
        user: user,
        answer: answer,
        checklist: form.dataset.checklist,
        url: form.dataset.saveBase + answer + "/",
        values: valuesOf(item),
        // The version the server last acknowledged: what the change is based on.
        baseVersion: existing ? existing.baseVersion : field(item, "version").value,
        queuedAt: existing ? existing.queuedAt : Date.now(),
        change: change,
      };
      return outbox.put(record);
    });
  }

  // The version the server gave back for this user's own last save of each answer: a later
  // change of the same answer is based on it, even when it was kept before the reply came.
  const acknowledged = {};

  function send(record) {
    const data = new FormData();
    const prefix = "a" + record.answer + "-";
    Object.keys(record.values).forEach(function (name) {
      data.append(prefix + name, record.values[name]);
    });
    const base = Math.max(Number(record.baseVersion) || 0, acknowledged[record.answer] || 0);
    data.append(prefix + "version", base);
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

  // What the server said about one record; false stops the round (try again later).
  function settle(record, result) {
    const item = itemFor(record.answer);
    const data = result.data;
    if (result.httpStatus === 200) {
      acknowledged[record.answer] = Math.max(acknowledged[record.answer] || 0, data.version);
      return outbox.get(user, record.answer).then(function (current) {
        const done =
          current && current.change === record.change
            ? outbox.remove(user, record.answer)
            : current
              ? outbox.put(Object.assign(current, { baseVersion: data.version }))
              : Promise.resolve();
        return done.then(function () {
          if (item) {
            field(item, "version").value = data.version;
            const newer = (current && current.change !== record.change) || unkept.get(item) > 0;
            if (!newer) {
              setStatus(item, format(text.saved, { time: data.saved_at || "" }), "saved");
              item.classList.remove("has-problem");
            }
            if (data.progress) {
              updateProgress(data.progress);
            }
          }
          return true;
        });
      });
    }
    if (data.status === "conflict") {
      record.conflict = data;
      return outbox.put(record).then(function () {
        if (item) {
          offerChoice(item, record, data);
        }
        return true;
      });
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
    record.invalid = data.message || text.serverError;
    return outbox.put(record).then(function () {
      if (item) {
        setStatus(item, format(text.failed, { reason: record.invalid }), "error");
      }
      return true;
    });
  }

  let flushing = false;
  let flushAgain = false;

  // Send what waits, oldest first; stop at the first failure of the connection.
  function flush() {
    if (!outbox || !navigator.onLine) {
      return refreshBanner(); // offline: everything waits; the "online" event sends it
    }
    if (flushing) {
      flushAgain = true;
      return Promise.resolve();
    }
    flushing = true;
    return outbox
      .list(user)
      .then(function (records) {
        const ready = records.filter(function (record) {
          return !record.conflict && !record.invalid;
        });
        return ready.reduce(function (previous, record) {
          return previous.then(function (going) {
            if (!going) {
              return false;
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
        }, Promise.resolve(true));
      })
      .catch(function () {})
      .then(function () {
        flushing = false;
        return refreshBanner();
      })
      .then(function () {
        if (flushAgain) {
          flushAgain = false;
          return flush();
        }
      });
  }

  // Without an outbox (storage refused), an answer goes straight to the server.
  function sendDirectly(item) {
    const record = {
      answer: item.dataset.answer,
      url: form.dataset.saveBase + item.dataset.answer + "/",
      values: valuesOf(item),
      baseVersion: field(item, "version").value,
    };
    setStatus(item, text.saving, "pending");
    return send(record)
      .then(function (result) {
        if (result.httpStatus === 200) {
          field(item, "version").value = result.data.version;
          setStatus(item, format(text.saved, { time: result.data.saved_at || "" }), "saved");
          if (result.data.progress) {
            updateProgress(result.data.progress);
          }
        } else {
          setStatus(item, format(text.failed, { reason: result.data.message || text.serverError }), "error");
        }
      })
      .catch(function () {
        setStatus(item, format(text.failed, { reason: text.offline }), "error");
      });
  }

  const typing = new WeakMap();

  function changed(item) {
    item.dataset.state = stateOf(item);
    updateJumps();
    if (!outbox) {
      return sendDirectly(item);
    }
    // Never "saved" while a change is on its way to the outbox.
    setStatus(item, navigator.onLine ? text.saving : text.waiting, navigator.onLine ? "pending" : "waiting");
    return keep(item)
      .then(function () {
        setStatus(item, navigator.onLine ? text.saving : text.waiting, navigator.onLine ? "pending" : "waiting");
        return refreshBanner();
      })
      .then(flush)
      .catch(function () {
        return sendDirectly(item);
      });
  }

  items().forEach(function (item) {
    item.dataset.state = stateOf(item);
    item.addEventListener("change", function (event) {
      if (event.target.type === "radio") {
        toggleSections(item);
      }
      clearTimeout(typing.get(item));
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
  form.addEventListener("submit", function (event) {
    const message = document.getElementById("action-message");
    if (submitter === "submit" && form.dataset.sending !== "done") {
      event.preventDefault();
      if (!navigator.onLine) {
        message.textContent = text.submitNeedsConnection;
        message.hidden = false;
        return;
      }
      flush().then(function () {
        return outbox ? outbox.list(user) : [];
      }).then(function (records) {
        if (records.length) {
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
      flush().then(function () {
        return outbox ? outbox.list(user) : [];
      }).then(function (records) {
        message.textContent = records.length ? (navigator.onLine ? text.submitWaiting : text.keptOffline) : text.allSaved;
        message.hidden = false;
      });
    }
  });

  // On opening the page: what waits from before (a reload, a closed tab) shows, then goes.
  function restore() {
    if (!outbox) {
      return Promise.resolve();
    }
    return outbox
      .list(user)
      .then(function (records) {
        records.forEach(function (record) {
          const item = itemFor(record.answer);
          if (!item || record.checklist !== form.dataset.checklist) {
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
        updateJumps();
        updateBanner(records.length);
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

  // Only text still being typed (not yet kept) would be lost by leaving the page.
  window.addEventListener("beforeunload", function (event) {
    if (items().some(function (item) {
      return item.querySelector(".save-status.is-pending") && typing.get(item);
    })) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
