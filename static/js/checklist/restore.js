// On opening the checklist page: what waits from before (a reload, a closed tab) shows,
// then goes.
import { field, form, format, itemFor, showValues, stateOf, text, user } from "./items.js";
import { forgetTyped, keep, TYPED } from "./autosave.js";
import { setStatus, updateJumps } from "./progress.js";
import { offerChoice, refreshBanner, sendDirectly } from "./sending.js";

const outbox = window.pmappOutbox;

// A copy left on the device by the page before (it went while a text was typed): shown,
// then kept (or sent) as a new change, on the version it was typed on.
function restoreTyped() {
  let keys = [];
  try {
    keys = Object.keys(localStorage).filter(function (key) {
      return key.indexOf(TYPED) === 0;
    });
  } catch (_error) {
    return [];
  }
  return keys
    .map(function (key) {
      const copy = JSON.parse(localStorage.getItem(key));
      const item = itemFor(key.slice(TYPED.length));
      if (!item || !copy || copy.checklist !== form.dataset.checklist) {
        return null;
      }
      showValues(item, copy.values);
      item.dataset.state = stateOf(item);
      // Shown, so said to be waiting at once: never a value on screen that is neither
      // on the server nor visibly waiting, even while the outbox opens.
      setStatus(item, text.waiting, "waiting");
      return { item: item, baseVersion: copy.baseVersion };
    })
    .filter(Boolean);
}

// What waits from before (a reload, a closed tab) shows, then goes.
export function restore() {
  const typed = restoreTyped();
  const typedItems = typed.map(function (copy) {
    return copy.item;
  });
  if (!outbox) {
    typed.forEach(function (copy) {
      field(copy.item, "version").value = copy.baseVersion;
      forgetTyped(copy.item);
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
      return Promise.all(
        typed.map(function (copy) {
          setStatus(copy.item, text.waiting, "waiting");
          return keep(copy.item, copy.baseVersion).then(function () {
            forgetTyped(copy.item);
          });
        })
      );
    })
    .then(function () {
      updateJumps();
      return refreshBanner();
    })
    .catch(function () {});
}
