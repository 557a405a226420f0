/**
 * The layering check (`pnpm test` runs it first; `pnpm check:layers` alone). Layers, bottom to
 * top; a module may import from its own layer and the layers below it, never from one above, and
 * no import cycle is allowed anywhere. Type-only imports count (`tsPreCompilationDeps`). The
 * README's "Layers" section says what each layer holds.
 */
const layers = [
  ["protocol", "^src/protocol/"],
  ["keyspace", "^src/keyspace/"],
  ["acl", "^src/acl/"],
  ["session", "^src/session/"],
  ["features", "^src/(config|pubsub|tracking|watches|blocking|eviction|observability|persistence|replication|scripting)/"],
  ["commands", "^src/commands/"],
  ["runtime", "^src/server/"],
  ["entry points", "^src/(main\\.ts|index\\.ts|cli/|tools/|embedding/)"]
]
/** The TCP client library stands beside the server's layers: it speaks RESP and nothing else. */
const client = "^src/client/"
const everyLayer = [...layers.map(([, path]) => path), client]

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "An import cycle ties its modules into one: none is allowed, type-only imports included.",
      severity: "error",
      from: {},
      to: { circular: true }
    },
    ...layers.slice(0, -1).map(([name, path], i) => ({
      name: `${name.replace(" ", "-")}-imports-upward`,
      comment: `The ${name} layer may not import from ${layers.slice(i + 1).map(([above]) => above).join(", ")}.`,
      severity: "error",
      from: { path },
      to: { path: layers.slice(i + 1).map(([, above]) => above) }
    })),
    {
      name: "client-imports-server",
      comment: "The client library may import only the protocol layer.",
      severity: "error",
      from: { path: client },
      to: { path: "^src/", pathNot: [client, "^src/protocol/"] }
    },
    {
      name: "server-imports-client",
      comment: "Only entry points use the client library.",
      severity: "error",
      from: { path: layers.slice(0, -1).map(([, path]) => path) },
      to: { path: client }
    },
    {
      name: "outside-the-layers",
      comment: "Every module under src/ belongs to a layer (add its directory to .dependency-cruiser.cjs).",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/", pathNot: everyLayer }
    },
    {
      name: "import-from-outside-the-layers",
      comment: "Every module under src/ belongs to a layer (add its directory to .dependency-cruiser.cjs).",
      severity: "error",
      from: { path: "^src/", pathNot: everyLayer },
      to: {}
    }
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".d.ts", ".js"] }
  }
}
