/**
 * The part of redlock 5 the library suite uses: its own types are not reachable through its
 * package.json "exports" under NodeNext resolution.
 */
declare module "redlock" {
  import type { Redis } from "ioredis"
  interface Lock {
    readonly value: string
    extend(duration: number): Promise<Lock>
    release(): Promise<unknown>
  }
  export default class Redlock {
    constructor(clients: ReadonlyArray<Redis>, settings?: { readonly retryCount?: number })
    acquire(resources: ReadonlyArray<string>, duration: number): Promise<Lock>
  }
}
