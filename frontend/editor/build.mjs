// Builds the post editor's script into Salon's static files, with the licences of what it
// bundles beside it. Run from this folder: npm ci && npm run build
import { build } from "esbuild";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";

const out = "../../salon/publishing/static/publishing/editor";
const toolbar = JSON.parse(readFileSync("node_modules/@github/markdown-toolbar-element/package.json", "utf8"));

await build({
  entryPoints: ["src/editor.js"],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  outfile: `${out}/editor.js`,
  legalComments: "none",
  banner: {
    js: `/* Salon's post editor. Bundles ${toolbar.name} ${toolbar.version} (${toolbar.license}, see THIRD-PARTY-LICENSES.txt). Source: frontend/editor/. */`,
  },
});

const licence = readFileSync("node_modules/@github/markdown-toolbar-element/LICENSE", "utf8");
writeFileSync(
  `${out}/THIRD-PARTY-LICENSES.txt`,
  `editor.js bundles ${toolbar.name} ${toolbar.version}, from the npm registry, under this licence:\n\n${licence}`,
);
console.log(`built ${out}/editor.js`);
