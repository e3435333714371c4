// A small strict JSON parser that, unlike JSON.parse, reports keys that appear twice in
// one object (JSON.parse silently keeps the last). Objects are built without a prototype
// so a key such as "__proto__" is an ordinary key.
import { pointerOf } from './location.js';
import type { TextPosition } from './types.js';

export interface DuplicateKey {
  /** the path of the object holding the key, from the root */
  path: Array<string | number>;
  key: string;
  firstLine: number;
  line: number;
}

export type JsonTextResult =
  /**
   * rootEntries: every key/value of a top-level object in order, duplicates included;
   * positions: where each key first appears, by JSON pointer (location.ts pointerOf)
   */
  | { ok: true; value: unknown; duplicates: DuplicateKey[]; rootEntries: Array<[string, unknown]> | null; positions: Map<string, TextPosition> }
  /** line and column: where the text stops being JSON */
  | { ok: false; message: string; line: number; column: number };

const MAX_DEPTH = 64;

class JsonSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
  }
}

export function parseJsonText(text: string): JsonTextResult {
  const parser = new Parser(text);
  try {
    const value = parser.parseDocument();
    return { ok: true, value, duplicates: parser.duplicates, rootEntries: parser.rootEntries, positions: parser.positions };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return { ok: false, message: error.message, line: error.line, column: error.column };
    throw error;
  }
}

class Parser {
  readonly duplicates: DuplicateKey[] = [];
  /** so that the value of a duplicated host path is validated too, not silently dropped */
  rootEntries: Array<[string, unknown]> | null = null;
  readonly positions = new Map<string, TextPosition>();
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    // A UTF-8 byte-order mark is common in files saved by Windows editors; tolerate it.
    if (this.text.charCodeAt(0) === 0xfeff) this.pos = 1;
    this.skipSpace();
    if (this.pos >= this.text.length) this.fail('the input is empty', 'a JSON object');
    const value = this.parseValue([], 0);
    this.skipSpace();
    if (this.pos < this.text.length) this.fail(`unexpected ${this.describeHere()} after the end of the JSON value`, 'nothing more');
    return value;
  }

  private parseValue(path: Array<string | number>, depth: number): unknown {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`, 'a shallower document');
    const ch = this.text[this.pos];
    if (ch === '{') return this.parseObject(path, depth);
    if (ch === '[') return this.parseArray(path, depth);
    if (ch === '"') return this.parseString();
    if (ch === '-' || (ch !== undefined && ch >= '0' && ch <= '9')) return this.parseNumber();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return value;
      }
    }
    return this.fail(`unexpected ${this.describeHere()}`, 'a JSON value');
  }

  private parseObject(path: Array<string | number>, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    const lines = new Map<string, number>();
    this.pos++; // {
    this.skipSpace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.text[this.pos] !== '"') this.fail(`unexpected ${this.describeHere()}`, 'a double-quoted key');
      const line = this.lineAt(this.pos);
      const column = this.columnAt(this.pos);
      const key = this.parseString();
      const firstLine = lines.get(key);
      if (firstLine !== undefined) this.duplicates.push({ path: [...path], key, firstLine, line });
      else {
        lines.set(key, line);
        this.positions.set(pointerOf([...path, key]), { line, column });
      }
      this.skipSpace();
      this.expect(':', 'a ":" after the key');
      this.skipSpace();
      const value = this.parseValue([...path, key], depth + 1);
      out[key] = value;
      if (depth === 0) (this.rootEntries ??= []).push([key, value]);
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect('}', 'a "," or "}"');
      return out;
    }
  }

  private parseArray(path: Array<string | number>, depth: number): unknown[] {
    const out: unknown[] = [];
    this.pos++; // [
    this.skipSpace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.parseValue([...path, out.length], depth + 1));
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        continue;
      }
      this.expect(']', 'a "," or "]"');
      return out;
    }
  }

  private parseString(): string {
    const start = this.pos;
    this.pos++; // opening quote
    let out = '';
    let chunkStart = this.pos;
    for (;;) {
      if (this.pos >= this.text.length) {
        this.pos = start;
        this.fail('a string that never ends', 'a closing "');
      }
      const code = this.text.charCodeAt(this.pos);
      if (code === 0x22) {
        out += this.text.slice(chunkStart, this.pos);
        this.pos++;
        return out;
      }
      if (code < 0x20) this.fail(`a raw control character U+${code.toString(16).padStart(4, '0').toUpperCase()} inside a string`, 'it escaped, e.g. "\\n"');
      if (code === 0x5c) {
        out += this.text.slice(chunkStart, this.pos);
        out += this.parseEscape();
        chunkStart = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private parseEscape(): string {
    const ch = this.text[this.pos + 1];
    const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
    if (ch !== undefined && ch in simple) {
      this.pos += 2;
      return simple[ch]!;
    }
    if (ch === 'u') {
      const hex = this.text.slice(this.pos + 2, this.pos + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('a malformed \\u escape', 'four hexadecimal digits after \\u');
      this.pos += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    return this.fail('an unknown escape sequence', 'one of \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX');
  }

  private parseNumber(): number {
    const match = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!match) return this.fail(`a malformed number`, 'a JSON number such as 1000 or 2.5');
    this.pos += match[0].length;
    return Number(match[0]);
  }

  private expect(ch: string, expected: string): void {
    if (this.text[this.pos] !== ch) this.fail(`unexpected ${this.describeHere()}`, expected);
    this.pos++;
  }

  private skipSpace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private describeHere(): string {
    if (this.pos >= this.text.length) return 'end of input';
    return JSON.stringify(this.text[this.pos]);
  }

  // Keys are met in increasing position: count newlines incrementally (linear overall).
  private lineCursor = 0;
  private lineCount = 1;
  private lineAt(pos: number): number {
    if (pos < this.lineCursor) {
      this.lineCursor = 0;
      this.lineCount = 1;
    }
    for (; this.lineCursor < pos; this.lineCursor++) if (this.text.charCodeAt(this.lineCursor) === 0x0a) this.lineCount++;
    return this.lineCount;
  }

  private columnAt(pos: number): number {
    return pos - this.text.lastIndexOf('\n', pos - 1);
  }

  private fail(found: string, expected: string): never {
    const line = this.lineAt(this.pos);
    const column = this.columnAt(this.pos);
    throw new JsonSyntaxError(`not valid JSON: ${found} at line ${line}, column ${column}; expected ${expected}`, line, column);
  }
}
