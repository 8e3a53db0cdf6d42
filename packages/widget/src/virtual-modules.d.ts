// Modules the widget's build makes (scripts/compile-worker-bundle.mjs; in the browser tests,
// test/plugins/compile-worker.mjs).

/** The graph compiler's worker (src/engines/compile-worker.ts) bundled as one classic script: its source text. */
declare module 'virtual:compile-worker' {
  const script: string;
  export default script;
}
