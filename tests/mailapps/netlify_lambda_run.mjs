// Runs a function zipped by Netlify's bundler the way AWS Lambda calls it: the
// zip's entry point (Netlify's own bootstrap) gets Netlify's event and a
// response stream. `awslambda` is the one global Lambda's Node runtime adds;
// here its two calls are stubbed: streamifyResponse passes the handler through,
// HttpResponseStream.from records the status and headers. Reads
// {"module": entry point, "requests": [...]} as JSON on stdin (as
// autodiscover_run.mjs does) and prints the responses as JSON.
// Used by tests/mailapps/test_autodiscover_bundle.py.
import { Writable } from "node:stream";
import { pathToFileURL } from "node:url";

globalThis.awslambda = {
  streamifyResponse: (handler) => handler,
  HttpResponseStream: {
    from(stream, metadata) {
      stream.metadata = metadata;
      return stream;
    },
  },
};

const input = JSON.parse(await new Response(process.stdin).text());
const { handler } = await import(pathToFileURL(input.module).href);
const out = [];
for (const r of input.requests) {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
  });
  const finished = new Promise((resolve) => stream.on("finish", resolve));
  const event = {
    rawUrl: `https://help.example.test${r.path}`,
    httpMethod: r.method,
    headers: Object.fromEntries(Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    body: r.body_b64 ?? "",
    isBase64Encoded: true,
    flags: {},
  };
  await handler(event, stream, { awsRequestId: "test", getRemainingTimeInMillis: () => 10_000 });
  await finished;
  const { statusCode, multiValueHeaders = {} } = stream.metadata ?? {};
  out.push({
    status: statusCode,
    headers: Object.fromEntries(Object.entries(multiValueHeaders).map(([k, v]) => [k, v.join(", ")])),
    body: Buffer.concat(chunks).toString("utf-8"),
  });
}
process.stdout.write(JSON.stringify({ responses: out }));
