/* global module */
// Dependencies point one way (README, Layout). `npm run lint` runs this through
// dependency-cruiser: an import cycle, or an import from a layer to one above it, fails.
//
// LAYERS says, for each folder of src/, which folders it may import directly; a folder may
// also import whatever those may (the closure is taken below), and nothing else of src/.
// The table itself must have no cycle (checked when this file loads).

/** folder -> folders it builds on */
const LAYERS = {
  mappings: [], // pure: no I/O (eslint forbids node:* there), no other layer
  store: ['mappings'],
  runtime: ['mappings'],
  secrets: ['runtime'], // seals registry credentials (the runtime's RegistryAuth)
  auth: ['store'],
  metrics: ['store'],
  hostprep: ['mappings', 'runtime'],
  terminal: ['runtime'], // a shell through Runtime.exec
  agent: ['hostprep'], // the node agent: its wire shapes and signing, the server's client, the agent's own server
  sessions: ['store', 'runtime', 'hostprep', 'metrics', 'secrets', 'auth', 'agent'],
  api: ['sessions', 'terminal'],
  proxy: ['api'], // the app proxy and its token route: a feature of the API server
  '(server)': ['proxy'], // src/*.ts: config and `tether server`'s wiring
  cli: ['(server)'],
};

/**
 * Modules the web UI may import from src/ (Vite bundles them for the browser): pure ones
 * only, no node:* and nothing that reaches a store, an engine or the network.
 */
const PURE_FOR_WEB = [
  '^src/mappings/',
  '^src/api/wire/',
  '^src/sessions/progress-line\\.ts$',
  '^src/sessions/vocabulary\\.ts$',
  '^src/sessions/storage-report\\.ts$',
  '^src/terminal/protocol\\.ts$',
];

const folderOf = (name) => (name === '(server)' ? '^src/[^/]+\\.ts$' : `^src/${name}/`);

function closure(name, seen = []) {
  if (seen.includes(name)) throw new Error(`.dependency-cruiser.cjs: LAYERS has a cycle: ${[...seen, name].join(' -> ')}`);
  const direct = LAYERS[name];
  if (!direct) throw new Error(`.dependency-cruiser.cjs: LAYERS names "${name}", which it does not define`);
  return [...new Set(direct.flatMap((d) => [d, ...closure(d, [...seen, name])]))];
}

const layerRules = Object.keys(LAYERS).map((name) => {
  const allowed = [name, ...closure(name)].map(folderOf);
  return {
    name: `layer-${name}`,
    comment: `${name} may import only ${closure(name).join(', ') || 'itself'} (README, Layout: dependencies point one way)`,
    severity: 'error',
    from: { path: folderOf(name) },
    to: { path: '^src/', pathNot: allowed },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'an import cycle: modules that import each other cannot be understood (or changed) one at a time',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    {
      name: 'web-imports-pure-only',
      comment: `the web UI may import from src/ only pure modules: ${PURE_FOR_WEB.join(' ')}`,
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^src/', pathNot: PURE_FOR_WEB },
    },
    {
      name: 'pure-stays-pure',
      comment: 'a module the web UI bundles imports no node: builtin and, from src/, only other such modules',
      severity: 'error',
      from: { path: PURE_FOR_WEB, pathNot: '\\.test\\.ts$' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'pure-imports-pure-only',
      comment: `a module the web UI bundles imports from src/ only: ${PURE_FOR_WEB.join(' ')}`,
      severity: 'error',
      from: { path: PURE_FOR_WEB, pathNot: '\\.test\\.ts$' },
      to: { path: '^src/', pathNot: PURE_FOR_WEB },
    },
    {
      name: 'code-imports-no-tests',
      comment: 'product code does not import tests, test helpers or benchmarks',
      severity: 'error',
      from: { path: '^(src|web/src)/', pathNot: '\\.test\\.tsx?$' },
      to: { path: ['^test/', '^bench/', '\\.test\\.tsx?$'] },
    },
  ],
  options: {
    // type-only imports count: a cycle of types is still a cycle to read through
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^dist/', '^web/dist/', 'node_modules'] },
  },
};
