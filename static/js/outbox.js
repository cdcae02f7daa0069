// The outbox: answers given on this device that the server has not acknowledged yet, kept
// in the browser (IndexedDB) until it does. One record per answer (a later change replaces
// an earlier one, keeping the version the server last acknowledged), each for one user:
// a record is only ever sent under the session of the user who gave it.
//
// Every change of a record reads it and writes it in one transaction: IndexedDB runs the
// read-write transactions of a store one after the other, so a change kept while the
// previous one is on its way can never be removed with it, whatever order the page's
// events come in. Each change has a number that only grows; an acknowledgement removes
// the record only when it acknowledges the change the record holds.
//
// Without IndexedDB (storage refused) window.pmappOutbox is null: the page sends directly.
(function () {
  "use strict";

  if (!window.indexedDB) {
    window.pmappOutbox = null;
    return;
  }

  const DATABASE = "pmapp";
  const STORE = "outbox";
  let opened = null;

  function open() {
    if (!opened) {
      opened = new Promise(function (resolve, reject) {
        const request = indexedDB.open(DATABASE, 1);
        request.onupgradeneeded = function () {
          const store = request.result.createObjectStore(STORE, { keyPath: "key" });
          store.createIndex("user", "user");
        };
        request.onsuccess = function () {
          resolve(request.result);
        };
        request.onerror = function () {
          opened = null;
          reject(request.error);
        };
      });
    }
    return opened;
  }

  // One transaction; resolves with what ``work`` reported once it has committed.
  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        const transaction = db.transaction(STORE, mode);
        let outcome;
        work(transaction.objectStore(STORE), function (value) {
          outcome = value;
        });
        transaction.oncomplete = function () {
          resolve(outcome);
        };
        transaction.onerror = transaction.onabort = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function key(user, answer) {
    return user + ":" + answer;
  }

  // Read one answer's record and, in the same transaction, write what ``decide`` makes of
  // it: {put: record}, {remove: true} or nothing; ``result`` is what the caller gets.
  function update(user, answer, decide) {
    return run("readwrite", function (store, report) {
      const request = store.get(key(user, answer));
      request.onsuccess = function () {
        const decision = decide(request.result);
        if (decision.put) {
          store.put(decision.put);
        } else if (decision.remove) {
          store.delete(key(user, answer));
        }
        report(decision.result);
      };
    });
  }

  window.pmappOutbox = {
    // Keep a change. It is based on the version of the change it replaces, when one waits
    // (the values on screen came from it), else on ``baseVersion()``, read when the
    // transaction runs: the version the page last had from the server. A change older than
    // the one kept is not kept. Resolves with the record kept, or null.
    keep: function (record, baseVersion) {
      return update(record.user, record.answer, function (existing) {
        if (existing && existing.change > record.change) {
          return { result: null };
        }
        const kept = Object.assign({}, record, {
          key: key(record.user, record.answer),
          baseVersion: existing ? existing.baseVersion : baseVersion(),
          queuedAt: existing ? existing.queuedAt : Date.now(),
        });
        return { put: kept, result: kept };
      });
    },
    // The server stored ``change`` as ``version``. Resolves "sent" when that was the last
    // change kept (the record goes), "newer" when a later change waits (now based on
    // ``version``), "gone" when nothing waits.
    acknowledge: function (user, answer, change, version) {
      return update(user, answer, function (current) {
        if (!current) {
          return { result: "gone" };
        }
        if (current.change <= change) {
          return { remove: true, result: "sent" };
        }
        const base = Math.max(Number(current.baseVersion) || 0, Number(version) || 0);
        return { put: Object.assign(current, { baseVersion: base }), result: "newer" };
      });
    },
    // Note something on a change (a conflict, a refusal, a new base), only if it is still
    // the change kept: resolves true when it was.
    mark: function (user, answer, change, changes) {
      return update(user, answer, function (current) {
        if (!current || current.change !== change) {
          return { result: false };
        }
        return { put: Object.assign(current, changes), result: true };
      });
    },
    // Drop a change (the user took someone else's answer instead), only if it is still the
    // change kept.
    discard: function (user, answer, change) {
      return update(user, answer, function (current) {
        const same = Boolean(current) && current.change === change;
        return { remove: same, result: same };
      });
    },
    // Delete every record but those of ``keepFor`` (every record without one).
    forget: function (keepFor) {
      return run("readwrite", function (store) {
        if (!keepFor) {
          store.clear();
          return;
        }
        store.openCursor().onsuccess = function (event) {
          const cursor = event.target.result;
          if (cursor) {
            if (cursor.value.user !== keepFor) {
              cursor.delete();
            }
            cursor.continue();
          }
        };
      });
    },
    get: function (user, answer) {
      return run("readonly", function (store, report) {
        const request = store.get(key(user, answer));
        request.onsuccess = function () {
          report(request.result);
        };
      });
    },
    // A user's records, oldest change first: the order they are sent in.
    list: function (user) {
      return run("readonly", function (store, report) {
        const request = store.index("user").getAll(user);
        request.onsuccess = function () {
          report(request.result);
        };
      }).then(function (records) {
        return (records || []).sort(function (a, b) {
          return a.queuedAt - b.queuedAt;
        });
      });
    },
  };
})();
