// IndexedDB store of the field-survey app: worklists, households, drafts.
// Everything the officer enters is written here at once, so a draft survives
// a reload, closing the browser or a reboot of the phone.
"use strict";

(function () {
  const NAME = "halong-survey";
  const VERSION = 1;
  let opening = null;

  function open() {
    if (opening) return opening;
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("worklists", { keyPath: "key" });
        const households = db.createObjectStore("households", { keyPath: "assessmentId" });
        households.createIndex("worklist", "worklistKey");
        const drafts = db.createObjectStore("drafts", { keyPath: "assessmentId" });
        drafts.createIndex("worklist", "worklistKey");
        drafts.createIndex("state", "state");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opening;
  }

  function done(request) {
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function store(name, mode) {
    const db = await open();
    return db.transaction(name, mode).objectStore(name);
  }

  async function get(name, key) {
    return done((await store(name, "readonly")).get(key));
  }

  async function all(name, index, value) {
    const os = await store(name, "readonly");
    return done(index ? os.index(index).getAll(value) : os.getAll());
  }

  // Resolves once the transaction has committed, not when the request succeeded:
  // "saved" is only shown for an answer that survives closing the page at once.
  async function put(name, value) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, "readwrite", { durability: "strict" });
      tx.objectStore(name).put(value);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  // A worklist and its households in one transaction: all or nothing.
  async function saveWorklist(worklist, households) {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(["worklists", "households"], "readwrite", { durability: "strict" });
      tx.objectStore("worklists").put(worklist);
      for (const household of households) tx.objectStore("households").put(household);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }

  window.surveyDb = { get, all, put, saveWorklist };
})();
