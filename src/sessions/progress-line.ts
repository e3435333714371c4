// One line of text per session progress event (GET /sessions/ID/events), shared by the CLI
// (`tether session launch`) and the web UI's session page so both tell the same story.
// Pure: no node:* imports and no server code, because the web build bundles this file.

/** The text of one progress event; `data` is the event's data object as the server sent it. */
export function progressLine(type: string, d: Record<string, unknown>): string {
  const s = (k: string) => String(d[k] ?? '');
  switch (type) {
    case 'state': return `state: ${s('state')}${d.error ? ` (${(d.error as { class: string }).class}: ${(d.error as { message: string }).message})` : ''}`;
    case 'image.pull': return `image: ${s('status')}${d.id ? ` ${s('id')}` : ''}`;
    // `created` lists the folders the preparation made; an empty list means none (not "created")
    case 'mapping.prepared': return `mapping ${s('mapping')}: prepared${Array.isArray(d.created) && d.created.length > 0 ? ` (created ${d.created.join(', ')})` : ''}`;
    case 'mapping.checked': return `mapping ${s('mapping')}: checked (${s('ms')} ms)`;
    case 'mapping.skipped': return `mapping ${s('mapping')}: check skipped (skip_check)`;
    case 'mapping.failed': return `mapping ${s('mapping')}: FAILED ${s('class')}${d.required === false ? ' (optional: left out)' : ''}: ${s('message')}`;
    case 'container.created': return `container created ${s('container_id').slice(0, 12)}`;
    case 'container.started': return 'container started';
    case 'container.removed': return `container removed ${s('container_id').slice(0, 12)}`;
    case 'profile': return profileLine(d);
    case 'warning': return `warning: ${s('class')}: ${s('message')}`;
    default: return `${type}`;
  }
}

/** The persistent profile's events: created (and seeded), or reset with what was removed. */
function profileLine(d: Record<string, unknown>): string {
  const removed = d.removed as { entries: number; bytes: number } | null | undefined;
  const seeded = d.seeded as { entries: number } | null | undefined;
  if (removed !== undefined) return `profile ${String(d.host_path)}: reset (${removed ? `${removed.entries} entries, ${removed.bytes} bytes removed` : 'nothing to remove'})`;
  const what = d.reset ? 'replaced by a fresh one' : 'created';
  return `profile ${String(d.host_path)}: ${what}${seeded ? `, seeded with ${seeded.entries} entries from the image's home` : ''}`;
}

/**
 * A filter for a stream of progress lines: an image pull reports every chunk, which mostly
 * repeats the previous pull line, so a pull line equal to the last one shown is dropped.
 * One filter per stream (it remembers the last pull line).
 */
export function repeatedPullFilter(): (type: string, line: string) => boolean {
  let lastPull = '';
  return (type, line) => {
    if (type !== 'image.pull') return true;
    if (line === lastPull) return false;
    lastPull = line;
    return true;
  };
}
