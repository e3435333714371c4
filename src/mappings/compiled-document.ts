// A document prepared once for every resolution that follows: its keys read once, each host
// path and bind either fixed (token-free: the same for every user) or split around its tokens.
// Only frozen documents are prepared (normalization freezes what it returns, see
// freezeMappingDocument): a document that can still change could make a prepared copy lie.
import { compiledTemplate, type TokenTemplate } from './fast-expand.js';
import { expandSlow } from './tokens.js';
import type { MappingDocument, MappingSpec } from './types.js';

/** A fixed string (its expansion for every user) or a template with tokens. */
export type CompiledPath = string | TokenTemplate;

export interface CompiledDocument {
  keys: string[];
  specs: MappingSpec[];
  hosts: CompiledPath[];
  binds: CompiledPath[];
}

/** null: the document cannot be prepared (see compiledDocument); WeakMap: gone with the document. */
const prepared = new WeakMap<MappingDocument, CompiledDocument | null>();

/** Makes a normalized document immutable, so resolutions may prepare it once (see above). */
export function freezeMappingDocument(doc: MappingDocument): MappingDocument {
  for (const key of Object.keys(doc)) Object.freeze(doc[key]);
  return Object.freeze(doc);
}

/**
 * The prepared form of a document, or null when it cannot be prepared: it is not frozen, or a
 * template needs the full checks at every expansion (merge-general.ts then does everything).
 */
export function compiledDocument(doc: MappingDocument): CompiledDocument | null {
  if (!Object.isFrozen(doc)) return null;
  let compiled = prepared.get(doc);
  if (compiled === undefined) {
    compiled = compile(doc);
    prepared.set(doc, compiled);
  }
  return compiled;
}

function compile(doc: MappingDocument): CompiledDocument | null {
  const keys = Object.keys(doc);
  const specs: MappingSpec[] = [];
  const hosts: CompiledPath[] = [];
  const binds: CompiledPath[] = [];
  for (const key of keys) {
    const spec = doc[key]!;
    if (!Object.isFrozen(spec)) return null;
    const host = compilePath(key);
    const bind = compilePath(spec.bind);
    if (host === null || bind === null) return null;
    specs.push(spec);
    hosts.push(host);
    binds.push(bind);
  }
  return { keys, specs, hosts, binds };
}

const ANY_TOKENS = { username: 'u', user_id: '00000000-0000-0000-0000-000000000000', image_id: '00000000-0000-0000-0000-000000000000' };

function compilePath(template: string): CompiledPath | null {
  const compiled = compiledTemplate(template);
  if (compiled === true) return template;
  if (compiled !== null) return compiled;
  if (template.includes('{')) return null;
  // Token-free but outside the fast path's alphabet (e.g. non-ASCII): its expansion does not
  // depend on the user, so the full check runs once here; a failure is reported by merge-general.ts.
  try {
    return expandSlow(template, ANY_TOKENS, '');
  } catch {
    return null;
  }
}
