// What of each item is not with the server yet on this page, which autosave and sending
// both read.
export const typing = new Map(); // item -> timer of a text being typed, not yet kept
export const keeping = new WeakMap(); // item -> the promise of its last change being kept
export const unkept = new WeakMap(); // item -> how many of its changes are not in the outbox yet
export const sending = new WeakMap(); // without an outbox: item -> {promise, again}

// Something of the item is not with the server's reply yet on this page.
export function busy(item) {
  const direct = sending.get(item);
  return typing.has(item) || (unkept.get(item) || 0) > 0 || Boolean(direct && direct.again);
}
