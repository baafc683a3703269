// The network domain: the guard that every outbound HTTP request goes through, and the address rules
// it applies.
export { NetworkGuard, GuardedResponse, checkUrl, retryableStatus } from './guard.js';
export type { NetworkGuardOptions, FetchLimits, GuardedRequest } from './guard.js';
export { AllowList, classifyAddress, parseIpAddress } from './addresses.js';
export { normaliseUrl, maxUrlLength } from './urls.js';
export type { AddressKind, IpAddress } from './addresses.js';
export { GeoIpTable } from './geo.js';
