// The console's build: esbuild bundles src/main.js (and the stylesheet it
// imports) into fingerprinted files under dist/assets/, splits the OIDC
// client into a chunk only AWS sign-in loads, and writes dist/index.html
// naming them — no inline script or style, so the strict CSP holds.
// `node build.mjs` (make console); --watch rebuilds on change.
import * as esbuild from 'esbuild';
import { readFile, writeFile, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';

const dist = 'dist';
const base = '/console/';

const options = {
  entryPoints: ['src/main.js'],
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  sourcemap: 'linked',
  target: ['es2022'],
  outdir: path.join(dist, 'assets'),
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  publicPath: base + 'assets/',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
};

async function writeIndex(meta) {
  const outputs = Object.entries(meta.outputs);
  const entry = outputs.find(([, o]) => o.entryPoint === 'src/main.js');
  if (!entry) throw new Error('no output for src/main.js');
  const [js, out] = entry;
  const url = (file) => base + path.relative(dist, file).split(path.sep).join('/');
  const tags = [];
  if (out.cssBundle) tags.push(`<link rel="stylesheet" href="${url(out.cssBundle)}">`);
  tags.push(`<script type="module" src="${url(js)}"></script>`);
  const page = await readFile('index.html', 'utf8');
  const marker = /<!-- build\.mjs puts .* -->/;
  if (!marker.test(page)) throw new Error('index.html lost its build marker');
  await writeFile(path.join(dist, 'index.html'), page.replace(marker, tags.join('\n  ')));
}

async function build() {
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  const result = await esbuild.build(options);
  await writeIndex(result.metafile);
  let total = 0;
  for (const [file, o] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.map') && !file.endsWith('.txt')) {
      total += o.bytes;
      console.log(`  ${file.padEnd(44)} ${(o.bytes / 1024).toFixed(1).padStart(7)} KiB`);
    }
  }
  console.log(`  ${'total'.padEnd(44)} ${(total / 1024).toFixed(1).padStart(7)} KiB (minified, before compression)`);
}

if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context({ ...options, plugins: [{ name: 'index', setup(b) { b.onEnd((r) => r.metafile && writeIndex(r.metafile)); } }] });
  await ctx.watch();
  console.log('watching src/ …');
} else {
  await build();
}
