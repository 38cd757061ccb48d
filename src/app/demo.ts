// `mentions demo`: the whole pipeline against recorded responses on 127.0.0.1.
import type { Config } from '../config/load.js'
import type { ReplayRoute } from '../net/replay.js'

export interface DemoFixtures {
  hackernews: string
  alerts: string
}

export const DEMO_ALERT_PATH = '/alerts/feeds/demo/acme'

export function demoRoutes(f: DemoFixtures): ReplayRoute[] {
  return [
    { path: '/api/v1/search_by_date', headers: { 'content-type': 'application/json; charset=utf-8' }, body: f.hackernews },
    {
      path: DEMO_ALERT_PATH,
      headers: { 'content-type': 'application/atom+xml; charset=utf-8', etag: '"demo-alerts-1"' },
      body: f.alerts,
    },
  ]
}

export function demoConfig(baseUrl: string, database: string): Config {
  return {
    file: '(built-in demo)',
    database,
    brands: [
      {
        name: 'Acme',
        terms: ['acme', '"acme cloud"'],
        exclude: ['acme brick'],
        require: [],
        languages: [],
        competitor: false,
        handles: { hackernews: ['acme_support'] },
      },
    ],
    sources: [
      { kind: 'hackernews', options: { baseUrl } },
      { kind: 'rss', options: { url: `${baseUrl}${DEMO_ALERT_PATH}`, name: 'Google Alerts: Acme' } },
    ],
    sentiment: { words: {} },
    pull: { since: '3650d', concurrency: 4 },
  }
}
