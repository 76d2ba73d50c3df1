export {
  serve,
  type FetchHandler,
  type RunningServer,
  type ServeOptions,
  type SocketAcceptor,
  type SocketPeer,
} from './serve.js'
