// The outbox: answers given on this device that the server has not acknowledged yet, kept
// in the browser (IndexedDB) until it does. One record per answer (a later change replaces
// an earlier one, keeping the version the server last acknowledged), each for one user:
// a record is only ever sent under the session of the user who gave it.
(function () {
  "use strict";

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
          reject(request.error);
        };
      });
    }
    return opened;
  }

  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        const transaction = db.transaction(STORE, mode);
        const result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          resolve(result && "result" in result ? result.result : undefined);
        };
        transaction.onerror = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function key(user, answer) {
    return user + ":" + answer;
  }

  window.pmappOutbox = {
    // Keep a change: the values to send, based on the version last acknowledged.
    put: function (record) {
      record.key = key(record.user, record.answer);
      return run("readwrite", function (store) {
        return store.put(record);
      });
    },
    get: function (user, answer) {
      return run("readonly", function (store) {
        return store.get(key(user, answer));
      });
    },
    remove: function (user, answer) {
      return run("readwrite", function (store) {
        return store.delete(key(user, answer));
      });
    },
    // A user's records, oldest change first: the order they are sent in.
    list: function (user) {
      return run("readonly", function (store) {
        return store.index("user").getAll(user);
      }).then(function (records) {
        return (records || []).sort(function (a, b) {
          return a.queuedAt - b.queuedAt;
        });
      });
    },
  };
})();
