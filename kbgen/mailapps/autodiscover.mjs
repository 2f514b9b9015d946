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
 * Request and response formats: Microsoft's POX Autodiscover reference
 * (requestschema/2006, outlook/responseschema/2006a). The request is parsed with
 * fast-xml-parser, never with regular expressions; anything that is not such a
 * request gets a 4xx answer in plain text, never a stack trace.
 */

import { XMLParser, XMLValidator } from "fast-xml-parser";

export const MAX_BODY = 16 * 1024; // a real request is about 400 bytes
const REQUEST_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006";
const RESPONSE_SCHEMA = "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";
const RESPONSE_ROOT = "http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006";
// Local part: no spaces, markup or quotes; domain: ordinary DNS labels.
const ADDRESS = /^([^\s@<>&"'\\]{1,64})@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)$/i;
// socketType per security mode: Encryption (SSL = implicit TLS, TLS = STARTTLS) and the older SSL flag.
const ENCRYPTION = { tls: ["SSL", "on"], starttls: ["TLS", "on"], none: ["None", "off"] };

class BadRequest extends Error {}

function text(status, message, headers = {}) {
  return new Response(`${message}\n`, {
    status,
    headers: {
      "Content-Type": "text/plain; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      ...headers,
    },
  });
}

function escapeXml(value) {
  return String(value).replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
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

function only(value, what) {
  if (Array.isArray(value)) throw new BadRequest(`the request names more than one ${what}`);
  return value;
}

/** The e-mail address of a POX Autodiscover request; throws BadRequest for anything else. */
export function requestedAddress(xml) {
  // A request never needs a DOCTYPE; refusing it rules out entity expansion attacks.
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new BadRequest("a DOCTYPE is not allowed");
  if (XMLValidator.validate(xml) !== true) throw new BadRequest("the body is not well-formed XML");
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    removeNSPrefix: false, // Outlook writes the request in the default namespace, unprefixed
    parseTagValue: false,
    processEntities: false,
    htmlEntities: false,
    trimValues: true,
  });
  const doc = parser.parse(xml);
  const root = only(doc?.Autodiscover, "Autodiscover element");
  if (typeof root !== "object" || root === null) {
    throw new BadRequest("the body is not an Autodiscover request");
  }
  if (root["@xmlns"] !== REQUEST_SCHEMA) {
    throw new BadRequest(`the request is not in the ${REQUEST_SCHEMA} namespace`);
  }
  const request = only(root.Request, "Request element");
  if (typeof request !== "object" || request === null) throw new BadRequest("the Request element is missing");
  const schema = only(request.AcceptableResponseSchema, "response schema");
  if (schema !== RESPONSE_SCHEMA) {
    throw new BadRequest(`only the Outlook response schema (${RESPONSE_SCHEMA}) is offered`);
  }
  const address = only(request.EMailAddress, "address");
  if (typeof address !== "string" || !ADDRESS.test(address)) {
    throw new BadRequest("the request does not name a valid e-mail address");
  }
  return address;
}

function protocolXml(server, address, settings) {
  const [local, domain] = address.split("@");
  const host = server.host.replaceAll("{domain}", domain.toLowerCase());
  const login = settings.username === "email" ? address : local;
  const [encryption, ssl] = ENCRYPTION[server.security];
  const lines = [
    `<Type>${server.type}</Type>`,
    `<Server>${escapeXml(host)}</Server>`,
    `<Port>${server.port}</Port>`,
    "<DomainRequired>off</DomainRequired>",
    `<LoginName>${escapeXml(login)}</LoginName>`,
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

/** The POX response for `address`: the recommended IMAP, POP3 and SMTP endpoints. */
export function responseXml(address, settings) {
  const protocols = settings.servers.map((s) => protocolXml(s, address, settings)).join("");
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    `<Autodiscover xmlns="${RESPONSE_ROOT}"><Response xmlns="${RESPONSE_SCHEMA}">` +
    `<Account><AccountType>email</AccountType><Action>settings</Action>${protocols}</Account>` +
    "</Response></Autodiscover>\n"
  );
}

/** Answer one HTTP request with `settings` (the JSON kbgen embeds). */
export async function answer(request, settings) {
  if (request.method !== "POST") {
    return text(405, "Autodiscover answers POST requests only", { Allow: "POST" });
  }
  try {
    const body = await readCapped(request, MAX_BODY);
    if (body === null) return text(413, `the request is larger than ${MAX_BODY} bytes`);
    const address = requestedAddress(body);
    return new Response(responseXml(address, settings), {
      status: 200,
      headers: {
        "Content-Type": "application/xml; charset=utf-8",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    if (error instanceof BadRequest) return text(400, `bad request: ${error.message}`);
    console.error("autodiscover: unexpected error", error); // the log, never the client, sees it
    return text(400, "bad request");
  }
}
