/*
 * Outlook Autodiscover (the "POX" protocol) for mailboxes read with IMAP or POP3.
 *
 * Classic Outlook for Windows POSTs a small XML document naming the address it
 * is setting up to https://<domain>/autodiscover/autodiscover.xml and
 * https://autodiscover.<domain>/autodiscover/autodiscover.xml (and, when both
 * fail, to the host of the _autodiscover._tcp SRV record). A static file cannot
 * read that request, so kbgen generates this Netlify Function: the code below is
 * fixed and reviewed; kbgen appends the provider's settings as JSON and the
 * routes at build time (kbgen/mailapps/autodiscover.py), from the same data as
 * every page.
 *
 * It imports nothing. A project installed from PyPI has no package.json, and
 * Netlify's bundler leaves an undeclared package out without a word, so every
 * request would fail. The request has one fixed, documented shape (Microsoft's
 * POX Autodiscover reference: requestschema/2006, outlook/responseschema/2006a),
 * so it is read by the small strict reader below rather than a general XML
 * parser: an XML declaration, <Autodiscover xmlns="…">, <Request> and its
 * simple elements, with XML's character rules and references, and nothing else
 * (no DOCTYPE, so no entity expansion; no comments, processing instructions or
 * CDATA). Everything else gets a 4xx answer in POX's own error format, well-formed
 * XML, never a stack trace and never a piece of the request.
 */

export const MAX_BODY = 16 * 1024; // a real request is about 400 bytes
// Microsoft's reference writes the request namespaces with http:// and, in its
// own request example, with https://; Outlook and Exchange use http://.
const SCHEMAS = "://schemas.microsoft.com/exchange/autodiscover/";
const REQUEST_SCHEMAS = ["http", "https"].map((s) => `${s}${SCHEMAS}outlook/requestschema/2006`);
const ACCEPTED_SCHEMAS = ["http", "https"].map((s) => `${s}${SCHEMAS}outlook/responseschema/2006a`);
const RESPONSE_SCHEMA = `http${SCHEMAS}outlook/responseschema/2006a`;
const RESPONSE_ROOT = `http${SCHEMAS}responseschema/2006`;
// socketType per security mode: Encryption (SSL = implicit TLS, TLS = STARTTLS) and the older SSL flag.
const ENCRYPTION = { tls: ["SSL", "on"], starttls: ["TLS", "on"], none: ["None", "off"] };

// ---- the address: the site's own rule ------------------------------------------
// The same check, limits and normalisation as parse() in docs/assets/kbgen-me.js,
// where a reader types their address: an address the site shows settings for gets
// them from Outlook too, and no other. tests/mailapps/test_autodiscover.py runs both on one
// table of addresses and wants the same answer from each.

const MAX_ADDRESS = 254; // RFC 5321: the longest path a mail server accepts
const MAX_LOCAL = 64;
const MAX_DOMAIN = 253;
// RFC 5322 dot-atom; quoted local parts and non-ASCII ones (SMTPUTF8) are refused.
const LOCAL = /^[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+\/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
// What the URL parser would read as a port, path, query, user or IPv6 host.
const NOT_IN_DOMAIN = /[\s\/\\?#:@\[\]%<>"'`^{}|;,()]/;
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]/;

/** The address as {address, local, domain} (the domain in ASCII, lower case), or null. */
export function parseAddress(raw) {
  const text = String(raw ?? "").trim();
  if (!text || text.length > MAX_ADDRESS * 2 || INVISIBLE.test(text)) return null;
  const at = text.indexOf("@");
  if (at < 1 || at !== text.lastIndexOf("@") || at === text.length - 1) return null;
  const local = text.slice(0, at);
  if (local.length > MAX_LOCAL || !LOCAL.test(local)) return null;
  const domain = asciiDomain(text.slice(at + 1));
  if (!domain) return null;
  const address = `${local}@${domain}`;
  return address.length > MAX_ADDRESS ? null : { address, local, domain };
}

/** The domain in its ASCII (punycode) form, as the WHATWG URL parser makes it (UTS #46), or "". */
function asciiDomain(typed) {
  if (!typed || NOT_IN_DOMAIN.test(typed)) return "";
  let host;
  try {
    host = new URL(`http://${typed}/`).hostname;
  } catch {
    return "";
  }
  if (!host || host.length > MAX_DOMAIN || host.endsWith(".")) return "";
  const labels = host.split(".");
  if (labels.length < 2 || !labels.every((label) => LABEL.test(label))) return "";
  // An all-digit last label is an IP address (the URL parser turns 0x7f.1 into 127.0.0.1).
  return /^[0-9]+$/.test(labels[labels.length - 1]) ? "" : host;
}

// ---- the request: one fixed shape, read strictly --------------------------------

class BadRequest extends Error {
  constructor(message, code = 600) {
    super(message);
    this.code = code; // POX error codes: 600 invalid request, 601 schema not offered
  }
}

// XML 1.0's Char production: what may appear in a document at all, raw or as a reference.
const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const REFERENCE = /&(?:(lt|gt|amp|quot|apos)|#([0-9]{1,7})|#x([0-9a-fA-F]{1,6}));|&/g;
const ENTITIES = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
// Sticky patterns, each tried at the reader's position. Whitespace is XML's S
// (after line-end normalisation, so no \r is left).
const SPACE = /[ \t\n]*/y;
const DECLARATION = /<\?xml[ \t\n]+version[ \t\n]*=[ \t\n]*(["'])1\.0\1(?:[ \t\n]+encoding[ \t\n]*=[ \t\n]*(["'])[Uu][Tt][Ff]-8\2)?(?:[ \t\n]+standalone[ \t\n]*=[ \t\n]*(["'])(?:yes|no)\3)?[ \t\n]*\?>/y;
const ROOT = /<Autodiscover[ \t\n]+xmlns[ \t\n]*=[ \t\n]*(?:"([^<"]*)"|'([^<']*)')[ \t\n]*>/y;
const START = /<([A-Za-z]+)[ \t\n]*(\/?)>/y;
const TEXT = /[^<]*/y;
const FIELDS = new Set(["EMailAddress", "AcceptableResponseSchema", "LegacyDN"]);

