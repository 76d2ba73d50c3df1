/**
 * The WebSocket (JSON-RPC 2.0) front-end of the fake Connect cloud, free of any transport: feed it
 * text frames, it calls `send` with text frames. MSW's WebSocket API and a real `ws` server both
 * wrap the same session.
 */
export { createConnectSession, type ConnectSession, type ConnectSessionOptions } from './session.js'
export { REFUSAL_CODE, RpcCode } from './jsonrpc.js'
