// The network guard: every outbound HTTP request Warden makes (webhook deliveries now, the crawler later)
// goes through it. It refuses URLs that are not plain http(s) or that carry credentials, and it refuses to
// connect to private, loopback, link-local and other non-public addresses unless the operator allowed
// them. The address check runs inside the connection itself, on the very addresses the socket is about to
// use: the guard resolves the name once, judges every address it got, and hands exactly those addresses
// to the socket, so there is no second lookup for a changing DNS answer (rebinding) to slip into.
// Time, response size (after decoding gzip, deflate or brotli) and redirects are bounded, and every
// redirect hop is checked like the first URL.
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, Headers, request } from 'undici';
import type { Dispatcher } from 'undici';
import { configEnvironment } from '../config/index.js';
import { isWardenError, WardenError } from '../errors/index.js';
import { AllowList, classifyAddress, parseIpAddress } from './addresses.js';
import type { AddressKind } from './addresses.js';
import { contentCodings, decodeBody, maxContentCodings } from './content-encoding.js';

export interface NetworkGuardOptions {
  /**
   * Hosts, addresses and CIDR networks that may be reached although they are not public, each optionally
   * with a port (`HOST[:PORT]`, `[IPV6]:PORT`); see {@link AllowList}.
   */
  allow?: readonly string[];
  /** Resolves a host name to all its addresses. Default: the system resolver, as any program uses. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

export interface FetchLimits {
  /** For the whole exchange: every redirect hop, the headers and the body. */
  timeoutMs: number;
  /**
   * Largest body accepted, as the caller receives it (decoded) and as it comes off the wire; a bigger one
   * is abandoned without being downloaded or decoded further.
   */
  maxBytes: number;
  /** Redirects followed before giving up; 0 refuses any redirect. */
  maxRedirects: number;
  /**
   * Return a redirect as the answer instead of following it (the crawler queues each hop as a URL of its
   * own, so every hop gets robots.txt, scope and politeness). maxRedirects is then not used.
   */
  returnRedirects?: boolean;
}