/** Text or an attribute value with its references replaced; refuses a bare & or an illegal character. */
function decoded(raw) {
  if (raw.includes("]]>")) throw new BadRequest("']]>' may not appear in text");
  return raw.replace(REFERENCE, (whole, name, decimal, hex) => {
    if (name) return ENTITIES[name];
    if (!decimal && !hex) throw new BadRequest("an & that does not start a character reference");
    const code = decimal ? Number.parseInt(decimal, 10) : Number.parseInt(hex, 16);
    const char = code <= 0x10ffff ? String.fromCodePoint(code) : "\u0000";
    if (NOT_XML_CHAR.test(char)) throw new BadRequest("a character reference to a character XML does not allow");
    return char;
  });
}

class Reader {
  constructor(text) {
    this.text = text;
    this.at = 0;
  }

  /** The match of a sticky pattern at the current position (and move past it), or null. */
  take(pattern) {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (found) this.at = pattern.lastIndex;
    return found;
  }

  expect(literal, what) {
    this.take(SPACE);
    if (!this.text.startsWith(literal, this.at)) throw new BadRequest(`expected ${what}`);
    this.at += literal.length;
  }

  /** One <Name>text</Name> or <Name/> child of Request: [name, text], or null at </Request>. */
  field() {
    this.take(SPACE);
    if (this.text.startsWith("</", this.at)) return null;
    const start = this.take(START);
    if (!start || !FIELDS.has(start[1])) {
      throw new BadRequest("Request may hold only EMailAddress, AcceptableResponseSchema and LegacyDN");
    }
    const name = start[1];
    if (start[2]) return [name, ""];
    const text = decoded(this.take(TEXT)[0]);
    if (!this.text.startsWith("</", this.at)) throw new BadRequest(`${name} may hold text only`);
    this.expect(`</${name}`, `</${name}>`);
    this.expect(">", `</${name}>`);
    return [name, text];
  }
}

/** The reader's address of a POX Autodiscover request ({address, local, domain}); throws BadRequest. */
export function requestedAddress(body) {
  const xml = body.replace(/\r\n?/g, "\n"); // XML's line-end normalisation
  if (NOT_XML_CHAR.test(xml)) throw new BadRequest("the body holds a character XML does not allow");
  const doc = new Reader(xml);
  doc.take(DECLARATION);
  doc.take(SPACE);
  // No DOCTYPE rules out entity expansion and external entities at once.
  if (xml.startsWith("<!", doc.at)) throw new BadRequest("a DOCTYPE or comment is not allowed");
  if (xml.startsWith("<?", doc.at)) {
    throw new BadRequest('nothing but <?xml version="1.0" encoding="utf-8"?>, first of all, may come before the root');
  }
  const root = doc.take(ROOT);
  if (!root) throw new BadRequest("the body is not an Autodiscover request (<Autodiscover xmlns=\"…\">)");
  if (!REQUEST_SCHEMAS.includes(decoded(root[1] ?? root[2]))) {
    throw new BadRequest(`the request is not in the ${REQUEST_SCHEMAS[0]} namespace`);
  }
  doc.expect("<Request", "<Request>");
  doc.expect(">", "<Request> with no attributes");
  const fields = new Map();
  for (let field = doc.field(); field !== null; field = doc.field()) {
    if (fields.has(field[0])) throw new BadRequest(`the request names more than one ${field[0]}`);
    fields.set(field[0], field[1]);
  }
  doc.expect("</Request", "</Request>");
  doc.expect(">", "</Request>");
  doc.expect("</Autodiscover", "</Autodiscover>");
  doc.expect(">", "</Autodiscover>");
  doc.take(SPACE);
  if (doc.at !== xml.length) throw new BadRequest("nothing may follow </Autodiscover>");

  const schema = (fields.get("AcceptableResponseSchema") ?? "").replace(/^[ \t\n]+|[ \t\n]+$/g, "");
  if (!ACCEPTED_SCHEMAS.includes(schema)) {
    throw new BadRequest(`only the Outlook response schema (${RESPONSE_SCHEMA}) is offered`, 601);
  }
  if (!fields.has("EMailAddress")) throw new BadRequest("the request names no EMailAddress");
  const me = parseAddress(fields.get("EMailAddress"));
  if (me === null) throw new BadRequest("the request does not name a valid e-mail address");
  return me;
}

