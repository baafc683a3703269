// The network guard: every outbound HTTP request Warden makes (webhook deliveries now, the crawler later)
// goes through it. It refuses URLs that are not plain http(s) or that carry credentials, and it refuses to
// connect to private, loopback, link-local and other non-public addresses unless the operator allowed
// them. The address check runs inside the connection itself, on the very addresses the socket is about to
// use, so a DNS answer that changes between an earlier check and the connect (rebinding) cannot slip by.
// Time, response size and redirects are bounded, and every redirect hop is checked like the first URL.
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import { Agent, buildConnector, Headers, request } from 'undici';
import type { Dispatcher } from 'undici';
import { configEnvironment } from '../config/index.js';
import { WardenError } from '../errors/index.js';
import { AllowList, classifyAddress, parseIpAddress } from './addresses.js';
import type { AddressKind } from './addresses.js';

export interface NetworkGuardOptions {
  /** Hosts, addresses and CIDR networks that may be reached although they are not public. */
  allow?: readonly string[];
  /** Resolves a host name to all its addresses. Default: the system resolver, as any program uses. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

export interface FetchLimits {
  /** For the whole exchange: every redirect hop, the headers and the body. */
  timeoutMs: number;
  /** Largest body accepted; a bigger one is abandoned without being downloaded further. */
  maxBytes: number;
  /** Redirects followed before giving up; 0 refuses any redirect. */
  maxRedirects: number;
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

  constructor(options: NetworkGuardOptions = {}) {
    this.allow = new AllowList(options.allow ?? []);
    this.resolve = options.resolve ?? ((hostname) => lookup(hostname, { all: true }));
    const connectSocket = buildConnector({ lookup: this.lookup });
    this.agent = new Agent({
      connect: (options, callback) => {
        // An address written in the URL is never looked up, so it is checked here instead.
        const refusal =
          parseIpAddress(options.hostname) === undefined
            ? undefined
            : this.refusal(options.hostname, options.hostname);
        if (refusal === undefined) connectSocket(options, callback);
        else callback(refusal, null);
      },
    });
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
      if (location === undefined) {
        return new GuardedResponse(current.href, answer, redirects, limits.maxBytes, explain);
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

  /** Closes the pooled connections once the requests in flight are done. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private readonly lookup: LookupFunction = (hostname, options, callback) => {
    const family =
      options.family === 4 || options.family === 'IPv4'
        ? 4
        : options.family === 6 || options.family === 'IPv6'
          ? 6
          : 0;
    this.resolve(hostname)
      .then((resolved) => {
        // One refused address refuses the host: a name that mixes public and private answers is suspect.
        for (const { address } of resolved) {
          const refusal = this.refusal(hostname, address);
          if (refusal !== undefined) throw refusal;
        }
        const usable = resolved.filter((entry) => family === 0 || entry.family === family);
        const first = usable[0];
        if (first === undefined)
          throw new Error(`${hostname} has no IPv${family === 0 ? '4 or IPv6' : family} address.`);
        if (options.all === true) callback(null, usable);
        else callback(null, first.address, first.family);
      })
      .catch((error: unknown) => callback(error as NodeJS.ErrnoException, ''));
  };

  private refusal(hostname: string, addressText: string): WardenError | undefined {
    if (this.allow.allowsHost(hostname)) return undefined;
    const address = parseIpAddress(addressText);
    const kind = address === undefined ? undefined : classifyAddress(address);
    if (address !== undefined && (kind === 'public' || this.allow.allowsAddress(address))) return undefined;
    const subject = hostname === addressText ? addressText : `${hostname} (${addressText})`;
    return new WardenError(
      'forbidden',
      `Refused to connect to ${subject}: it is ${kind === undefined ? 'not an IP address' : kindPhrases[kind]}, and Warden only connects to public addresses. If this host is meant to be reached, add it or its network to ${configEnvironment.networkAllow}.`,
      { host: hostname, address: addressText, kind: kind ?? 'invalid' },
    );
  }
}

/** A response whose headers are in; its body is read (bounded) or discarded once. */
export class GuardedResponse {
  /** The URL that answered, after redirects. */
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  /** Every URL redirected to, in order. */
  readonly redirects: readonly string[];
  private readonly body: Dispatcher.ResponseData['body'];

  constructor(
    url: string,
    answer: Dispatcher.ResponseData,
    redirects: readonly string[],
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
    this.body = answer.body;
  }

  /** The whole body; refused with a `too_large` WardenError as soon as it passes the size limit. */
  async readBody(): Promise<Buffer> {
    const declared = Number(this.headers.get('content-length') ?? Number.NaN);
    if (declared > this.maxBytes) this.tooLarge();
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of this.body as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > this.maxBytes) this.tooLarge();
        chunks.push(chunk);
      }
    } catch (error) {
      throw this.explain(error);
    }
    return Buffer.concat(chunks, size);
  }

  /** Lets the connection go without reading the body. */
  async discardBody(): Promise<void> {
    // A failure here only means the connection is not reused; the caller has what it needed.
    await this.body.dump().catch(() => undefined);
  }

  private tooLarge(): never {
    this.body.destroy();
    throw new WardenError(
      'too_large',
      `The response from ${this.url} is larger than ${this.maxBytes} bytes, the limit for this request; it was not downloaded further.`,
      { limit: this.maxBytes },
    );
  }
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
