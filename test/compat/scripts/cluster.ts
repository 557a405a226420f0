/**
 * Differential script for CLUSTER and its connection commands on a server without cluster mode
 * (both answer Redis's "cluster support disabled"). Cluster mode itself is compared with a real
 * `redis-server --cluster-enabled yes` in test/commands/cluster.test.ts.
 */
import type { Script } from "../compare.js"

export const clusterScripts: ReadonlyArray<Script> = [
  {
    name: "CLUSTER without cluster mode",
    steps: [
      ["CLUSTER", "INFO"],
      ["CLUSTER", "SLOTS"],
      ["CLUSTER", "SHARDS"],
      ["CLUSTER", "NODES"],
      ["CLUSTER", "MYID"],
      ["CLUSTER", "KEYSLOT", "foo"],
      ["CLUSTER", "COUNTKEYSINSLOT", "1"],
      ["CLUSTER", "GETKEYSINSLOT", "1", "1"],
      ["CLUSTER", "HELP"],
      ["CLUSTER", "LINKS"],
      ["CLUSTER", "REPLICAS", "x"],
      ["CLUSTER", "COUNT-FAILURE-REPORTS", "x"],
      ["CLUSTER", "REPLICAS"],
      ["CLUSTER", "NOSUCH"],
      ["CLUSTER"],
      ["CLUSTER", "KEYSLOT"],
      ["ASKING"],
      ["READONLY"],
      ["READWRITE"],
      ["ASKING", "x"],
      ["MSET", "a", "1", "b", "2"],
      ["SELECT", "1"],
      ["CONFIG", "GET", "cluster-enabled"],
      ["CONFIG", "SET", "cluster-enabled", "yes"]
    ]
  }
]
