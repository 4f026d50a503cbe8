// Call one export of an ES module on every case: the Node side of the widgets'
// parity tests (tests/node_support.py).
//
//   node tests/js/map.mjs MODULE.mjs EXPORT < cases.json > results.json
//
// MODULE.mjs is a widget's composed `_esm` (or a library), EXPORT the name of
// one of its exported functions; cases.json is a JSON array, each item passed
// as the one argument. The results are written as a JSON array, BigInts as
// decimal strings; an exception becomes {"thrown": "<its message>"}. JSON has
// no NaN or infinity: both ways they travel as {"$float": "nan" | "inf" | "-inf"}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const [modulePath, name] = process.argv.slice(2);
const module = await import(pathToFileURL(modulePath).href);
if (typeof module[name] !== "function") {
  throw new Error(`${modulePath} exports no function ${name}`);
}
const FLOATS = { nan: NaN, inf: Infinity, "-inf": -Infinity };
const cases = JSON.parse(readFileSync(0, "utf-8"), (_, value) =>
  (value !== null && typeof value === "object" && "$float" in value
    ? FLOATS[value.$float] : value));
const results = cases.map((item) => {
  try {
    return module[name](item);
  } catch (err) {
    return { thrown: String(err && err.message) };
  }
});
process.stdout.write(JSON.stringify(results, (_, value) => {
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number" && !Number.isFinite(value)) {
    return { $float: Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf" };
  }
  return value;
}));
