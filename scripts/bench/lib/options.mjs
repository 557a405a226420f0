/**
 * `pnpm bench` flags → the plan of one bench run. Unknown flags are an error with the usage
 * text, so a typo never silently runs the wrong thing.
 */

export const USAGE = `Usage: pnpm bench [flags]
  (no flag)          SET/GET/INCR/MSET, -c 50 -n 200000, with and without -P 16, 3 interleaved runs
  --quick            short runs: -n 50000, 1 run (and shorter extra modes)
  --runs N           interleaved runs per row (medians are reported)
  --tests a,b        only these tests (set, get, incr, mset)
  --random           add the -r 1000000 rows (every server pre-filled with 1 000 000 keys)
  --latency          -c 1 p50 latency per test
  --startup          process launch to first PONG (median of several launches)
  --memory           RSS after 1 000 000 SETs of 10-byte values on distinct keys
  --collections-memory  RSS growth for 100 000 hashes/sorted sets/lists/sets of 10 short elements
  --idle-clients N   N idle clients on redfiber: all served a PING, then the SIGINT drain timed
  --fanout           pub/sub fan-out: 1 publisher, 50 subscribers, messages delivered per second
  --persistence      1 000 000 keys in an AOF: pauses during BGREWRITEAOF and BGSAVE, replay at restart
  --geo              GEOADD and GEOSEARCH (radius, 100 000 members), -P 1 and -P 16
  --data             bitmap and HyperLogLog rows: SETBIT/BITCOUNT on a 1 MB bitmap, PFADD/PFCOUNT
  --streams          XADD MAXLEN ~, XRANGE COUNT 10, XREADGROUP+XACK (-P 1 and 16); RSS of a 1 000 000-entry stream
  --collections      HSET/ZADD/LPUSH/SADD (redis-benchmark's tests, and with -r 100 000), HGET of a 100 000-
                     and a 100-field hash, ZRANGE 0 -1, LRANGE 0 99: -c 50, -P 1 and -P 16, beside Redis
  --scripting        EVALSHA of return 1, one INCR, ten INCRs: -c 50, -P 1 and -P 16
  --replication      SET -P 16 with and without a real Redis replica; full sync of 1 000 000 keys
  --bullmq           BullMQ: 10 000 jobs through one Worker (concurrency 50), jobs/s; and Queue.addBulk
  --no-throughput    skip the SET/GET/INCR/MSET throughput rows (to run one extra mode alone)
  --before DIR       also run the build in DIR (dist/ built) as "before", with its pnpm start flags, interleaved
  --all              everything above (idle clients: 1000 unless --idle-clients says otherwise)
  --help             this text`

const ALL_TESTS = ["set", "get", "incr", "mset"]

const positiveInteger = (flag, text) => {
  const value = Number(text)
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${flag} expects a positive whole number, got '${text}'`)
  return value
}

/** Parses argv into the plan; throws an Error with a one-line reason on bad flags. */
export const parseOptions = (argv) => {
  const flags = {
    quick: false,
    random: false,
    latency: false,
    startup: false,
    memory: false,
    "collections-memory": false,
    fanout: false,
    persistence: false,
    geo: false,
    data: false,
    streams: false,
    scripting: false,
    collections: false,
    replication: false,
    bullmq: false,
    all: false
  }
  let throughput = true
  let runs
  let idleClients
  let tests = ALL_TESTS
  let before
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const name = flag.replace(/^--/, "")
    if (flag === "--help" || flag === "-h") return { help: true }
    else if (flag === "--runs") runs = positiveInteger(flag, argv[++i])
    else if (flag === "--idle-clients") idleClients = positiveInteger(flag, argv[++i])
    else if (flag === "--tests") tests = parseTests(argv[++i])
    else if (flag === "--no-throughput") throughput = false
    else if (flag === "--before") {
      before = argv[++i]
      if (before === undefined) throw new Error("--before expects a directory")
    }
    else if (flag.startsWith("--") && name in flags) flags[name] = true
    else throw new Error(`unknown flag '${flag}'`)
  }
  const quick = flags.quick
  return {
    help: false,
    before,
    quick,
    tests,
    throughput,
    runs: runs ?? (quick ? 1 : 3),
    requests: quick ? 50_000 : 200_000,
    clients: 50,
    pipelines: [1, 16],
    random: flags.random || flags.all,
    randomKeys: 1_000_000,
    latency: flags.latency || flags.all,
    latencyRequests: quick ? 5_000 : 20_000,
    startup: flags.startup || flags.all,
    startupLaunches: quick ? 3 : 7,
    memory: flags.memory || flags.all,
    persistence: flags.persistence || flags.all,
    geo: flags.geo || flags.all,
    data: flags.data || flags.all,
    scripting: flags.scripting || flags.all,
    collections: flags.collections || flags.all,
    bullmq: flags.bullmq || flags.all,
    bullmqJobs: 10_000,
    persistenceKeys: quick ? 200_000 : 1_000_000,
    replication: flags.replication || flags.all,
    replicationRequests: quick ? 200_000 : 1_000_000,
    replicationSyncKeys: quick ? 200_000 : 1_000_000,
    memoryKeys: 1_000_000,
    collectionsMemory: flags["collections-memory"] || flags.all,
    collectionsMemoryKeys: 100_000,
    memoryValueBytes: 10,
    idleClients: idleClients ?? (flags.all ? 1000 : 0),
    fanout: flags.fanout || flags.all,
    fanoutMessages: quick ? 20_000 : 100_000,
    streams: flags.streams || flags.all,
    streamRequests: quick ? 40_000 : 200_000,
    streamEntries: 1_000_000
  }
}

const parseTests = (text) => {
  const tests = String(text ?? "").toLowerCase().split(",").filter((test) => test !== "")
  const unknown = tests.filter((test) => !ALL_TESTS.includes(test))
  if (tests.length === 0 || unknown.length > 0) throw new Error(`--tests takes a list of ${ALL_TESTS.join(", ")}`)
  return tests
}
