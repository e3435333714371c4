// How errors name their place: `"/var/kasm_user_share".uid`, `"/x"`, `(document)`.

export const DOCUMENT_LOCATION = '(document)';

/** The same place as data: a JSON pointer (RFC 6901) into the document, e.g. `/~1var~1kasm_user_share/uid`. */
export function pointerOf(path: ReadonlyArray<string | number>): string {
  return path.map((p) => `/${String(p).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

const PLAIN_FIELD = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** path[0] is a host-path key (always JSON-quoted); deeper parts are fields or array indexes. */
export function formatLocation(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return DOCUMENT_LOCATION;
  let out = JSON.stringify(String(path[0]));
  for (const part of path.slice(1)) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += PLAIN_FIELD.test(part) ? `.${part}` : `.${JSON.stringify(part)}`;
  }
  return out;
}
