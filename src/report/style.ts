import { Chalk, type ChalkInstance } from 'chalk'
import type { SentimentLabel } from '../model.js'

export type ColorLevel = 0 | 1 | 2 | 3

/**
 * Semantic colours for output. The level is decided once by the CLI (TTY, NO_COLOR, TERM=dumb,
 * --no-color); chalk's own detection is never consulted, so level 0 means no escape codes.
 */
export interface Style {
  readonly level: ColorLevel
  readonly chalk: ChalkInstance
  sentiment(label: SentimentLabel, text: string): string
  dim(text: string): string
  bold(text: string): string
  warn(text: string): string
  error(text: string): string
}

export function createStyle(level: ColorLevel): Style {
  const chalk = new Chalk({ level })
  return {
    level,
    chalk,
    sentiment(label, text) {
      switch (label) {
        case 'negative':
          return chalk.red(text)
        case 'positive':
          return chalk.green(text)
        case 'neutral':
          return chalk.dim(text)
      }
    },
    dim: (text) => chalk.dim(text),
    bold: (text) => chalk.bold(text),
    warn: (text) => chalk.yellow(text),
    error: (text) => chalk.red.bold(text),
  }
}
