// Validate-as-you-type for volume-mapping documents with the server's own parser (the pure
// mappings domain, bundled): same rules, same messages. Each problem gets the editor line
// it concerns, found from its location (`"/var/kasm_user_share".uid` -> the line of "uid"
// inside that mapping).
import { parseMappingDocument, formatMappingError } from '../../src/mappings/index.js';
import { DOCUMENT_LOCATION } from '../../src/mappings/location.js';

export interface LintProblem { line: number; location: string; message: string; text: string }
export interface LintResult { ok: boolean; problems: LintProblem[] }

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `"/x".uid[0]` -> ['/x', 'uid', 0]; null when the location is not a path */
export function locationParts(location: string): Array<string | number> | null {
  const head = /^"(?:[^"\\]|\\.)*"/.exec(location);
  if (!head) return null;
  const parts: Array<string | number> = [JSON.parse(head[0]) as string];
  const rest = /\.([A-Za-z_][A-Za-z0-9_]*)|\.("(?:[^"\\]|\\.)*")|\[(\d+)\]/gy;
  rest.lastIndex = head[0].length;
  for (let m = rest.exec(location); m; m = rest.exec(location)) {
    parts.push(m[1] ?? (m[2] ? (JSON.parse(m[2]) as string) : Number(m[3])));
  }
  return parts;
}

/** The 1-based line a problem concerns, or 1 when it cannot be placed. */
export function lineForLocation(text: string, location: string, message = ''): number {
  if (location === DOCUMENT_LOCATION || location === '') {
    const m = /at line (\d+)/.exec(message);
    return m ? Number(m[1]) : 1;
  }
  const parts = locationParts(location);
  if (!parts) return 1;
  let from = 0;
  let line = 1;
  for (const part of parts) {
    if (typeof part === 'number') break;
    const re = new RegExp(`${escapeRe(JSON.stringify(part))}\\s*:`, 'g');
    re.lastIndex = from;
    const m = re.exec(text);
    if (!m) break;
    from = m.index + m[0].length;
    line = lineOf(text, m.index);
  }
  return line;
}

export function lintMappings(text: string): LintResult {
  if (text.trim() === '') return { ok: true, problems: [] };
  const result = parseMappingDocument(text);
  if (result.ok) return { ok: true, problems: [] };
  const problems = result.errors.map((e) => ({ line: lineForLocation(text, e.location, e.message), location: e.location, message: e.message, text: formatMappingError(e) }));
  return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
}

/** The server names a mapping problem `volume_mappings."/x".uid`: back to a document location. */
export function serverLocation(field: string, prefix: string): string {
  return field === prefix ? DOCUMENT_LOCATION : field.slice(prefix.length + 1);
}
