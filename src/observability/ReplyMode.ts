/**
 * CLIENT REPLY ON|OFF|SKIP: which replies a client is sent. OFF drops every reply (CLIENT REPLY
 * OFF's own too); SKIP drops the reply of the command after it. The connection calls
 * `applyReplyMode` after each command while the mode is not "on", with where the command's
 * reply began in the batch's output.
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
      client.replyMode = "on"
      return
    case "skip-next":
      // Set by CLIENT REPLY SKIP itself: the next command is the one skipped.
      client.replyMode = "skip"
      return
  }
}
