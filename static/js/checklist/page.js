// The checklist page: each answer is kept in the browser as soon as it changes, then sent;
// it says "saved" only once the server has said so (autosave.js). Without a connection
// answers wait, on this device, across reloads and closed tabs, and go in order when the
// connection returns, each through the server's check that nobody changed the answer
// meanwhile. The fields an answer needs open with it; progress, scores and the "next"
// links follow. Without these scripts the page still works: the Save button posts every
// answer, and the fields an answer needs appear once it is saved.
import { everythingSent, leaving, listen } from "./autosave.js";
import { enableUploads } from "./evidence.js";
import { showGuidance } from "./guidance.js";
import { form, items, markItems, text } from "./items.js";
import { enableJumps } from "./progress.js";
import { restore } from "./restore.js";
import { flush, refreshBanner } from "./sending.js";

const RETRY_MS = 20000;

function enableSaveAndSubmit() {
  // Save sends what waits; Submit needs a connection and every answer sent first. Without a
  // connection both say so rather than lose the page.
  let submitter = null;
  form.addEventListener("click", function (event) {
    if (event.target.name === "action") {
      submitter = event.target.value;
    }
  });
  form.addEventListener("submit", function (event) {
    const message = document.getElementById("action-message");
    function say(words) {
      message.textContent = words;
      message.hidden = false;
    }
    if (submitter === "submit" && form.dataset.sending === "done") {
      return;
    }
    event.preventDefault();
    if (submitter === "submit" && !navigator.onLine) {
      everythingSent(); // kept on the device meanwhile
      say(text.submitNeedsConnection);
      return;
    }
    everythingSent().then(function (waiting) {
      if (submitter !== "submit") {
        say(waiting ? (navigator.onLine ? text.submitWaiting : text.keptOffline) : text.allSaved);
      } else if (waiting) {
        say(text.submitWaiting);
      } else {
        form.dataset.sending = "done";
        const action = document.createElement("input");
        action.type = "hidden";
        action.name = "action";
        action.value = "submit";
        form.appendChild(action);
        form.submit();
      }
    });
  });
}

if (form) {
  markItems();
  items().forEach(listen);
  enableJumps();
  enableSaveAndSubmit();
  enableUploads();
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
  // Leaving the page (a reload, a link, a closed tab, a phone putting it away): what is not
  // in the outbox yet is copied to the device.
  window.addEventListener("beforeunload", leaving);
  window.addEventListener("pagehide", leaving);
  document.addEventListener("visibilitychange", function (event) {
    if (document.visibilityState === "hidden") {
      leaving(event);
    }
  });
}

