// Where the checklist stands, on the page: each item's status, the "next" links, progress
// and scores, and the banner of answers waiting.
import { codeOf, format, items, text } from "./items.js";

// Each item shows its own status; one live region says it to screen readers, with the
// item's code, so that a page of 100 items has one region to follow, not 100.
const announcer = document.getElementById("save-announcer");

export function setStatus(item, message, kind) {
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

const JUMPS = [
  ["next-unanswered", "unanswered"],
  ["next-blocking", "blocking"],
];

export function updateJumps() {
  JUMPS.forEach(function (pair) {
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

export function enableJumps() {
  JUMPS.forEach(function (pair) {
    const link = document.getElementById(pair[0]);
    if (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        jumpToNext(pair[1]);
      });
    }
  });
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

export function updateProgress(progress) {
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
export function updateBanner(count) {
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

// A message that replaces the banner's count (someone else signed in here).
export function sayInBanner(message) {
  const banner = document.getElementById("offline-banner");
  if (banner) {
    banner.textContent = message;
    banner.hidden = false;
  }
}
