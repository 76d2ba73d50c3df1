import { describe, expect, it } from 'vitest'
import { TillkitHttpError } from '@tillkit/core'
import { failure, formRequest, harness, REGISTER } from '../helpers.js'
import { BASE, direct, errorOf, IDENTITY } from './helpers.js'

describe('fake cloud: pairing codes', () => {
  it('each terminal shows its own code; a new code replaces the old one', async () => {
    const f = direct()
    const [one, two] = f.cloud.terminals.list()
    expect(one!.pairingCode).toMatch(/^[0-9A-Z]{6}$/)
    expect(two!.pairingCode).not.toBe(one!.pairingCode)
    const old = one!.pairingCode
    const fresh = f.cloud.terminals.showPairingCode('VT000001')
    expect(fresh).not.toBe(old)
    expect(f.cloud.terminals.get('VT000001').pairingCode).toBe(fresh)
    expect(await errorOf(await f.pair(old))).toBe('Invalid pairing code')
    expect((await f.pair(fresh)).status).toBe(200)
  })

  it('a configured code is used as given', async () => {
    const f = direct({ terminals: [{ deviceId: 'T1', pairingCode: 'HELLO1' }] })
    const response = await f.pair('HELLO1')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ result: 'success' })
    expect(f.cloud.terminals.get('T1').registers).toEqual([REGISTER.id])
  })
})

describe('fake cloud: registers', () => {
  it('pairing records the register with its store details', async () => {
    const f = direct({ terminals: [{ deviceId: 'T1', pairingCode: 'CODE01' }] })
    await f.pair('CODE01', { 'Contact Name': 'Sam', City: 'Auckland' })
    expect(f.cloud.registers.get(REGISTER.id)).toEqual({
      id: REGISTER.id,
      name: REGISTER.name,
      businessName: REGISTER.businessName,
      vendorName: REGISTER.vendorName,
      deviceId: 'T1',
      pairedAt: f.clock.now(),
      store: { 'Contact Name': 'Sam', City: 'Auckland' },
    })
  })

  it('re-pairing moves the register to the new terminal; its transactions go there', async () => {
    const f = direct()
    await f.pairWith('VT000001')
    await f.pairWith('VT000002')
    expect(f.cloud.registers.list()).toHaveLength(1)
    expect(f.cloud.terminals.get('VT000001').registers).toEqual([])
    expect(f.cloud.terminals.get('VT000002').registers).toEqual([REGISTER.id])
    const { transactionId } = await f.started({ TransactionType: 'Terminal.GetStatus' })
    expect(f.cloud.transactions.get(transactionId).deviceId).toBe('VT000002')
  })

  it('a terminal takes several registers', async () => {
    const f = direct()
    await f.pairWith('VT000001')
    const other = '0f8e2b6a-4c1d-4e3f-9a7b-5d2c8e1f4a60'
    await f.pair(f.cloud.terminals.get('VT000001').pairingCode, { POSRegisterID: other })
    expect(f.cloud.terminals.get('VT000001').registers).toEqual([REGISTER.id, other])
  })

  it('a code with a space is matched once URL-decoded', async () => {
    const f = direct({ terminals: [{ deviceId: 'T1', pairingCode: 'AB 12' }] })
    expect((await f.pair('AB 12')).status).toBe(200)
  })
})

describe('fake cloud: pairing refusals ({error} 400s)', () => {
  it.each(['POSRegisterID', 'POSRegisterName', 'POSBusinessName', 'POSVendorName'])(
    'without %s',
    async (field) => {
      const f = direct()
      const response = await f.pair(f.cloud.terminals.get('VT000001').pairingCode, { [field]: '' })
      expect(response.status).toBe(400)
      expect(await errorOf(response)).toBe(`${field} is required`)
      expect(f.cloud.registers.list()).toEqual([])
    },
  )

  it.each(['till-1', '7444ae07dc63e49c33e359a7c108cc80', '{7444ae07-dc63-e49c-33e3-59a7c108cc80}'])(
    'a POSRegisterID that is not a UUID (%s), as the client refuses it',
    async (id) => {
      const f = direct()
      const response = await f.pair(f.cloud.terminals.get('VT000001').pairingCode, {
        POSRegisterID: id,
      })
      expect(response.status).toBe(400)
      expect(await errorOf(response)).toMatch(
        /^POSRegisterID: must be a UUID \(the POSRegisterID\)/,
      )
      expect(f.cloud.registers.list()).toEqual([])
    },
  )

  it('a body that is not a form', async () => {
    const f = direct()
    const code = f.cloud.terminals.get('VT000001').pairingCode
    const response = await f.cloud.fetch(
      formRequest('PUT', `${BASE}/Pairing/${code}`, IDENTITY, 'application/json'),
    )
    expect(response.status).toBe(400)
    expect(await errorOf(response)).toContain('application/x-www-form-urlencoded')
  })

  it('through the client: a TillkitHttpError whose body says why', async () => {
    const h = harness()
    const error = await failure<TillkitHttpError>(h.client.pair('WRONG1'))
    expect(error).toBeInstanceOf(TillkitHttpError)
    expect(error.status).toBe(400)
    expect(error.body).toEqual({ error: 'Invalid pairing code' })
  })
})
