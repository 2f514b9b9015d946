// Runs a Netlify Function module under Node the way Netlify calls it: a web
// Request in, a web Response out. Reads {"module": path, "requests": [...]} as
// JSON on stdin and prints the responses (status, headers, body) and the
// module's exported config as JSON. Used by tests/mailapps/test_autodiscover.py.
import { pathToFileURL } from "node:url";

const input = JSON.parse(await new Response(process.stdin).text());
const mod = await import(pathToFileURL(input.module).href);
const out = [];
for (const r of input.requests) {
  const init = { method: r.method, headers: r.headers ?? {} };
  if (r.body_b64 !== undefined) {
    const bytes = Buffer.from(r.body_b64, "base64");
    if (r.stream) {
      // A chunked body with no Content-Length, delivered in pieces.
      init.body = new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.subarray(i, i + 4096));
          controller.close();
        },
      });
      init.duplex = "half";
    } else {
      init.body = bytes;
    }
  }
  const response = await mod.default(new Request(`https://help.example.test${r.path}`, init), {});
  out.push({
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    body: await response.text(),
  });
}
process.stdout.write(JSON.stringify({ config: mod.config ?? null, responses: out }));