export interface GuardedRequest {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

const redirectStatuses = new Set([301, 302, 303, 307, 308]);
// Headers that must not follow a redirect to another origin (as browsers do), nor a body that was dropped.
const credentialHeaders = ['authorization', 'cookie', 'proxy-authorization'];
const contentHeaders = ['content-type', 'content-length', 'content-encoding', 'content-language'];

const kindPhrases: Record<AddressKind, string> = {
  public: 'a public address',
  unspecified: 'an unspecified address',
  loopback: 'a loopback address',
  private: 'a private network address',
  'carrier-grade-nat': 'a carrier-grade NAT address',
  'link-local': 'a link-local address',
  'unique-local': 'a unique local address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  documentation: 'a documentation address',
  benchmarking: 'a benchmarking address',
  reserved: 'a reserved address',
};

/**
 * Parses a URL and refuses what the guard never fetches: schemes other than http and https, and
 * credentials written into the URL. It does not resolve the host; the guard checks addresses when it
 * connects. Use it to validate URLs that are stored now and fetched later.
 */
export function checkUrl(url: string | URL, base?: URL): URL {
  let parsed: URL;
  try {
    parsed = new URL(url, base);
  } catch {
    throw new WardenError(
      'invalid_argument',
      `"${String(url).slice(0, 200)}" is not a valid URL: give an absolute URL such as https://example.org/path.`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new WardenError(
      'invalid_argument',
      `Only http:// and https:// URLs can be used; this one starts with ${parsed.protocol}.`,
    );
  }
  if (parsed.username !== '' || parsed.password !== '') {
    parsed.username = '';
    parsed.password = '';
    throw new WardenError(
      'invalid_argument',
      `URLs with credentials (user:password@) are refused, because they would be stored and logged in the clear: use ${parsed.href} and authenticate another way.`,
    );
  }
  return parsed;
}

/**
 * Fetches over HTTP(S) under the guard. One guard holds a pool of connections: create it once, share it,
 * and close it when done.
 */
export class NetworkGuard {
  private readonly allow: AllowList;
  private readonly resolve: (hostname: string) => Promise<LookupAddress[]>;
  private readonly agent: Agent;
  // One connector per port, because the allow-list may admit an address on some ports only and the
  // lookup hook is not told the port. Bounded, since hostile pages can name any port.
  private readonly connectors = new Map<number, buildConnector.connector>();
  // The address each origin's latest connection reached, for evidence ("which server answered").
  private readonly remoteAddresses = new Map<string, string>();

  constructor(options: NetworkGuardOptions = {}) {
    this.allow = new AllowList(options.allow ?? []);
    this.resolve = options.resolve ?? ((hostname) => lookup(hostname, { all: true }));
    this.agent = new Agent({
      connect: (options, callback) => {
        const port = portOf(options.protocol, options.port);
        // An address written in the URL is never looked up, so it is checked here instead.
        const refusal =
          parseIpAddress(options.hostname) === undefined
            ? undefined
            : this.refusal(options.hostname, options.hostname, port);
        if (refusal !== undefined) return callback(refusal, null);
        this.connectorFor(port)(options, (error, socket) => {
          if (socket?.remoteAddress !== undefined)
            this.noteAddress(options.hostname, port, socket.remoteAddress);
          if (error === null) callback(null, socket);
          else callback(error, null);
        });
      },
    });
  }

  /**
   * Decides whether the guard would connect for this URL, exactly as `fetch` decides at connect time (the
   * same resolver, the same rules, the same allow-list), without connecting: the addresses it would use,
   * or a WardenError saying why not. For deciding about a URL before queueing it; `fetch` decides again
   * when it connects, so a changed DNS answer is still caught.
   */
  async check(url: string | URL): Promise<{ url: URL; port: number; addresses: string[] }> {
    const parsed = checkUrl(url);
    const port = portOf(parsed.protocol, parsed.port);
    const literal = parseIpAddress(parsed.hostname);
    if (literal !== undefined) {
      const refusal = this.refusal(parsed.hostname, parsed.hostname, port);
      if (refusal !== undefined) throw refusal;
      return { url: parsed, port, addresses: [parsed.hostname.replace(/^\[|\]$/g, '')] };
    }
    const resolved = await this.admitted(parsed.hostname, port);
    return { url: parsed, port, addresses: resolved.map((entry) => entry.address) };
  }

  /**
   * Sends a request and follows redirects (each hop checked again), within the limits. Resolves once the
   * response headers are in: read or discard the body with the returned response. Policy refusals
   * (URL, address, size, redirects) are WardenErrors; time-outs and network failures are plain errors,
   * which may succeed on another try.
   */
  async fetch(url: string | URL, init: GuardedRequest, limits: FetchLimits): Promise<GuardedResponse> {
    let current = checkUrl(url);
    const start = current.href;
    const deadline = AbortSignal.timeout(limits.timeoutMs);
    const signal = init.signal === undefined ? deadline : AbortSignal.any([init.signal, deadline]);
    const explain = (error: unknown): unknown =>
      deadline.aborted && init.signal?.aborted !== true
        ? new Error(`No complete answer from ${current.origin} within ${limits.timeoutMs} ms.`, {
            cause: error,
          })
        : error;
    let method = (init.method ?? 'GET').toUpperCase();
    let body = init.body;
    const headers = Object.fromEntries(
      Object.entries(init.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const redirects: string[] = [];
    for (;;) {
      let answer: Dispatcher.ResponseData;
      try {
        answer = await request(current, { dispatcher: this.agent, method, headers, body, signal });
      } catch (error) {
        throw explain(error);
      }
      const location = redirectStatuses.has(answer.statusCode)
        ? firstHeader(answer.headers.location)
        : undefined;
      if (location === undefined || limits.returnRedirects === true) {
        const address = this.remoteAddresses.get(
          `${current.hostname}:${portOf(current.protocol, current.port)}`,
        );
        return new GuardedResponse(current.href, answer, redirects, address ?? '', limits.maxBytes, explain);
      }
      // A redirect's own body is of no interest; failing to drain it only costs the connection.
      await answer.body.dump().catch(() => undefined);
      const next = checkUrl(location, current);
      if (redirects.length >= limits.maxRedirects) {
        throw new WardenError(
          'unavailable',
          limits.maxRedirects === 0
            ? `${current.href} answered with a redirect to ${next.href}; redirects are not followed here, so use the final URL.`
            : `${start} redirected more than ${limits.maxRedirects} times (the last hop was to ${next.href}).`,
        );
      }
      // As browsers do: 303 turns into GET, and so do 301 and 302 after a POST; the body is dropped.
      const status = answer.statusCode;
      if ((status === 303 && method !== 'GET' && method !== 'HEAD') || (status <= 302 && method === 'POST')) {
        method = 'GET';
        body = undefined;
        for (const name of contentHeaders) delete headers[name];
      }
      if (next.origin !== current.origin) for (const name of credentialHeaders) delete headers[name];
      redirects.push(next.href);
      current = next;
    }
  }

  private noteAddress(hostname: string, port: number, address: string): void {
    const key = `${hostname}:${port}`;
    this.remoteAddresses.delete(key);
    if (this.remoteAddresses.size >= 10_000) {
      this.remoteAddresses.delete(this.remoteAddresses.keys().next().value ?? key);
    }
    this.remoteAddresses.set(key, address);
  }

  /** Closes the pooled connections once the requests in flight are done. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private connectorFor(port: number): buildConnector.connector {
    let connector = this.connectors.get(port);
    if (connector === undefined) {
      if (this.connectors.size >= 64) this.connectors.delete(this.connectors.keys().next().value ?? port);
      connector = buildConnector({ lookup: this.lookupFor(port) });
      this.connectors.set(port, connector);
    }
    return connector;
  }

  /** Resolves a name once and refuses it unless every address it resolves to may be reached. */
  private async admitted(hostname: string, port: number): Promise<LookupAddress[]> {
    const resolved = await this.resolve(hostname);
    // One refused address refuses the host: a name that mixes public and private answers is suspect.
    for (const { address } of resolved) {
      const refusal = this.refusal(hostname, address, port);
      if (refusal !== undefined) throw refusal;
    }
    if (resolved.length === 0) throw new Error(`${hostname} has no address.`);
    return resolved;
  }

  // The socket's only lookup: it connects to the addresses judged here and to nothing else.
  private lookupFor(port: number): LookupFunction {
    return (hostname, options, callback) => {
      const family =
        options.family === 4 || options.family === 'IPv4'
          ? 4
          : options.family === 6 || options.family === 'IPv6'
            ? 6
            : 0;
      this.admitted(hostname, port)
        .then((resolved) => {
          const usable = resolved.filter((entry) => family === 0 || entry.family === family);
          const first = usable[0];
          if (first === undefined) throw new Error(`${hostname} has no IPv${family} address.`);
          if (options.all === true) callback(null, usable);
          else callback(null, first.address, first.family);
        })
        .catch((error: unknown) => callback(error as NodeJS.ErrnoException, ''));
    };
  }

  private refusal(hostname: string, addressText: string, port: number): WardenError | undefined {
    if (this.allow.allowsHost(hostname, port)) return undefined;
    const address = parseIpAddress(addressText);
    const kind = address === undefined ? undefined : classifyAddress(address);
    if (address !== undefined && (kind === 'public' || this.allow.allowsAddress(address, port)))
      return undefined;
    const literal = hostname.replace(/^\[(.*)\]$/, '$1');
    // An IPv6 literal in brackets, so that the colon after it reads as punctuation.
    const subject =
      literal !== addressText.replace(/^\[(.*)\]$/, '$1')
        ? `${hostname} (${addressText})`
        : address?.family === 6
          ? `[${literal}]`
          : literal;
    const ports = this.allow.portsAllowedFor(hostname, address);
    const advice =
      ports.length > 0
        ? `${configEnvironment.networkAllow} admits it on port ${ports.join(', ')} only, not on port ${port}.`
        : `If this host is meant to be reached, add it (HOST or HOST:PORT) or its network to ${configEnvironment.networkAllow}.`;
    return new WardenError(
      'forbidden',
      `Refused to connect to ${subject}: it is ${kind === undefined ? 'not an IP address' : kindPhrases[kind]}, and Warden only connects to public addresses. ${advice}`,
      { host: hostname, address: addressText, port, kind: kind ?? 'invalid' },
    );
  }
}

/** The port a connection goes to: the URL's, or the scheme's default. */
function portOf(protocol: string, port: string | number | null | undefined): number {
  const number = Number(port);
  return Number.isInteger(number) && number > 0 ? number : protocol === 'https:' ? 443 : 80;
}

/** A response whose headers are in; its body is read (bounded) or discarded once. */
export class GuardedResponse {
  /** The URL that answered, after redirects. */
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  /** Every URL redirected to, in order. */
  readonly redirects: readonly string[];
  /** The server's IP address the connection reached ('' if unknown). */
  readonly address: string;
  private readonly body: Dispatcher.ResponseData['body'];

  constructor(
    url: string,
    answer: Dispatcher.ResponseData,
    redirects: readonly string[],
    address: string,
    private readonly maxBytes: number,
    private readonly explain: (error: unknown) => unknown,
  ) {
    this.url = url;
    this.status = answer.statusCode;
    this.headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const item of Array.isArray(value) ? value : [value])
        if (item !== undefined) this.headers.append(name, item);
    }
    this.redirects = redirects;
    this.address = address.replace(/^::ffff:/, '');
    this.body = answer.body;
  }

  /**
   * The whole body, decoded if the server sent it gzip, deflate or brotli encoded (the headers stay as
   * sent). Refused with a `too_large` WardenError as soon as the decoded body, or the body as it comes
   * off the wire, passes the size limit; with an `unavailable` WardenError if it does not decode.
   */
  async readBody(): Promise<Buffer> {
    const declared = Number(this.headers.get('content-length') ?? Number.NaN);
    if (declared > this.maxBytes) {
      this.abandonBody();
      throw this.tooLarge();
    }
    const codings = contentCodings(this.headers.get('content-encoding'));
    if (codings === undefined) {
      this.abandonBody();
      throw new WardenError(
        'unavailable',
        `The response from ${this.url} is encoded more than ${maxContentCodings} times over (Content-Encoding: ${this.headers.get('content-encoding')}); Warden does not unwrap it.`,
      );
    }
    let raw = 0;
    const decoded = decodeBody(this.body, codings, (chunk) => {
      raw += chunk.length;
      // Thrown inside the pipeline, which then tears down the decoders and the connection.
      if (raw > this.maxBytes) throw this.tooLarge();
    });
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of decoded.stream) {
        size += chunk.length;
        if (size > this.maxBytes) {
          decoded.stream.destroy();
          throw this.tooLarge();
        }
        chunks.push(chunk);
      }
    } catch (error) {
      if (decoded.decodeFailed() && !isWardenError(error)) {
        // An empty body (HEAD, 204) has nothing to decode, whatever its header says.
        if (raw === 0) return Buffer.alloc(0);
        throw new WardenError(
          'unavailable',
          `The response from ${this.url} is not valid ${codings.join(' in ')} data, although its Content-Encoding says so: ${error instanceof Error ? error.message : String(error)}.`,
        );
      }
      throw this.explain(error);
    }
    return Buffer.concat(chunks, size);
  }

  /** Drops the body and its connection at once; the abort it reports is expected, not a failure. */
  private abandonBody(): void {
    this.body.on('error', () => undefined);
    this.body.destroy();
  }

  /** Lets the connection go without reading the body. */
  async discardBody(): Promise<void> {
    // A failure here only means the connection is not reused; the caller has what it needed.
    await this.body.dump().catch(() => undefined);
  }

  private tooLarge(): WardenError {
    return new WardenError(
      'too_large',
      `The response from ${this.url} is larger than ${this.maxBytes} bytes, the limit for this request; it was not downloaded further.`,
      { limit: this.maxBytes },
    );
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether an HTTP status says "not now" rather than "no": a server error, a timeout or a rate limit may
 * pass; any other failure status will not change by trying again. The one place this is decided.
 */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
