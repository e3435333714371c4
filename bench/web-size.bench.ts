// The size of what the browser downloads to show the sign-in and images pages: every script
// and stylesheet web/dist/index.html references (entry + modulepreload), gzipped (level 9,
// as a server or proxy would typically serve it). The UI has no lazy chunks, so both pages
// load the same files. Baseline: the budget of 300 KB gzipped of JavaScript.
// Run: node --import tsx bench/web-size.bench.ts   (builds web/dist first; --no-build to skip)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIST = join(ROOT, 'web/dist');
const BUDGET_JS_GZ = 300 * 1024;

if (!process.argv.includes('--no-build')) {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', 'web', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
}
const html = readFileSync(join(DIST, 'index.html'), 'utf8');
const refs = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
if (refs.length === 0) throw new Error(`web/dist/index.html references no /assets/*.js or *.css; expected the Vite entry`);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
let jsRaw = 0;
let jsGz = 0;
let cssGz = 0;
for (const ref of [...new Set(refs)]) {
  const body = readFileSync(join(DIST, ref));
  const gz = gzipSync(body, { level: 9 }).length;
  console.log(`${ref.padEnd(36)} ${kb(body.length).padStart(10)} raw ${kb(gz).padStart(10)} gzip`);
  if (ref.endsWith('.js')) {
    jsRaw += body.length;
    jsGz += gz;
  } else cssGz += gz;
}
console.log(`JavaScript loaded by the sign-in and images pages: ${kb(jsRaw)} raw, ${kb(jsGz)} gzipped (+ ${kb(cssGz)} CSS gzipped)`);
console.log(`baseline (budget): ${kb(BUDGET_JS_GZ)} gzipped; ratio measured/budget = ${(jsGz / BUDGET_JS_GZ).toFixed(2)}`);
