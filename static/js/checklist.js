// The checklist page: each answer saves as soon as it changes and says so in words; the
// fields an answer needs (why it does not apply, the action point) open with it; progress,
// scores and the "next" links follow. Without this file the page still works: the Save
// button posts every answer, and the fields an answer needs appear once it is saved.
(function () {
  "use strict";

  const form = document.getElementById("checklist-form");
  if (!form) {
    return;
  }
  const text = JSON.parse(document.getElementById("checklist-text").textContent);
  const csrfToken = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const TYPING_DELAY_MS = 800;
  const MAX_RETRY_DELAY_MS = 60000;
  const GAP_RESPONSES = ["partial", "no"];

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) {
      return String(values[key]);
    });
  }

  function items() {
    return Array.from(form.querySelectorAll(".answer[data-answer]"));
  }

  function prefixOf(item) {
    return "a" + item.dataset.answer;
  }

  function field(item, name) {
    return item.querySelector("[name='" + prefixOf(item) + "-" + name + "']");
  }

  function currentResponse(item) {
    const checked = item.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }

  // The reason and the action point: added from the page's templates when an answer needs
  // them, hidden (values kept) when it no longer does.
  function ensureBlock(item, selector, templateId, wanted) {
    let block = item.querySelector(selector);
    if (!block && wanted) {
      const template = document.getElementById(templateId);
      const html = template.innerHTML.replace(/__prefix__/g, item.dataset.answer);
      const holder = document.createElement("div");
      holder.innerHTML = html;
      block = holder.firstElementChild;
      item.querySelector("input[name$='-version']").before(block);
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

  // What the "next" links look for: the same rules as the server's submission check.
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
    if (announcer && kind !== "pending") {
      announcer.textContent = item.querySelector("legend code").textContent + ": " + message;
    }
    status.classList.remove("is-error", "is-pending", "is-saved");
    if (kind) {
      status.classList.add("is-" + kind);
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

  function offerChoice(item, data) {
    const status = setStatus(item, data.message + " ", "error");
    const keepMine = document.createElement("button");
    keepMine.type = "button";
    keepMine.className = "btn btn-sm btn-outline-primary me-1";
    keepMine.textContent = text.keepMine;
    keepMine.addEventListener("click", function () {
      field(item, "version").value = data.version;
      save(item);
    });
    const useTheirs = document.createElement("button");
    useTheirs.type = "button";
    useTheirs.className = "btn btn-sm btn-outline-secondary";
    useTheirs.textContent = text.useTheirs;
    useTheirs.addEventListener("click", function () {
      const values = data.values;
      item.querySelectorAll("input[type=radio]").forEach(function (radio) {
        radio.checked = radio.value === values.response;
      });
      toggleSections(item);
      ["comment", "not_applicable_reason", "action_description", "action_owner", "action_due"].forEach(
        function (name) {
          const input = field(item, name);
          if (input) {
            input.value = values[name] === null ? "" : values[name];
          }
        }
      );
      field(item, "version").value = data.version;
      item.dataset.state = stateOf(item);
      updateJumps();
      setStatus(item, text.tookTheirs, "saved");
    });
    status.appendChild(keepMine);
    status.appendChild(useTheirs);
    keepMine.focus();
  }

  const state = new WeakMap();

  function saveState(item) {
    if (!state.has(item)) {
      state.set(item, { inFlight: false, again: false, timer: null, retryDelay: 2000 });
    }
    return state.get(item);
  }

  function scheduleRetry(item, reason) {
    const itemState = saveState(item);
    const seconds = Math.round(itemState.retryDelay / 1000);
    setStatus(item, format(text.retrying, { reason: reason, seconds: seconds }), "pending");
    clearTimeout(itemState.timer);
    itemState.timer = setTimeout(function () {
      save(item);
    }, itemState.retryDelay);
    itemState.retryDelay = Math.min(itemState.retryDelay * 2, MAX_RETRY_DELAY_MS);
  }

  function body(item) {
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken);
    const prefix = prefixOf(item) + "-";
    item.querySelectorAll("input, select, textarea").forEach(function (input) {
      if (!input.name || input.name.indexOf(prefix) !== 0) {
        return;
      }
      if (input.type === "radio" && !input.checked) {
        return;
      }
      data.append(input.name, input.value);
    });
    return data;
  }

  function save(item) {
    const itemState = saveState(item);
    clearTimeout(itemState.timer);
    if (itemState.inFlight) {
      itemState.again = true;
      return;
    }
    itemState.inFlight = true;
    itemState.dirty = false;
    setStatus(item, text.saving, "pending");
    fetch(form.dataset.saveBase + item.dataset.answer + "/", {
      method: "POST",
      body: body(item),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", Accept: "application/json" },
    })
      .then(function (response) {
        const type = response.headers.get("Content-Type") || "";
        if (response.redirected || type.indexOf("application/json") === -1) {
          if (response.status >= 500) {
            throw new Error(text.serverError);
          }
          return { httpStatus: response.status, data: { status: "session", message: text.sessionEnded } };
        }
        return response.json().then(function (data) {
          return { httpStatus: response.status, data: data };
        });
      })
      .then(function (result) {
        itemState.inFlight = false;
        const data = result.data;
        if (result.httpStatus === 200) {
          itemState.retryDelay = 2000;
          field(item, "version").value = data.version;
          // The server says when, in the user's time zone and format, as the page does.
          setStatus(item, format(text.saved, { time: data.saved_at || "" }), "saved");
          item.classList.remove("has-problem");
          if (data.progress) {
            updateProgress(data.progress);
          }
          if (itemState.again) {
            itemState.again = false;
            save(item);
          }
        } else if (result.httpStatus >= 500) {
          scheduleRetry(item, text.serverError);
        } else if (data.status === "conflict") {
          offerChoice(item, data);
        } else {
          itemState.dirty = true;
          setStatus(item, format(text.failed, { reason: data.message || text.serverError }), "error");
        }
      })
      .catch(function () {
        itemState.inFlight = false;
        itemState.dirty = true;
        scheduleRetry(item, text.offline);
      });
  }

  // Where each item stands, for the "next" links (the server sets their first targets).
  items().forEach(function (item) {
    item.dataset.state = stateOf(item);
  });

  items().forEach(function (item) {
    item.addEventListener("change", function (event) {
      if (event.target.type === "radio") {
        toggleSections(item);
      }
      item.dataset.state = stateOf(item);
      updateJumps();
      save(item);
    });
    item.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA") {
        return;
      }
      const itemState = saveState(item);
      itemState.dirty = true;
      setStatus(item, text.notSavedYet, "pending");
      clearTimeout(itemState.timer);
      itemState.timer = setTimeout(function () {
        item.dataset.state = stateOf(item);
        updateJumps();
        save(item);
      }, TYPING_DELAY_MS);
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

  window.addEventListener("beforeunload", function (event) {
    const unsaved = items().some(function (item) {
      const itemState = state.get(item);
      return itemState && (itemState.inFlight || itemState.dirty);
    });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
