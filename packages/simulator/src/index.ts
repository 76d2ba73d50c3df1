export { serve, type FetchHandler, type RunningServer, type ServeOptions } from './serve.js'
