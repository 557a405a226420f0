/**
 * INFO's replication section, with Redis 7.0's fields in its order: the role and the link to our
 * primary (as a replica), our replicas, then the replication ids, offsets and backlog.
 */
import type { LoadingProgress, Replication } from "./Replication.js"

export type InfoField = readonly [string, string | number]

export const replicationInfo = (replication: Replication, now: number): Array<InfoField> => {
  const fields: Array<InfoField> = []
  const config = replication.deps.config.extra
  const link = replication.link
  const elapsed = (at: number) => Math.floor((now - at) / 1000)
  if (link === undefined) {
    fields.push(["role", "master"])
  } else {
    const up = link.state === "connected"
    fields.push(
      ["role", "slave"],
      ["master_host", link.host],
      ["master_port", link.port],
      ["master_link_status", up ? "up" : "down"],
      ["master_last_io_seconds_ago", link.lastIoAt > 0 && up ? elapsed(link.lastIoAt) : -1],
      ["master_sync_in_progress", link.state === "sync" ? 1 : 0],
      ["slave_read_repl_offset", replication.offset],
      ["slave_repl_offset", replication.offset]
    )
    if (link.state === "sync") {
      const total = link.syncTotalBytes
      fields.push(
        ["master_sync_total_bytes", total],
        ["master_sync_read_bytes", link.syncReadBytes],
        ["master_sync_left_bytes", total < 0 ? -1 : total - link.syncReadBytes],
        ["master_sync_perc", total > 0 ? ((link.syncReadBytes * 100) / total).toFixed(2) : "0.00"],
        ["master_sync_last_io_seconds_ago", elapsed(link.lastIoAt)]
      )
    }
    if (!up) fields.push(["master_link_down_since_seconds", link.downSince > 0 ? elapsed(link.downSince) : -1])
    fields.push(
      ["slave_priority", config.get("replica-priority") ?? "100"],
      ["slave_read_only", (config.get("replica-read-only") ?? "yes") === "yes" ? 1 : 0],
      ["replica_announced", (config.get("replica-announced") ?? "yes") === "yes" ? 1 : 0]
    )
  }
  const peers = [...replication.peers.values()].filter((peer) => peer.state !== "handshake" && !peer.client.isClosed())
  fields.push(["connected_slaves", peers.length])
  if (Number(config.get("min-replicas-to-write") ?? "0") > 0 && Number(config.get("min-replicas-max-lag") ?? "10") > 0) {
    fields.push(["min_slaves_good_slaves", replication.goodReplicas()])
  }
  peers.forEach((peer, index) => {
    fields.push([
      `slave${index}`,
      `ip=${peer.ip},port=${peer.listeningPort},state=${peer.state},offset=${peer.ackOffset},lag=${elapsed(peer.ackAt)}`
    ])
  })
  const backlog = replication.backlog
  fields.push(
    ["master_failover_state", replication.failover.state],
    ["master_replid", replication.replid],
    ["master_replid2", replication.replid2],
    ["master_repl_offset", replication.offset],
    ["second_repl_offset", replication.secondReplOffset],
    ["repl_backlog_active", backlog === undefined ? 0 : 1],
    ["repl_backlog_size", backlog?.size ?? Number(config.get("repl-backlog-size") ?? "1048576")],
    ["repl_backlog_first_byte_offset", backlog === undefined ? 0 : backlog.firstByteOffset],
    ["repl_backlog_histlen", backlog?.histlen ?? 0]
  )
  return fields
}

/** INFO persistence while a replica loads its primary's snapshot: `loading:1`, then Redis's loading_* fields. */
export const withLoading = (fields: ReadonlyArray<InfoField>, loading: LoadingProgress | undefined, now: number): ReadonlyArray<InfoField> => {
  if (loading === undefined) return fields
  const total = loading.totalBytes
  const loaded = loading.pace.loadedBytes
  const elapsed = Math.floor((now - loading.startedAt) / 1000)
  return [
    ...fields.map(([name, value]): InfoField => (name === "loading" ? [name, 1] : [name, value])),
    ["loading_start_time", Math.floor(loading.startedAt / 1000)],
    ["loading_total_bytes", total],
    ["loading_rdb_used_mem", Number(loading.pace.aux.get("used-mem") ?? "0") || 0],
    ["loading_loaded_bytes", loaded],
    ["loading_loaded_perc", (total > 0 ? (loaded * 100) / total : 0).toFixed(2)],
    ["loading_eta_seconds", elapsed === 0 ? 1 : Math.floor((elapsed * (total - loaded)) / (loaded + 1))]
  ]
}
