// The evidence domain: media kept as proof, content-addressed by SHA-256 and encrypted at rest
// (AES-256-GCM), rendered for analysts blurred and in greyscale by default, and fetched from reported
// URLs under the network guard. Other domains import only from here.
export { EvidenceStore, describeEvidence, evidenceWithDigest, getEvidence } from './store.js';
export type { EvidenceItem, EvidenceStoreOptions, KnownHashes } from './store.js';
export type { EvidenceView, RenderOptions, RenderedImage } from './render.js';
export { fetchMedia } from './fetch-media.js';
export type { FetchMediaLimits, FetchMediaResult, FetchedMedia } from './fetch-media.js';
export { sniffMime, isImageMime } from './sniff.js';
export { linksAndMediaOnPage, mediaKindOfUrl, mediaType, pageText } from './page-links.js';
export type { PageLinksAndMedia, PageMedia, PageMediaKind } from './page-links.js';
export { evidenceKeyFileName } from './key.js';
