import { describe, expect, it } from 'vitest'
import { connected } from './scripted-socket.js'

describe('close() called from a listener sticks', () => {
  it('closing from the error listener of a drop stops reconnecting', async () => {
    const { connection, socket, clock, net } = await connected({ liveness: false })
    connection.on('error', () => void connection.close())
    socket.drop()
    expect(connection.state).toBe('closed')
    // Nothing may be left armed, and no new socket may be opened after the caller closed.
    expect(clock.pending).toBe(0)
    await clock.advance(60_000)
    expect(net.sockets).toHaveLength(1)
  })

  it('closing from the state listener when the connection opens leaves no liveness timer', async () => {
    const { connection, socket, clock, net } = await connected()
    connection.on('state', (state) => {
      if (state === 'open') void connection.close()
    })
    socket.drop()
    await clock.advance(60_000) // the reconnect
    net.socket.open()
    expect(connection.state).toBe('closed')
    const sockets = net.sockets.length
    // The stray liveness timer later presumes the closed connection dead and dials again.
    await clock.advance(120_000)
    expect(net.sockets).toHaveLength(sockets)
    expect(connection.state).toBe('closed')
    expect(clock.pending).toBe(0)
  })

  it('closing from the state listener on reconnecting cancels the reconnect', async () => {
    const { connection, socket, clock, net } = await connected({ liveness: false })
    connection.on('state', (state) => {
      if (state === 'reconnecting') void connection.close()
    })
    socket.drop()
    await clock.advance(60_000)
    expect(net.sockets).toHaveLength(1)
    expect(connection.state).toBe('closed')
  })
})
