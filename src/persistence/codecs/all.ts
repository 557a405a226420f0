/**
 * Registers the persistence codec of every collection type (each module registers itself on
 * import). Persistence imports this once.
 */
import "./hash.js"
import "./list.js"
import "./set.js"
import "./stream.js"
import "./zset.js"
