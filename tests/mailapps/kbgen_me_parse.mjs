// The site's own address check, parse() in docs/assets/kbgen-me.js, run under
// Node: the script is evaluated as the browser would (a window, a document still
// loading, the WHATWG URL parser) and its window.kbgenMe.parse is called on each
// string of the JSON list read on stdin. Prints the results as a JSON list.
// Used by tests/mailapps/test_autodiscover.py to hold Autodiscover to the same rule.
import { readFileSync } from "node:fs";
import vm from "node:vm";

const [script] = process.argv.slice(2);
const addresses = JSON.parse(await new Response(process.stdin).text());
const window = { location: { href: "https://help.example.test/" }, history: {} };
const document = { readyState: "loading", addEventListener() {} };
vm.runInNewContext(readFileSync(script, "utf-8"), { window, document, URL, URLSearchParams }, { filename: script });
process.stdout.write(JSON.stringify(addresses.map((a) => window.kbgenMe.parse(a))));
