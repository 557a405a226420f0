/**
 * The versions the server states: the Redis version whose behaviour it reproduces (HELLO, INFO's
 * redis_version; clients pick features by it) and redfiber's own (INFO's redfiber_version).
 */
export const REDIS_VERSION = "7.0.15"
export const REDFIBER_VERSION = "0.1.0"
