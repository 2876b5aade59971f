/**
 * nodex: the SDK entry point. `import { Nodex, tool, jsonSchemaFormat } from 'nodex'`.
 * The canonical types (stream events v1, requests, responses) and the mock provider are exported
 * too, for custom providers and tests.
 */
export * from './core/index.js';
export { MockProvider, type MockProviderOptions } from './providers/mock/mock-provider.js';
export * from './sdk/index.js';
