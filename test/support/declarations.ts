/**
 * Checks a family's command table against Redis 7 itself, and where its commands announce a
 * change to a key:
 * - `describeDeclarations`: arity, flags, key positions, ACL categories, group, summary, since
 *   and complexity as COMMAND INFO and COMMAND DOCS of a real redis-server give them;
 * - `describeSignals`: whether a command announces a change (`willModify` and the other writes,
 *   seen through a keyspace observer on our side) exactly when Redis signals the key as
 *   modified, which WATCH shows on Redis's side (a touched watched key makes EXEC answer nil).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import type { CommandSpec } from "../../src/commands/Command.js"
import { RawClient } from "./RawClient.js"
import { type Reply, showReply } from "./RespReader.js"
import { hasRealRedis, startRealRedis, startRedfiber } from "./servers.js"

const texts = (reply: Reply | undefined): Array<string> =>
  reply?.kind === "array" ? (reply.value ?? []).map((item) => String(item.value)) : []

/**
 * COMMAND DOCS's fields for `name`: the command's own, or for a subcommand (`container|sub`) its
 * entry under the container's "subcommands".
 */
const docFieldsOf = (docs: Reply, name: string): Array<string> => {
  let fields: ReadonlyArray<Reply> = docs.kind === "array" && docs.value?.[1]?.kind === "array" ? docs.value[1].value ?? [] : []
  if (name.includes("|")) {
    const subcommands = fields[texts({ kind: "array", value: fields }).indexOf("subcommands") + 1]
    const list = subcommands?.kind === "array" ? subcommands.value ?? [] : []
    const entry = list[texts({ kind: "array", value: list }).indexOf(name) + 1]
    fields = entry?.kind === "array" ? entry.value ?? [] : []
  }
  return texts({ kind: "array", value: fields })
}

/** `specs` and their subcommands against COMMAND INFO and COMMAND DOCS of a real Redis 7. */
export const describeDeclarations = (name: string, specs: ReadonlyArray<CommandSpec>): void => {
  describe.skipIf(!hasRealRedis)(name, () => {
    it("match COMMAND INFO and COMMAND DOCS of Redis 7", async () => {
      const running = await startRealRedis()
      const client = await RawClient.connect(running.port)
      try {
        for (const spec of specs.flatMap((spec) => [spec, ...(spec.subcommands ?? [])])) {
          const info = await client.call("COMMAND", "INFO", spec.name)
          const fields = info.kind === "array" && info.value?.[0]?.kind === "array" ? info.value[0].value ?? [] : []
          const docFields = docFieldsOf(await client.call("COMMAND", "DOCS", spec.name.split("|")[0]), spec.name)
          const doc = (field: string) => (docFields.includes(field) ? docFields[docFields.indexOf(field) + 1] : undefined)
          expect({
            name: spec.name,
            arity: spec.arity,
            flags: spec.flags,
            keys: [spec.firstKey, spec.lastKey, spec.step],
            acl: spec.aclCategories?.map((category) => `@${category}`),
            group: spec.group,
            summary: spec.summary,
            since: spec.since,
            complexity: spec.complexity
          }).toEqual({
            name: String(fields[0]?.value),
            arity: Number(fields[1]?.value),
            flags: texts(fields[2]),
            keys: [Number(fields[3]?.value), Number(fields[4]?.value), Number(fields[5]?.value)],
            acl: texts(fields[6]),
            group: doc("group"),
            summary: doc("summary"),
            since: doc("since"),
            complexity: doc("complexity")
          })
        }
      } finally {
        client.close()
        await running.stop()
      }
    })
  })
}

/** [setup command (or none), command, whether it changes key "k"]. */
export type SignalRow = readonly [setup: ReadonlyArray<string>, command: ReadonlyArray<string>, signals: boolean]

const describeRow = (row: SignalRow, signalled: boolean) =>
  `${row[0].join(" ")} ; ${row[1].join(" ")} -> ${signalled ? "changes k" : "leaves k alone"}`

export const describeSignals = (name: string, rows: ReadonlyArray<SignalRow>): void => {
  describe(name, () => {
    const expected = rows.map((row) => describeRow(row, row[2]))

    it("on our server (a keyspace observer counts writes to k)", async () => {
      const running = await startRedfiber()
      const client = await RawClient.connect(running.port)
      let writes = 0
      // Every hook a keyspace may call, as a variable (hooks added later must not break this test).
      const observer = {
        beforeWrite: (_database: unknown, key: string) => {
          if (key === "k") writes++
        },
        expired: () => {},
        flushed: () => {}
      }
      await Effect.runPromise(running.db.use((_db, _now, keyspace) => {
        keyspace.observers.push(observer)
      }))
      try {
        const actual: Array<string> = []
        for (const row of rows) {
          await client.call("FLUSHALL")
          if (row[0].length > 0) await client.call(...row[0])
          writes = 0
          const reply = await client.call(...row[1])
          expect(reply.kind === "error" ? showReply(reply) : "").not.toMatch(/unknown command/)
          actual.push(describeRow(row, writes > 0))
        }
        expect(actual).toEqual(expected)
      } finally {
        client.close()
        await running.stop()
      }
    })

    it.skipIf(!hasRealRedis)("on real Redis 7 (a watched k makes EXEC fail)", async () => {
      const running = await startRealRedis()
      const client = await RawClient.connect(running.port)
      try {
        const actual: Array<string> = []
        for (const row of rows) {
          await client.call("FLUSHALL")
          if (row[0].length > 0) await client.call(...row[0])
          await client.call("WATCH", "k")
          await client.call(...row[1])
          await client.call("MULTI")
          await client.call("PING")
          const exec = await client.call("EXEC")
          actual.push(describeRow(row, exec.kind === "array" && exec.value === null))
        }
        expect(actual).toEqual(expected)
      } finally {
        client.close()
        await running.stop()
      }
    })
  })
}
