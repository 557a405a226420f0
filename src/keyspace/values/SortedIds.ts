/**
 * A map from stream IDs to values that iterates in ID order: the pending entries lists of
 * consumer groups and consumers. IDs mostly arrive in increasing order (deliveries follow the
 * stream), so an insert is usually a push; removals (XACK) splice a sorted array.
 */
import type { StreamId } from "./StreamId.js"

export class SortedIds<V> {
  private readonly ids: Array<StreamId> = []
  private readonly values = new Map<StreamId, V>()

  get size(): number {
    return this.ids.length
  }

  get(id: StreamId): V | undefined {
    return this.values.get(id)
  }

  /** Adds `id`; false (nothing changed) when it is there already. */
  insert(id: StreamId, value: V): boolean {
    if (this.values.has(id)) return false
    this.values.set(id, value)
    const ids = this.ids
    if (ids.length === 0 || ids[ids.length - 1] < id) ids.push(id)
    else ids.splice(this.lowerBound(id), 0, id)
    return true
  }

  delete(id: StreamId): boolean {
    if (!this.values.delete(id)) return false
    const ids = this.ids
    const at = this.lowerBound(id)
    const last = ids.length - 1
    // Acknowledgements mostly remove old entries: the shorter side moves (shift() is O(1) in V8),
    // and no array is allocated as splice's result would be.
    if (at < last - at) {
      for (let k = at; k > 0; k--) ids[k] = ids[k - 1]
      ids.shift()
    } else {
      for (let k = at; k < last; k++) ids[k] = ids[k + 1]
      ids.pop()
    }
    return true
  }

  /** The position of the first ID at or after `id`. */
  lowerBound(id: StreamId): number {
    const ids = this.ids
    let low = 0
    let high = ids.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (ids[mid] < id) low = mid + 1
      else high = mid
    }
    return low
  }

  idAt(index: number): StreamId {
    return this.ids[index]
  }

  valueAt(index: number): V {
    return this.values.get(this.ids[index])!
  }

  first(): StreamId | undefined {
    return this.ids[0]
  }

  last(): StreamId | undefined {
    return this.ids[this.ids.length - 1]
  }

  *entries(): IterableIterator<[StreamId, V]> {
    for (const id of this.ids) yield [id, this.values.get(id)!]
  }
}
