// Autosave on the checklist page: each answer saves as soon as it changes, and says so in
// words. Without this file the page still works: the Save button posts every answer.
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

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_match, key) {
      return String(values[key]);
    });
  }

  function fieldsOf(item) {
    const prefix = item.dataset.prefix + "-";
    return Array.from(item.querySelectorAll("input, select, textarea")).filter(function (el) {
      return el.name && el.name.indexOf(prefix) === 0;
    });
  }

  function field(item, name) {
    return item.querySelector("[name='" + item.dataset.prefix + "-" + name + "']");
  }

  function currentResponse(item) {
    const checked = item.querySelector("input[type=radio]:checked");
    return checked ? checked.value : "";
  }

  // Show the reason only for "not applicable", the action point only for "partial" / "no".
  function toggleSections(item) {
    const response = currentResponse(item);
    item.querySelectorAll("[data-show-for]").forEach(function (section) {
      section.hidden = section.dataset.showFor.split(" ").indexOf(response) === -1;
    });
  }

  function setStatus(item, message, kind) {
    const status = item.querySelector(".save-status");
    status.textContent = message;
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
    Object.keys(progress.principles || {}).forEach(function (code) {
      const cell = document.querySelector("[data-score-for='" + code + "']");
      if (cell) {
        renderRating(cell, progress.principles[code]);
      }
    });
    if (progress.overall) {
      renderRating(document.querySelector("[data-score-for='overall']"), progress.overall);
    }
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
      ["comment", "not_applicable_reason", "action_description", "action_owner", "action_due"].forEach(
        function (name) {
          const input = field(item, name);
          if (input) {
            input.value = values[name] === null ? "" : values[name];
          }
        }
      );
      field(item, "version").value = data.version;
      toggleSections(item);
      setStatus(item, text.tookTheirs, "saved");
    });
    status.appendChild(keepMine);
    status.appendChild(useTheirs);
    keepMine.focus();
  }

  const state = new WeakMap();

  function stateOf(item) {
    if (!state.has(item)) {
      state.set(item, { inFlight: false, again: false, timer: null, retryDelay: 2000 });
    }
    return state.get(item);
  }

  function scheduleRetry(item, reason) {
    const itemState = stateOf(item);
    const seconds = Math.round(itemState.retryDelay / 1000);
    setStatus(item, format(text.retrying, { reason: reason, seconds: seconds }), "pending");
    clearTimeout(itemState.timer);
    itemState.timer = setTimeout(function () {
      save(item);
    }, itemState.retryDelay);
    itemState.retryDelay = Math.min(itemState.retryDelay * 2, MAX_RETRY_DELAY_MS);
  }

  function save(item) {
    const itemState = stateOf(item);
    clearTimeout(itemState.timer);
    if (itemState.inFlight) {
      itemState.again = true;
      return;
    }
    itemState.inFlight = true;
    itemState.dirty = false;
    setStatus(item, text.saving, "pending");
    const body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken);
    fieldsOf(item).forEach(function (input) {
      if (input.type === "radio" && !input.checked) {
        return;
      }
      body.append(input.name, input.value);
    });
    fetch(item.dataset.saveUrl, {
      method: "POST",
      body: body,
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
          updateProgress(data.progress);
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

  document.querySelectorAll(".answer[data-save-url]").forEach(function (item) {
    toggleSections(item);
    item.addEventListener("change", function (event) {
      if (event.target.type === "radio") {
        toggleSections(item);
      }
      save(item);
    });
    item.addEventListener("input", function (event) {
      if (event.target.tagName !== "TEXTAREA") {
        return;
      }
      const itemState = stateOf(item);
      itemState.dirty = true;
      setStatus(item, text.notSavedYet, "pending");
      clearTimeout(itemState.timer);
      itemState.timer = setTimeout(function () {
        save(item);
      }, TYPING_DELAY_MS);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    const unsaved = Array.from(document.querySelectorAll(".answer[data-save-url]")).some(function (item) {
      const itemState = state.get(item);
      return itemState && (itemState.inFlight || itemState.dirty);
    });
    if (unsaved) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
