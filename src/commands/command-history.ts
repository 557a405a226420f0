/**
 * COMMAND DOCS's `history` of the commands Redis 7.0 changed after they first appeared: its
 * [version, change] notes, by command name (a subcommand as `container|sub`). Kept beside the
 * table rather than in each declaration: it is documentation only, nothing reads it but COMMAND
 * DOCS.
 */
export const COMMAND_HISTORY: Readonly<Record<string, ReadonlyArray<readonly [since: string, change: string]>>> = {
  "acl|getuser": [
    ["6.2.0", "Added Pub/Sub channel patterns."],
    ["7.0.0", "Added selectors and changed the format of key and channel patterns from a list to their rule representation."]
  ],
  "acl|setuser": [
    ["6.2.0", "Added Pub/Sub channel patterns."],
    ["7.0.0", "Added selectors and key based permissions."]
  ],
  auth: [["6.0.0", "Added ACL style (username and password)."]],
  bgsave: [["3.2.2", "Added the `SCHEDULE` option."]],
  bitcount: [["7.0.0", "Added the `BYTE|BIT` option."]],
  bitpos: [["7.0.0", "Added the `BYTE|BIT` option."]],
  blpop: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
  brpop: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
  brpoplpush: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
  bzpopmax: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
  bzpopmin: [["6.0.0", "`timeout` is interpreted as a double instead of an integer."]],
  "client|kill": [
    ["2.8.12", "Added new filter format."],
    ["2.8.12", "`ID` option."],
    ["3.2.0", "Added `master` type in for `TYPE` option."],
    ["5.0.0", "Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility."],
    ["6.2.0", "`LADDR` option."]
  ],
  "client|list": [
    ["2.8.12", "Added unique client `id` field."],
    ["5.0.0", "Added optional `TYPE` filter."],
    ["6.0.0", "Added `user` field."],
    ["6.2.0", "Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter."],
    ["7.0.0", "Added `resp`, `multi-mem`, `rbs` and `rbp` fields."],
    ["7.0.3", "Added `ssub` field."]
  ],
  "client|pause": [["6.2.0", "`CLIENT PAUSE WRITE` mode added along with the `mode` option."]],
  "cluster|slots": [["4.0.0", "Added node IDs."], ["7.0.0", "Added additional networking metadata field."]],
  "command|info": [["7.0.0", "Allowed to be called with no argument to get info on all commands."]],
  "config|get": [["7.0.0", "Added the ability to pass multiple pattern parameters in one call"]],
  "config|set": [["7.0.0", "Added the ability to set multiple parameters in one call."]],
  exists: [["3.0.3", "Accepts multiple `key` arguments."]],
  expire: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
  expireat: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
  flushall: [
    ["4.0.0", "Added the `ASYNC` flushing mode modifier."],
    ["6.2.0", "Added the `SYNC` flushing mode modifier."]
  ],
  flushdb: [
    ["4.0.0", "Added the `ASYNC` flushing mode modifier."],
    ["6.2.0", "Added the `SYNC` flushing mode modifier."]
  ],
  geoadd: [["6.2.0", "Added the `CH`, `NX` and `XX` options."]],
  georadius: [["6.2.0", "Added the `ANY` option for `COUNT`."], ["7.0.0", "Added support for uppercase unit names."]],
  georadius_ro: [["6.2.0", "Added the `ANY` option for `COUNT`."]],
  georadiusbymember: [["7.0.0", "Added support for uppercase unit names."]],
  geosearch: [["7.0.0", "Added support for uppercase unit names."]],
  geosearchstore: [["7.0.0", "Added support for uppercase unit names."]],
  hdel: [["2.4.0", "Accepts multiple `field` arguments."]],
  hello: [
    ["6.2.0", "`protover` made optional; when called without arguments the command reports the current connection's context."]
  ],
  hset: [["4.0.0", "Accepts multiple `field` and `value` arguments."]],
  info: [["7.0.0", "Added support for taking multiple section arguments."]],
  lpop: [["6.2.0", "Added the `count` argument."]],
  lpush: [["2.4.0", "Accepts multiple `element` arguments."]],
  lpushx: [["4.0.0", "Accepts multiple `element` arguments."]],
  pexpire: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
  pexpireat: [["7.0.0", "Added options: `NX`, `XX`, `GT` and `LT`."]],
  pttl: [["2.8.0", "Added the -2 reply."]],
  renamenx: [["3.2.0", "The command no longer returns an error when source and destination names are the same."]],
  restore: [
    ["3.0.0", "Added the `REPLACE` modifier."],
    ["5.0.0", "Added the `ABSTTL` modifier."],
    ["5.0.0", "Added the `IDLETIME` and `FREQ` options."]
  ],
  "restore-asking": [
    ["3.0.0", "Added the `REPLACE` modifier."],
    ["5.0.0", "Added the `ABSTTL` modifier."],
    ["5.0.0", "Added the `IDLETIME` and `FREQ` options."]
  ],
  rpop: [["6.2.0", "Added the `count` argument."]],
  rpush: [["2.4.0", "Accepts multiple `element` arguments."]],
  rpushx: [["4.0.0", "Accepts multiple `element` arguments."]],
  sadd: [["2.4.0", "Accepts multiple `member` arguments."]],
  scan: [["6.0.0", "Added the `TYPE` subcommand."]],
  "script|flush": [["6.2.0", "Added the `ASYNC` and `SYNC` flushing mode modifiers."]],
  set: [
    ["2.6.12", "Added the `EX`, `PX`, `NX` and `XX` options."],
    ["6.0.0", "Added the `KEEPTTL` option."],
    ["6.2.0", "Added the `GET`, `EXAT` and `PXAT` option."],
    ["7.0.0", "Allowed the `NX` and `GET` options to be used together."]
  ],
  shutdown: [["7.0.0", "Added the `NOW`, `FORCE` and `ABORT` modifiers."]],
  "slowlog|get": [["4.0.0", "Added client IP address, port and name to the reply."]],
  spop: [["3.2.0", "Added the `count` argument."]],
  srandmember: [["2.6.0", "Added the optional `count` argument."]],
  srem: [["2.4.0", "Accepts multiple `member` arguments."]],
  ttl: [["2.8.0", "Added the -2 reply."]],
  xadd: [
    ["6.2.0", "Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option."],
    ["7.0.0", "Added support for the `<ms>-*` explicit ID form."]
  ],
  xautoclaim: [
    ["7.0.0", "Added an element to the reply array, containing deleted entries the command cleared from the PEL"]
  ],
  "xgroup|create": [["7.0.0", "Added the `entries_read` named argument."]],
  "xgroup|setid": [["7.0.0", "Added the optional `entries_read` argument."]],
  "xinfo|groups": [["7.0.0", "Added the `entries-read` and `lag` fields"]],
  "xinfo|stream": [
    ["6.0.0", "Added the `FULL` modifier."],
    ["7.0.0", "Added the `max-deleted-entry-id`, `entries-added`, `recorded-first-entry-id`, `entries-read` and `lag` fields"]
  ],
  xpending: [["6.2.0", "Added the `IDLE` option and exclusive range intervals."]],
  xrange: [["6.2.0", "Added exclusive ranges."]],
  xrevrange: [["6.2.0", "Added exclusive ranges."]],
  xsetid: [["7.0.0", "Added the `entries_added` and `max_deleted_entry_id` arguments."]],
  xtrim: [["6.2.0", "Added the `MINID` trimming strategy and the `LIMIT` option."]],
  zadd: [
    ["2.4.0", "Accepts multiple elements."],
    ["3.0.2", "Added the `XX`, `NX`, `CH` and `INCR` options."],
    ["6.2.0", "Added the `GT` and `LT` options."]
  ],
  zrange: [["6.2.0", "Added the `REV`, `BYSCORE`, `BYLEX` and `LIMIT` options."]],
  zrangebyscore: [["2.0.0", "Added the `WITHSCORES` modifier."]],
  zrem: [["2.4.0", "Accepts multiple elements."]],
  zrevrangebyscore: [["2.1.6", "`min` and `max` can be exclusive."]]
}
