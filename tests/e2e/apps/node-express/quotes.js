// The data the service answers with (the cache test edits this file).
exports.quotes = [
  "Make it work, make it right, make it fast.",
  "Simplicity is prerequisite for reliability.",
];
