// The "Volume Mappings" JSON editor: a text area with a line-number gutter that marks the
// lines with problems (validated as you type, see mapping-lint.ts), the problems listed
// under it with their line, and the server's own problems (after a refused save) too.
import { useMemo, useRef, type UIEvent } from 'react';
import { lintMappings, serverProblems as placed } from '../mapping-lint.js';
import type { FieldValidation } from '../../../src/api/wire/index.js';

export interface MappingEditorProps {
  id: string;
  value: string;
  onChange(text: string): void;
  /** problems the server reported for this field (each with its pointer, and line in the text sent) */
  serverProblems?: FieldValidation[];
  /** the field's JSON pointer in the request body, e.g. /volume_mappings */
  fieldPointer: string;
  /** the text the server judged: its problems are shown only while the text is unchanged */
  serverText?: string | null;
}

export function MappingEditor({ id, value, onChange, serverProblems = [], fieldPointer, serverText = null }: MappingEditorProps) {
  const lint = useMemo(() => lintMappings(value), [value]);
  const server = serverText === value ? placed(serverProblems, fieldPointer, value) : [];
  const problems = lint.problems.length > 0 ? lint.problems : server;
  const bad = new Set(problems.map((p) => p.line));
  const lines = value.split('\n').length;
  const gutter = useRef<HTMLDivElement>(null);
  const onScroll = (e: UIEvent<HTMLTextAreaElement>) => {
    if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
  };
  return (
    <div className="mapping-editor">
      <div className={`editor-box${problems.length ? ' has-errors' : ''}`}>
        <div className="gutter" ref={gutter} aria-hidden="true">
          {Array.from({ length: Math.max(lines, 1) }, (_, i) => (
            <div key={i} className={bad.has(i + 1) ? 'bad' : undefined} data-line={i + 1}>{bad.has(i + 1) ? '● ' : ''}{i + 1}</div>
          ))}
        </div>
        <textarea
          id={id} value={value} spellCheck={false} wrap="off" rows={Math.min(Math.max(lines + 1, 8), 24)}
          aria-invalid={problems.length > 0} aria-describedby={`${id}-problems`}
          onChange={(e) => onChange(e.target.value)} onScroll={onScroll}
        />
      </div>
      <ul id={`${id}-problems`} className="problems" aria-live="polite">
        {problems.map((p, i) => (
          <li key={i} className="problem" data-line={p.line}><span className="line">line {p.line}</span> {p.text}</li>
        ))}
        {problems.length === 0 && value.trim() !== '' && <li className="ok">Valid mapping document</li>}
      </ul>
    </div>
  );
}

/** Whether the editor's text may be saved (the server would accept its syntax and rules). */
export const mappingTextValid = (text: string) => lintMappings(text).ok;
