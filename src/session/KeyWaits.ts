/**
 * The data of blocked clients: one `KeyWait` per blocked client, the FIFO queue of waits of each
 * key (a linked list: a client leaves every queue it is in when it is served, times out or goes
 * away, wherever it stands), and the waits with a deadline in a min-heap (BlockedClients.ts uses
 * them; nothing here touches the keyspace).
 */
import type { Database } from "../keyspace/Database.js"

/** The type of value a wait pops from (Redis's BLOCKED_LIST / BLOCKED_ZSET / BLOCKED_STREAM). */
export type WaitKind = "list" | "zset" | "stream"

/**
 * Pops for a blocked client from `key`, which holds a non-empty value of the wait's kind: writes
 * the client's reply into `ctx.out` (ctx is the client's: its database, protocol and identity)
 * and logs the pop it performed for the AOF. A stream wait is asked whenever its key changed
 * (the key may even be gone): it returns false, replying nothing, when it has nothing to answer
 * yet and keeps waiting. Its `ctx` is a CommandContext, which this layer cannot name (commands
 * sit above the session): src/blocking/BlockedClients.ts gives and calls it as one.
 */
export type ServeWait = (ctx: never, key: string) => boolean | void

/**
 * What a wait reads of its client (a ClientState, which holds its wait in `blocked`); the client
 * type is a parameter so this module need not import ClientState, which imports it.
 */
export interface WaitingClient {
  readonly blocked: unknown
}

/** One blocked client. */
export class KeyWait<Client extends WaitingClient = WaitingClient> {
  /** Its place in each key's queue. */
  readonly nodes: Array<WaitNode<Client>> = []
  /** The reply on timeout when it is not the blocking commands' null (WAIT answers a count). */
  timeoutReply: (() => Buffer) | undefined = undefined

  constructor(
    readonly client: Client,
    readonly db: Database,
    readonly kind: WaitKind,
    readonly keys: ReadonlyArray<string>,
    /** Unix ms after which it times out; 0 waits forever. */
    readonly deadline: number,
    readonly serve: ServeWait,
    /** The command that blocked, lower case (CLIENT LIST's cmd). */
    readonly command: string
  ) {}

  /** Still the wait its client is in (not served, timed out or released). */
  get current(): boolean {
    return this.client.blocked === this
  }
}

export class WaitNode<Client extends WaitingClient = WaitingClient> {
  prev: WaitNode<Client> | undefined = undefined
  next: WaitNode<Client> | undefined = undefined
  constructor(readonly wait: KeyWait<Client>, readonly queue: WaitQueue<Client>) {}
}

/** The clients blocked on one key, oldest first. */
export class WaitQueue<Client extends WaitingClient = WaitingClient> {
  head: WaitNode<Client> | undefined = undefined
  tail: WaitNode<Client> | undefined = undefined
  size = 0
  /** Waits of kind "stream" among them (every change of the key concerns them). */
  streamWaits = 0
  constructor(readonly db: Database, readonly key: string) {}

  append(wait: KeyWait<Client>): WaitNode<Client> {
    const node = new WaitNode(wait, this)
    if (wait.kind === "stream") this.streamWaits++
    node.prev = this.tail
    if (this.tail === undefined) this.head = node
    else this.tail.next = node
    this.tail = node
    this.size++
    return node
  }

  remove(node: WaitNode<Client>): void {
    if (node.wait.kind === "stream") this.streamWaits--
    if (node.prev === undefined) this.head = node.next
    else node.prev.next = node.next
    if (node.next === undefined) this.tail = node.prev
    else node.next.prev = node.prev
    this.size--
  }
}

/** Waits with a deadline, earliest first; waits that ended are dropped when they come up. */
export class Deadlines<Client extends WaitingClient = WaitingClient> {
  private readonly heap: Array<KeyWait<Client>> = []

  add(wait: KeyWait<Client>): void {
    const heap = this.heap
    heap.push(wait)
    let at = heap.length - 1
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (heap[parent].deadline <= wait.deadline) break
      heap[at] = heap[parent]
      at = parent
    }
    heap[at] = wait
  }

  /** The current wait with the earliest deadline, if any. */
  earliest(): KeyWait<Client> | undefined {
    const heap = this.heap
    while (heap.length > 0 && !heap[0].current) this.removeFirst()
    return heap[0]
  }

  private removeFirst(): void {
    const heap = this.heap
    const last = heap.pop()!
    if (heap.length === 0) return
    let at = 0
    for (;;) {
      const left = 2 * at + 1
      if (left >= heap.length) break
      const right = left + 1
      const child = right < heap.length && heap[right].deadline < heap[left].deadline ? right : left
      if (heap[child].deadline >= last.deadline) break
      heap[at] = heap[child]
      at = child
    }
    heap[at] = last
  }
}
