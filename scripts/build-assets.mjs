// Builds app/static/dist once at install time: Sass with a system font stack, JS bundles with only
// the modules a page uses, file names carrying a content hash (so they can be cached for a year),
// and manifest.json that the app reads to link them.
import { createHash } from 'node:crypto'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { basename, extname, join } from 'node:path'
import * as esbuild from 'esbuild'
import * as sass from 'sass'

const out = 'app/static/dist'
mkdirSync(out, { recursive: true })
const manifest = {}

function emit (name, contents) {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 10)
  const file = `${basename(name, extname(name))}-${hash}${extname(name)}`
  writeFileSync(join(out, file), contents)
  manifest[name] = file
}

const css = sass.compile('app/assets/scss/main.scss', {
  style: 'compressed',
  importers: [new sass.NodePackageImporter()],
  quietDeps: true,
  silenceDeprecations: ['mixed-decls']
})
emit('app.css', css.css)

for (const entry of ['app', 'htmx', 'passkeys']) {
  const result = await esbuild.build({
    entryPoints: [`app/assets/js/${entry}.mjs`],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2020'],
    write: false,
    legalComments: 'none'
  })
  emit(`${entry}.js`, result.outputFiles[0].contents)
}

emit('favicon.svg', readFileSync('app/assets/images/favicon.svg'))
copyFileSync('app/assets/images/favicon.svg', join(out, 'favicon.svg'))
writeFileSync(join(out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n')
console.log(manifest)
