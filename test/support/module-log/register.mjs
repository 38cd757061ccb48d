// `node --import <this>`: records the URL of every module the process loads through the ESM
// loader (one a line, in $MENTIONS_MODULE_LOG), so a test can say what a command never loads.
import { register } from 'node:module'

register('./hooks.mjs', import.meta.url)
