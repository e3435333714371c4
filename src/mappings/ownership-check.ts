// Save-time check across documents: the same host path given different owners (uid/gid) in
// two documents (a mapping without uid/gid changes no owner, so it disagrees with nobody). Each document is valid alone, and within one session the merge applies the
// winner's owner (the effective-mounts view reports it); but sessions of different images or
// groups each apply their own, so the folder's owner flips from launch to launch. Templates
// are compared as written (normalized): "/srv/users/{username}" in two documents is the same
// folder for every user. Templates that only meet for some values are left to the view.
import type { MappingDocument, MappingSpec } from './types.js';

export interface OtherDocument {
  /** how the message names it, e.g. `group "devs" (priority 10)` */
  label: string;
  doc: MappingDocument;
}

const owner = (s: MappingSpec) => `${s.uid ?? '-'}:${s.gid ?? '-'}`;

/** Both give a uid and they differ, or both a gid and they differ: each launch chowns to its own. */
function flips(a: MappingSpec, b: MappingSpec): boolean {
  return (a.uid !== undefined && b.uid !== undefined && a.uid !== b.uid) || (a.gid !== undefined && b.gid !== undefined && a.gid !== b.gid);
}

/** One message per (host path, other document) whose owner differs from this document's. */
export function ownershipDisagreements(doc: MappingDocument, others: OtherDocument[]): string[] {
  const out: string[] = [];
  for (const [hostPath, spec] of Object.entries(doc)) {
    for (const other of others) {
      const theirs = Object.hasOwn(other.doc, hostPath) ? other.doc[hostPath] : undefined;
      if (theirs === undefined || !flips(spec, theirs)) continue;
      out.push(
        `host path ${JSON.stringify(hostPath)} has uid:gid ${owner(spec)} here but ${owner(theirs)} in ${other.label}: ` +
          'sessions of each apply their own, so the folder\'s owner changes from launch to launch; give both the same uid/gid, or use separate folders',
      );
    }
  }
  return out;
}
