import fs from 'node:fs'

// Read at run time: package.json lives outside the compiled tree.
const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }

export const VERSION: string = pkg.version
export const USER_AGENT = `mentions/${VERSION} (brand-mention monitor; +https://www.npmjs.com/package/mentions)`