// ---- the response ---------------------------------------------------------------

/** Text for an XML element or attribute: markup escaped, characters XML 1.0 forbids replaced. */
function xmlText(value) {
  return String(value)
    .replace(new RegExp(NOT_XML_CHAR.source, "gu"), "\ufffd")
    .replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function protocolXml(server, me, settings) {
  const host = server.host.replaceAll("{domain}", me.domain);
  const login = settings.username === "email" ? me.address : me.local;
  const [encryption, ssl] = ENCRYPTION[server.security];
  const lines = [
    `<Type>${xmlText(server.type)}</Type>`,
    `<Server>${xmlText(host)}</Server>`,
    `<Port>${xmlText(server.port)}</Port>`,
    "<DomainRequired>off</DomainRequired>",
    `<LoginName>${xmlText(login)}</LoginName>`,
    // Outlook's SPA is NTLM, which the password methods kbgen knows are not.
    "<SPA>off</SPA>",
    `<SSL>${ssl}</SSL>`,
    `<Encryption>${encryption}</Encryption>`,
    `<AuthRequired>${server.type === "SMTP" && !settings.smtpAuth ? "off" : "on"}</AuthRequired>`,
  ];
  if (server.type === "SMTP") {
    lines.push(`<UsePOPAuth>${settings.smtpAuth ? "on" : "off"}</UsePOPAuth>`, "<SMTPLast>off</SMTPLast>");
  }
  return `<Protocol>${lines.join("")}</Protocol>`;
}

/** The POX response for `me` (from parseAddress): the recommended IMAP, POP3 and SMTP endpoints. */
export function responseXml(me, settings) {
  const protocols = settings.servers.map((s) => protocolXml(s, me, settings)).join("");
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<Autodiscover xmlns="${RESPONSE_ROOT}"><Response xmlns="${RESPONSE_SCHEMA}">` +
    `<Account><AccountType>email</AccountType><Action>settings</Action>${protocols}</Account>` +
    "</Response></Autodiscover>\n"
  );
}

const HEADERS = {
  "Content-Type": "application/xml; charset=utf-8",
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
};

const MESSAGES = { 600: "Invalid Request", 601: "Provider is not available" };

/** A refusal in POX's error format; `detail` is kbgen's own sentence, never the request's text. */
function refusal(status, detail, { code = 600, headers = {} } = {}) {
  const body =
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<Autodiscover xmlns="${RESPONSE_ROOT}"><Response><Error>` +
    `<ErrorCode>${code}</ErrorCode><Message>${MESSAGES[code]}</Message>` +
    `<DebugData>${xmlText(detail)}</DebugData></Error></Response></Autodiscover>\n`;
  return new Response(body, { status, headers: { ...HEADERS, ...headers } });
}


/** The body as text, or null when it is larger than `max` bytes (read no further than that). */
async function readCapped(request, max) {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (!Number.isFinite(declared) || declared > max) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  const joined = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    joined.set(chunk, at);
    at += chunk.byteLength;
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(joined);
  } catch {
    throw new BadRequest("the body is not UTF-8 text");
  }
}

/** Answer one HTTP request with `settings` (the JSON kbgen embeds). */
export async function answer(request, settings) {
  if (request.method !== "POST") {
    return refusal(405, "Autodiscover answers POST requests only", { headers: { Allow: "POST" } });
  }
  try {
    const body = await readCapped(request, MAX_BODY);
    if (body === null) return refusal(413, `the request is larger than ${MAX_BODY} bytes`);
    const me = requestedAddress(body);
    return new Response(responseXml(me, settings), { status: 200, headers: HEADERS });
  } catch (error) {
    if (error instanceof BadRequest) return refusal(400, `bad request: ${error.message}`, { code: error.code });
    console.error("autodiscover: unexpected error", error); // the log, never the client, sees it
    return refusal(400, "bad request");
  }
}
