// Netlify's own parsers over a generated file: node netlify_parse.mjs <node_modules> redirects|headers <file>
// Prints {"redirects"|"headers": [...], "errors": ["..."]} as JSON.
import { pathToFileURL } from "node:url";
import { join } from "node:path";

const [modules, kind, file] = process.argv.slice(2);
const load = (name) => import(pathToFileURL(join(modules, "@netlify", name, "lib", "index.js")).href);
let result;
if (kind === "redirects") {
  const { parseAllRedirects } = await load("redirect-parser");
  result = await parseAllRedirects({ redirectsFiles: [file], minimal: false });
} else {
  const { parseAllHeaders } = await load("headers-parser");
  result = await parseAllHeaders({ headersFiles: [file], minimal: false });
}
// undefined (a query name without "=") must survive JSON: show it as null.
const json = JSON.stringify({ ...result, errors: result.errors.map((e) => e.message) },
                           (key, value) => (value === undefined ? null : value));
console.log(json);
