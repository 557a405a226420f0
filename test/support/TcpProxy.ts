/**
 * A TCP proxy between a client under test and a server, to make network faults on purpose and
 * the same way whatever the server: drop every connection, stop forwarding requests (so a
 * command stays in flight), refuse connections for a while, and count the chunks clients send.
 */
import * as net from "node:net"

interface Pair {
  readonly client: net.Socket
  readonly server: net.Socket
}

export class TcpProxy {
  private listener: net.Server | undefined
  private readonly pairs = new Set<Pair>()
  /** While true, bytes from clients are dropped instead of forwarded. */
  private holding = false
  /** Socket 'data' events received from clients (a measure of how many writes they made). */
  clientChunks = 0
  clientBytes = 0
  connectionsAccepted = 0
  private waiters: Array<() => void> = []

  private constructor(readonly targetPort: number, public port: number) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetPort, 0)
    await proxy.listen()
    return proxy
  }

  /** Listens (again) on the proxy's port. */
  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = net.createServer((client) => this.accept(client))
      listener.once("error", reject)
      listener.listen(this.port, "127.0.0.1", () => {
        this.port = (listener.address() as net.AddressInfo).port
        this.listener = listener
        resolve()
      })
    })
  }

  /** Stops accepting (new connections are refused) and drops the current ones. */
  async stopListening(): Promise<void> {
    const listener = this.listener
    this.listener = undefined
    this.dropConnections()
    if (listener !== undefined) await new Promise<void>((resolve) => listener.close(() => resolve()))
  }

  /** Closes every proxied connection abruptly (both sides), as a network failure would. */
  dropConnections(): void {
    for (const pair of this.pairs) {
      pair.client.destroy()
      pair.server.destroy()
    }
    this.pairs.clear()
  }

  /** Stops (or resumes) forwarding client bytes: commands sent meanwhile never reach the server. */
  hold(holding = true): void {
    this.holding = holding
  }

  /** Resolves once clients have sent more than `bytes` bytes in all. */
  async waitForClientBytes(bytes: number, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (this.clientBytes <= bytes) {
      if (Date.now() > deadline) throw new Error(`proxy: waited for more than ${bytes} client bytes`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50)
        this.waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  get connections(): number {
    return this.pairs.size
  }

  async close(): Promise<void> {
    await this.stopListening()
  }

  private accept(client: net.Socket): void {
    this.connectionsAccepted++
    const server = net.connect(this.targetPort, "127.0.0.1")
    const pair = { client, server }
    this.pairs.add(pair)
    client.setNoDelay(true)
    server.setNoDelay(true)
    client.on("data", (chunk: Buffer) => {
      this.clientChunks++
      this.clientBytes += chunk.length
      if (!this.holding) server.write(chunk)
      const waiters = this.waiters
      this.waiters = []
      for (const wake of waiters) wake()
    })
    server.on("data", (chunk: Buffer) => client.write(chunk))
    const end = () => {
      this.pairs.delete(pair)
      client.destroy()
      server.destroy()
    }
    client.on("close", end)
    server.on("close", end)
    client.on("error", () => {})
    server.on("error", () => {})
  }
}
