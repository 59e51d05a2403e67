// What the page shows, kept in the URL's query string so that a link restores it: the mode, the map view,
// the language and each mode's own keys (the search, the area, the filters).

const listeners = new Set();
let params = new URLSearchParams(window.location.search);

export function get(key) {
  return params.get(key);
}

export function getList(key) {
  const value = params.get(key);
  return value ? value.split(",").filter(Boolean) : [];
}

// Sets each key of `changes` (null, undefined, "" or [] removes it) and rewrites the URL without a reload.
export function set(changes) {
  for (const [key, value] of Object.entries(changes)) {
    const text = Array.isArray(value) ? value.join(",") : value;
    if (text === null || text === undefined || text === "") {
      params.delete(key);
    } else {
      params.set(key, String(text));
    }
  }
  const query = params.toString();
  window.history.replaceState(null, "", query ? `?${query}` : window.location.pathname);
  for (const listener of listeners) listener(changes);
}

export function onChange(listener) {
  listeners.add(listener);
}

