import type { Scenario } from '../scenarios.js'
import type { Device, DeviceList } from '../types.js'
import { invalid, refuse } from './errors.js'

export interface DeviceConfig {
  serialNumber: string
  /** The processing terminal the device is linked to; instructions must name it. Default `1234001`. */
  processingTerminalId?: string
  /** Default `paxA920`. */
  model?: string
  /** Pin every instruction on this device to one scenario (else the amount decides). */
  scenario?: Scenario
  /** A deactivated device is listed (with `deactivatedDate`) but takes no instructions. Default true. */
  active?: boolean
}

export interface DeviceState {
  readonly deviceId: string
  readonly serialNumber: string
  readonly processingTerminalId: string
  readonly model: string
  readonly ksi: string
  readonly createdAt: number
  scenario: Scenario | undefined
  deactivatedAt: number | undefined
  /** The instruction the device is working on, if any. */
  busyWith: string | undefined
}

export interface DeviceFilter {
  serialNumber?: string
  ksi?: string
  model?: string
  active?: boolean
}

export interface PageRequest {
  limit: number
  before?: string
  after?: string
}

/** The account's devices, in the order they were added (which is also `deviceId` order). */
export class DeviceBook {
  private readonly devices = new Map<string, DeviceState>()

  add(config: DeviceConfig, now: number): DeviceState {
    if (this.devices.has(config.serialNumber))
      throw new Error(`Device ${config.serialNumber} already exists`)
    const n = this.devices.size + 1
    const device: DeviceState = {
      deviceId: `dev_${String(n).padStart(6, '0')}`,
      serialNumber: config.serialNumber,
      processingTerminalId: config.processingTerminalId ?? '1234001',
      model: config.model ?? 'paxA920',
      ksi: `FFFF${String(9876500000 + n).padStart(10, '0')}`,
      createdAt: now,
      scenario: config.scenario,
      deactivatedAt: config.active === false ? now : undefined,
      busyWith: undefined,
    }
    this.devices.set(device.serialNumber, device)
    return device
  }

  /** Any device, active or not; 404 when unknown. */
  get(serialNumber: string): DeviceState {
    return (
      this.devices.get(serialNumber) ??
      refuse('not-found', `No device with serial number ${serialNumber}.`, {
        resource: `device ${serialNumber}`,
      })
    )
  }

  all(): DeviceState[] {
    return [...this.devices.values()]
  }

  /** One page of the filtered list: cursors are device ids, `after` walks forwards, `before` backwards. */
  page(filter: DeviceFilter, page: PageRequest, link: (query: string) => string): DeviceList {
    const matching = this.all().filter(
      (d) =>
        (filter.serialNumber === undefined || d.serialNumber === filter.serialNumber) &&
        (filter.ksi === undefined || d.ksi === filter.ksi) &&
        (filter.model === undefined || d.model === filter.model) &&
        (filter.active === undefined || (d.deactivatedAt === undefined) === filter.active),
    )
    const position = (cursor: string, name: string) => {
      const index = matching.findIndex((d) => d.deviceId === cursor)
      return index >= 0 ? index : invalid(name, 'is not a cursor of this list')
    }
    const backwards = page.before !== undefined
    let start = 0
    let end = matching.length
    if (page.after !== undefined) start = position(page.after, 'after') + 1
    if (backwards) {
      end = position(page.before!, 'before')
      start = Math.max(0, end - page.limit)
    } else end = Math.min(matching.length, start + page.limit)
    const data = matching.slice(start, end)
    // More in the direction of travel.
    const hasMore = backwards ? start > 0 : end < matching.length
    const links: NonNullable<DeviceList['links']> = []
    const first = data[0]
    const last = data.at(-1)
    if (start > 0 && first)
      links.push({ rel: 'previous', method: 'GET', href: link(`before=${first.deviceId}`) })
    if (end < matching.length && last)
      links.push({ rel: 'next', method: 'GET', href: link(`after=${last.deviceId}`) })
    return { limit: page.limit, count: data.length, hasMore, links, data: data.map(view) }
  }
}

export function view(device: DeviceState): Device {
  return {
    deviceId: device.deviceId,
    serialNumber: device.serialNumber,
    ksi: device.ksi,
    tender: 'creditDebit',
    deviceType: {
      model: device.model,
      manufacturer: device.model.startsWith('pax') ? 'PAX' : 'other',
    },
    createdDate: new Date(device.createdAt).toISOString(),
    ...(device.deactivatedAt !== undefined && {
      deactivatedDate: new Date(device.deactivatedAt).toISOString(),
    }),
  }
}
