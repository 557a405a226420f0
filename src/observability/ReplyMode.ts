/**
 * CLIENT REPLY ON|OFF|SKIP: which replies a client is sent. OFF drops every reply (CLIENT REPLY
 * OFF's own too); SKIP drops the reply of the command after it. The connection calls
 * `applyReplyMode` after each command while the mode is not "on", with where the command's
 * reply began in the batch's output.
 *
 * As in Redis (whose flags stop every write to the client but push messages), the modes also
 * drop what reaches the client between its commands: MONITOR lines while OFF or SKIP is in force
 * (SKIP is, from the end of CLIENT REPLY SKIP to the end of the next command), and the reply a
 * blocked command gets when its wait ends. A command that blocks under SKIP keeps SKIP in force
 * until its wait ends. Pub/sub and tracking messages are pushes: they still go out.
 */
import type { ReplyWriter } from "../protocol/ReplyWriter.js"
import type { ClientState } from "../session/ClientState.js"

export const applyReplyMode = (client: ClientState, out: ReplyWriter, mark: number): void => {
  switch (client.replyMode) {
    case "off":
      out.truncate(mark)
      return
    case "skip":
      out.truncate(mark)
      // A command that blocked is not over: its reply, when its wait ends, is the one skipped.
      if (client.blocked === undefined) client.replyMode = "on"
      return
    case "skip-next":
      // Set by CLIENT REPLY SKIP itself: the next command is the one skipped.
      client.replyMode = "skip"
      return
  }
}

/** Whether lines that reach the client between its commands (MONITOR's) are sent. */
export const sendsLines = (client: ClientState): boolean => client.replyMode === "on" || client.replyMode === "skip-next"

/** Whether the reply that ends a blocked client's wait is sent; a skipped one ends SKIP. */
export const sendsUnblockedReply = (client: ClientState): boolean => {
  switch (client.replyMode) {
    case "off":
      return false
    case "skip":
      client.replyMode = "on"
      return false
    default:
      return true
  }
}
