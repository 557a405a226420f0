/**
 * Hand-written differential scripts for ACL: users made with SETUSER (the main connection is the
 * default user), then other connections authenticate as them and run what their rules allow or
 * refuse. Rule strings and ACL LOG entries compare with the "acl" check (single commands in any
 * order, ages and client info by kind). Every script starts by deleting the users it makes and
 * the log, and never changes the default user, so scripts do not see each other's users.
 */
import { acl, aclOn, on, type Script, type Step } from "../compare.js"

const USERS = ["alice", "bob", "carol", "dave", "eve"]

const fresh: ReadonlyArray<Step> = [on(0, "ACL", "DELUSER", ...USERS), on(0, "ACL", "LOG", "RESET")]

export const aclScripts: ReadonlyArray<Script> = [
  {
    name: "SETUSER rules, GETUSER, LIST, USERS, DELUSER",
    requires: ["ACL"],
    steps: [
      ...fresh,
      ["ACL", "SETUSER", "alice"],
      acl("ACL", "GETUSER", "alice"),
      ["ACL", "SETUSER", "alice", "on", ">p1", ">p2", ">p1", "~k*", "%R~r*", "%W~w*", "%RW~b*", "&ch*", "+get", "+set"],
      acl("ACL", "GETUSER", "alice"),
      acl("ACL", "LIST"),
      ["ACL", "SETUSER", "alice", "<p2", "#" + "a".repeat(64), "!" + "a".repeat(64), "+config|get", "+client|id"],
      acl("ACL", "GETUSER", "alice"),
      ["ACL", "SETUSER", "alice", "nopass"],
      acl("ACL", "GETUSER", "alice"),
      ["ACL", "SETUSER", "alice", "resetpass", "resetkeys", "allkeys", "allchannels", "allcommands"],
      acl("ACL", "LIST"),
      ["ACL", "SETUSER", "alice", "-get", "-config|get"],
      acl("ACL", "LIST"),
      ["ACL", "SETUSER", "alice", "nocommands", "+select|0", "+select|1", "resetchannels", "&a", "&b", "&a"],
      acl("ACL", "GETUSER", "alice"),
      ["ACL", "SETUSER", "alice", "off", "skip-sanitize-payload"],
      acl("ACL", "GETUSER", "alice"),
      ["ACL", "SETUSER", "alice", "sanitize-payload", "reset"],
      acl("ACL", "GETUSER", "alice"),
      ["ACL", "SETUSER", "bob", "on", ">pw", "~x*", "+get", "(~y* +set)", "(", "~z*", "+del", ")"],
      acl("ACL", "GETUSER", "bob"),
      acl("ACL", "LIST"),
      ["ACL", "SETUSER", "bob", "clearselectors"],
      acl("ACL", "GETUSER", "bob"),
      ["ACL", "USERS"],
      ["ACL", "DELUSER", "bob", "nobody", "bob"],
      ["ACL", "DELUSER", "alice", "default"],
      ["ACL", "USERS"],
      ["ACL", "GETUSER", "nobody"],
      ["ACL", "GETUSER", "default"]
    ]
  },
  {
    name: "command rules described back: categories that fit best, then single commands",
    requires: ["ACL"],
    // (Only rules whose description does not depend on commands we lack: "+@string -@write" is
    // described with LCS by Redis, "+@all -@write" picks -@blocking first here, without XREAD.)
    steps: [
      ...fresh,
      ...[
        ["+@all", "-@dangerous"],
        ["+@hash", "+@set", "-hset"],
        ["allcommands", "-config|set"],
        ["nocommands", "+client", "-client|kill"],
        ["-@all", "+@pubsub"],
        ["+@all", "-@keyspace"],
        ["+@transaction", "+@connection"],
        ["+@read", "-@read", "+get|x"]
      ].flatMap((rules) => [["ACL", "SETUSER", "carol", "reset", ...rules], acl("ACL", "GETUSER", "carol")]),
      acl("ACL", "LIST")
    ]
  },
  {
    name: "SETUSER errors change nothing",
    requires: ["ACL"],
    steps: [
      ...fresh,
      ["ACL", "SETUSER", "alice", "on", "+get"],
      ["ACL", "SETUSER", "alice", "+set", "+nosuch"],
      ["ACL", "SETUSER", "alice", "+@nosuch"],
      ["ACL", "SETUSER", "alice", "-nosuch"],
      ["ACL", "SETUSER", "alice", "nosuchrule"],
      ["ACL", "SETUSER", "alice", "allkeys", "~x"],
      ["ACL", "SETUSER", "alice", "allchannels", "&x"],
      ["ACL", "SETUSER", "alice", "#abc"],
      ["ACL", "SETUSER", "alice", "!" + "A".repeat(64)],
      ["ACL", "SETUSER", "alice", "<notthere"],
      ["ACL", "SETUSER", "alice", "+config|get|x"],
      ["ACL", "SETUSER", "alice", "+get|"],
      ["ACL", "SETUSER", "alice", "+config|nosuch"],
      ["ACL", "SETUSER", "alice", "%X~k"],
      ["ACL", "SETUSER", "alice", "%RR~k"],
      ["ACL", "SETUSER", "alice", "~a b"],
      ["ACL", "SETUSER", "alice", "(~x +get"],
      ["ACL", "SETUSER", "alice", "on", "(~x", "+get"],
      ["ACL", "SETUSER", "alice", "(+nosuch)"],
      ["ACL", "SETUSER", "alice", "(on)"],
      ["ACL", "SETUSER", "a b"],
      ["ACL", "SETUSER", "a\0b"],
      ["ACL", "SETUSER"],
      acl("ACL", "LIST"),
      ["ACL", "SETUSER", "alice", ""],
      acl("ACL", "LIST")
    ]
  },
  {
    name: "commands, keys and channels a user may use: NOPERM texts",
    requires: ["ACL"],
    steps: [
      ...fresh,
      ["SET", "k1", "v"],
      ["SET", "r1", "v"],
      ["SET", "w1", "v"],
      ["ACL", "SETUSER", "alice", "on", ">pw", "~k*", "%R~r*", "%W~w*", "&ch*", "+get", "+set", "+mget", "+copy",
        "+del", "+publish", "+config|get", "+client|id", "+ping", "+lpush", "+lmove", "+exists"],
      on(2, "GET", "k1"),
      on(2, "AUTH", "alice", "wrong"),
      on(2, "AUTH", "alice", "pw"),
      aclOn(2, "ACL", "WHOAMI"),
      on(2, "GET", "k1"),
      on(2, "GET", "r1"),
      on(2, "GET", "w1"),
      on(2, "GET", "other"),
      on(2, "SET", "k1", "x"),
      on(2, "SET", "r1", "x"),
      on(2, "SET", "w1", "x"),
      on(2, "MGET", "k1", "r1"),
      on(2, "MGET", "k1", "w1"),
      on(2, "COPY", "r1", "w2"),
      on(2, "COPY", "w1", "k2"),
      on(2, "DEL", "w1"),
      on(2, "DEL", "r1"),
      on(2, "EXISTS", "r1", "k1"),
      on(2, "LPUSH", "k3", "a"),
      on(2, "LMOVE", "k3", "w3", "LEFT", "RIGHT"),
      on(2, "INCR", "k1"),
      on(2, "CONFIG", "GET", "maxmemory"),
      on(2, "CONFIG", "SET", "maxmemory", "0"),
      { argv: ["CLIENT", "ID"], on: 2, check: "kind" },
      on(2, "CLIENT", "GETNAME"),
      on(2, "PUBLISH", "chat", "m"),
      on(2, "PUBLISH", "other", "m"),
      on(2, "ACL", "WHOAMI"),
      on(2, "PING"),
      on(2, "QUIT")
    ]
  },
  {
    name: "subscribe and psubscribe against channel patterns",
    requires: ["ACL"],
    protocols: [3],
    steps: [
      ...fresh,
      ["ACL", "SETUSER", "alice", "on", ">pw", "&news.*", "&alerts", "+subscribe", "+psubscribe", "+publish",
        "+unsubscribe", "+punsubscribe"],
      on(2, "AUTH", "alice", "pw"),
      on(2, "SUBSCRIBE", "news.1", "other"),
      on(2, "SUBSCRIBE", "news.1"),
      on(2, "PSUBSCRIBE", "news.*"),
      on(2, "PSUBSCRIBE", "news.1*"),
      on(2, "PSUBSCRIBE", "alerts"),
      on(2, "UNSUBSCRIBE", "anything"),
      on(2, "PUBLISH", "alerts", "x"),
      on(2, "PUBLISH", "alerts2", "x")
    ]
  },
  {
    name: "selectors: any one of them may allow a command",
    requires: ["ACL"],
    steps: [
      ...fresh,
      ["ACL", "SETUSER", "alice", "on", "nopass", "~a*", "+get", "(~b* +set +get)", "(%R~c* +get +mget)"],
      on(2, "AUTH", "alice", "anything"),
      on(2, "GET", "a1"),
      on(2, "GET", "b1"),
      on(2, "GET", "c1"),
      on(2, "GET", "d1"),
      on(2, "SET", "a1", "v"),
      on(2, "SET", "b1", "v"),
      on(2, "SET", "c1", "v"),
      on(2, "MGET", "c1", "c2"),
      on(2, "MGET", "c1", "b1"),
      on(2, "DEL", "a1"),
      ["ACL", "DRYRUN", "alice", "GET", "a1"],
      ["ACL", "DRYRUN", "alice", "GET", "d1"],
      ["ACL", "DRYRUN", "alice", "SET", "c1", "v"],
      ["ACL", "DRYRUN", "alice", "MGET", "c1", "b1"],
      ["ACL", "DRYRUN", "alice", "DEL", "a1"],
      ["ACL", "DRYRUN", "alice", "GET"],
      ["ACL", "DRYRUN", "alice", "NOSUCH", "x"],
      ["ACL", "DRYRUN", "alice", "CONFIG", "NOSUCH"],
      ["ACL", "DRYRUN", "alice", "CONFIG", "GET", "x"],
      ["ACL", "DRYRUN", "nobody", "GET", "x"],
      ["ACL", "DRYRUN", "default", "CONFIG", "SET", "x", "y"],
      ["ACL", "DRYRUN", "alice"]
    ]
  },
  {
    name: "MULTI/EXEC: refused when queued, and again at EXEC when the rules changed",
    requires: ["ACL"],
    steps: [
      ...fresh,
      ["ACL", "SETUSER", "alice", "on", ">pw", "~k*", "+multi", "+exec", "+discard", "+get", "+set", "+incr"],
      on(2, "AUTH", "alice", "pw"),
      on(2, "MULTI"),
      on(2, "SET", "k1", "1"),
      on(2, "SET", "x1", "1"),
      on(2, "EXEC"),
      on(2, "MULTI"),
      on(2, "DEL", "k1"),
      on(2, "EXEC"),
      on(2, "MULTI"),
      on(2, "SET", "k1", "1"),
      on(2, "INCR", "k1"),
      on(2, "GET", "k1"),
      ["ACL", "SETUSER", "alice", "-incr"],
      on(2, "EXEC"),
      on(2, "MULTI"),
      on(2, "SET", "k2", "1"),
      ["ACL", "SETUSER", "alice", "resetkeys", "~x*"],
      on(2, "EXEC"),
      acl("ACL", "LOG"),
      ["ACL", "LOG", "RESET"]
    ]
  },
  {
    name: "ACL LOG: entries, merging, count and RESET",
    requires: ["ACL"],
    steps: [
      ...fresh,
      ["ACL", "SETUSER", "alice", "on", ">pw", "~k*", "&c", "+get", "+publish"],
      on(2, "AUTH", "alice", "pw"),
      on(2, "GET", "x"),
      on(2, "GET", "x"),
      on(2, "GET", "y"),
      on(2, "SET", "k", "v"),
      on(2, "PUBLISH", "d", "m"),
      on(3, "AUTH", "alice", "bad"),
      on(3, "AUTH", "nobody", "bad"),
      on(3, "HELLO", "2", "AUTH", "alice", "bad"),
      acl("ACL", "LOG"),
      acl("ACL", "LOG", "2"),
      ["ACL", "LOG", "0"],
      ["ACL", "LOG", "-1"],
      ["ACL", "LOG", "x"],
      ["ACL", "LOG", "1", "2"],
      ["ACL", "LOG", "RESET"],
      ["ACL", "LOG"]
    ]
  },
  {
    name: "AUTH and HELLO AUTH with users: disabled, nopass, wrong passwords",
    requires: ["ACL"],
    steps: [
      ...fresh,
      ["ACL", "SETUSER", "alice", ">pw", "+@all", "~*"],
      on(2, "AUTH", "alice", "pw"),
      ["ACL", "SETUSER", "alice", "on"],
      on(2, "AUTH", "alice", "pw"),
      aclOn(2, "ACL", "WHOAMI"),
      on(2, "AUTH", "bob", "pw"),
      aclOn(2, "ACL", "WHOAMI"),
      on(2, "AUTH", "pw"),
      on(2, "AUTH", "a", "b", "c"),
      ["ACL", "SETUSER", "bob", "on", "nopass", "+acl|whoami"],
      { argv: ["HELLO", "2", "AUTH", "bob", "whatever"], on: 3, check: "hello" },
      aclOn(3, "ACL", "WHOAMI"),
      on(3, "GET", "x"),
      on(3, "HELLO", "2", "AUTH", "alice", "wrong"),
      aclOn(3, "ACL", "WHOAMI"),
      ["ACL", "SETUSER", "alice", "off"],
      on(4, "AUTH", "alice", "pw"),
      on(4, "RESET"),
      aclOn(4, "ACL", "WHOAMI")
    ]
  },
  {
    name: "CAT, GENPASS, HELP and subcommand errors",
    requires: ["ACL"],
    steps: [
      ["ACL", "CAT"],
      acl("ACL", "CAT", "transaction"),
      acl("ACL", "CAT", "TRANSACTION"),
      ["ACL", "CAT", "nosuch"],
      ["ACL", "CAT", "a", "b"],
      { argv: ["ACL", "GENPASS", "5"], check: "kind" },
      ["ACL", "GENPASS", "0"],
      ["ACL", "GENPASS", "4097"],
      ["ACL", "GENPASS", "x"],
      ["ACL", "GENPASS", "1", "2"],
      ["ACL", "HELP"],
      ["ACL", "NOSUCH"],
      ["ACL"],
      ["ACL", "WHOAMI", "x"],
      ["ACL", "LIST", "x"],
      ["ACL", "SAVE"],
      ["ACL", "LOAD"]
    ]
  }
]
