// The content pipeline: the one path from content, whatever its source, to matches, a verdict, a report,
// a webhook event and the audit (see pipeline.ts).
export { ContentPipeline, evidenceSignals } from './pipeline.js';
export type { Assessment, Content, ContentItem, ContentOutcome, PipelineDependencies } from './pipeline.js';
