// Service worker of the field-survey app: keeps the app shell and its vendored
// assets for offline use. The API and the session check always go to the network;
// the data lives in IndexedDB, never in this cache.
"use strict";

const CACHE = "halong-survey-{{ version }}";
const SHELL = {{ shell|safe }};
const SHELL_URL = {{ shell_url|safe }};
// On a weak signal, wait this long for the network before opening the cached app.
const NETWORK_WAIT_MS = 4000;

// One file after another: a phone on a weak signal does not open nine connections at once.
async function precache() {
  const cache = await caches.open(CACHE);
  for (const url of SHELL) await cache.add(url);
  await self.skipWaiting();
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache());
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(
        keys.filter((key) => key.startsWith("halong-survey-") && key !== CACHE).map((key) => caches.delete(key)),
      ))
      .then(() => self.clients.claim()),
  );
});

function networkFirst(request) {
  const network = fetch(request).then((response) => {
    if (response.ok && !response.redirected && new URL(response.url).pathname === SHELL_URL) {
      const copy = response.clone();
      caches.open(CACHE).then((cache) => cache.put(SHELL_URL, copy));
    }
    return response;
  });
  const late = new Promise((resolve) => setTimeout(resolve, NETWORK_WAIT_MS))
    .then(() => caches.match(SHELL_URL))
    .then((cached) => cached || network);
  return Promise.race([network, late]).catch(() => caches.match(SHELL_URL).then((cached) => cached || Response.error()));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === SHELL_URL) {
    event.respondWith(networkFirst(request));
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(url.pathname).then((cached) => cached || fetch(request)));
  }
});
