// Node's Buffer has these fast latin1 (byte string) primitives; @types/node does not declare them.
declare global {
  interface Buffer {
    latin1Slice(start?: number, end?: number): string
    latin1Write(text: string, offset?: number, length?: number): number
  }
}
export {}
