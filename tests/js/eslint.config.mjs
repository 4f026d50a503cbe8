// ESLint's rules for the book's JavaScript: the widgets' ES modules
// (cnnbook/widgets/*.js), the page loader (_extra/cnnbook-widgets.js) and the
// test scripts here. `make lint` runs it from the repository's root:
//   tests/js/node_modules/.bin/eslint --config tests/js/eslint.config.mjs ...
//
// A widget's `_esm` is common.js, the libraries it uses, then its own module,
// in one scope (cnnbook/widgets/esm.py): what a library exports, the files
// composed after it use without importing. So each file may read the exports
// of the libraries besides itself, and may not declare them again.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import js from "@eslint/js";
import globals from "globals";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const WIDGETS = path.join(ROOT, "cnnbook", "widgets");
const LIBRARIES = ["common.js", "layers.js", "answers.js"];  // esm.LIBRARIES

/** The names a library exports (function, const, let, class). */
function exported(file) {
  const source = readFileSync(path.join(WIDGETS, file), "utf-8");
  const names = source.matchAll(/^export (?:async )?(?:function\*?|const|let|class) (\w+)/gm);
  return [...names].map((m) => m[1]);
}

const libraries = Object.fromEntries(readdirSync(WIDGETS)
  .filter((file) => LIBRARIES.includes(file))
  .map((file) => [file, exported(file)]));

/** The exports of every library but `own`, as read-only globals. */
function sharedWith(own) {
  return Object.fromEntries(Object.entries(libraries)
    .filter(([file]) => file !== own)
    .flatMap(([, names]) => names.map((name) => [name, "readonly"])));
}

const rules = {
  ...js.configs.recommended.rules,
  "no-unused-vars": ["error", { args: "after-used", caughtErrors: "none" }],
  eqeqeq: ["error", "always"],
  "no-var": "error",
  "prefer-const": "error",
};

export default [
  { basePath: ROOT },
  ...readdirSync(WIDGETS).filter((file) => file.endsWith(".js")).map((file) => ({
    files: [`cnnbook/widgets/${file}`],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: { ...globals.browser, ...sharedWith(file) },
    },
    rules,
  })),
  {
    // The loader is a classic script (ES2020, no modules): the page's first
    // script, written for any browser that can import() a blob URL.
    files: ["_extra/cnnbook-widgets.js"],
    languageOptions: { ecmaVersion: 2020, sourceType: "script",
      globals: { ...globals.browser } },
    rules: { ...rules, "no-var": "off", "prefer-const": "off" },
  },
  {
    files: ["tests/js/**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module",
      globals: { ...globals.node } },
    rules,
  },
];
