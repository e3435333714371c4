// Every shape the API sends, defined once (zod) and used by the server's routes (their
// response schemas, hence the serializer and the OpenAPI document), the CLI and the web UI
// (types only: the browser bundle does not carry zod). Pure: no node:* and, from src/, only
// other pure modules (.dependency-cruiser.cjs, PURE_FOR_WEB).
export * from './error.js';
export * from './records.js';
export * from './mounts.js';
export * from './session.js';
export * from './access.js';
export * from './nodes.js';
export * from './storage.js';
