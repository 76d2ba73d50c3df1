import type { ExtraFault, FaultList, HttpFault } from './faults.js'

/** The `cloud.faults` of every fake: arm, disarm and list, without the fake's own lookups. */
export interface FakeFaults<F> {
  /** Arms a fault (refused with a TypeError when invalid); the returned function disarms it. */
  add(fault: F): () => void
  clear(): void
  readonly active: readonly F[]
}

export function faultControl<Extra extends ExtraFault = never>(
  list: FaultList<Extra>,
): FakeFaults<HttpFault | Extra> {
  return {
    add: (fault) => list.add(fault),
    clear: () => list.clear(),
    get active() {
      return list.active
    },
  }
}
