export { HttpError, NetworkError } from './types.js'
export type { GetOptions, Http, HttpResponse, PostOptions } from './types.js'
export {
  RateLimitError,
  backoffMs,
  charsetOf,
  createHttp,
  decodeBody,
  exhaustedWindowWaitMs,
  parseResetTime,
  parseRetryAfter,
  rateLimitWaitMs,
} from './client.js'
export type { HttpOptions } from './client.js'
export { startReplayServer } from './replay.js'
export type { RecordedRequest, ReplayRoute, ReplayServer } from './replay.js'
export { errorSnippet, hostAndPath, isSecretParamName, redactUrl, responseSnippet } from './redact.js'
