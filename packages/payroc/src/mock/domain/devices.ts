import type { Scenario } from '../scenarios.js'
import type { Device, DeviceList } from '../types.js'
import { refuse } from './errors.js'
import { pageOf, type PageRequest } from './pages.js'

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

  /** One page of the filtered list (see {@link pageOf}): cursors are device ids. */
  page(filter: DeviceFilter, page: PageRequest, link: (query: string) => string): DeviceList {
    const matching = this.all().filter(
      (d) =>
        (filter.serialNumber === undefined || d.serialNumber === filter.serialNumber) &&
        (filter.ksi === undefined || d.ksi === filter.ksi) &&
        (filter.model === undefined || d.model === filter.model) &&
        (filter.active === undefined || (d.deactivatedAt === undefined) === filter.active),
    )
    const found = pageOf(matching, (d) => d.deviceId, page, link)
    return { ...found, data: found.data.map(view) }
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
