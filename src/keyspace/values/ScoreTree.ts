/**
 * The order of a sorted set: (score, member) pairs sorted as Redis sorts them (by score, then by
 * member bytes), in a B+tree whose branches count the elements under each child. That gives
 * what Redis's skiplist with spans gives — insert, delete, rank of an element and element at a
 * rank in O(log n), a range of m elements in O(log n + m) by walking linked leaves — with far
 * fewer objects: a leaf holds up to 128 elements in two flat arrays (a sorted set of listpack
 * size is a single leaf, much like Redis's listpack), a branch up to 64 children.
 *
 * Members are byte strings (latin1), so JS's `<` on strings is Redis's memcmp order.
 * Scores are never NaN. The tree does not know about duplicates: the sorted set's member map
 * guarantees a member is inserted once and removed with the score it was inserted with.
 */

const LEAF_MAX = 128
/** A leaf (other than the root) below this is merged with or refilled from a sibling. */
const LEAF_MIN = 32
const BRANCH_MAX = 64
const BRANCH_MIN = 16
/** Bulk-built leaves and branches are filled to about this share of their maximum. */
const LEAF_FILL = 96
const BRANCH_FILL = 48

export class Leaf {
  members: Array<string> = []
  scores: Array<number> = []
  next: Leaf | undefined = undefined
  prev: Leaf | undefined = undefined
}

class Branch {
  children: Array<Leaf | Branch> = []
  /** Elements under each child. */
  counts: Array<number> = []
  /**
   * Separators: for i ≥ 1, (sepScores[i], sepMembers[i]) is above every element of child i-1
   * and at most every element of child i (deletions may leave it below child i's first).
   * Index 0 is unused.
   */
  sepScores: Array<number> = []
  sepMembers: Array<string> = []
}

type Node = Leaf | Branch

/** (s1, m1) < (s2, m2) in sorted-set order. */
const before = (s1: number, m1: string, s2: number, m2: string): boolean => s1 < s2 || (s1 === s2 && m1 < m2)

/** The child of `branch` whose range holds (score, member). */
const childFor = (branch: Branch, score: number, member: string): number => {
  const scores = branch.sepScores
  const members = branch.sepMembers
  let lo = 1
  let hi = scores.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const s = scores[mid]
    if (s < score || (s === score && members[mid] <= member)) lo = mid + 1
    else hi = mid
  }
  return lo - 1
}

/**
 * In ascending `sorted`, the first index at or after `from` whose key is not below `value` (not
 * at or below it, when `inclusive`).
 */
const boundAfter = <T extends number | string>(
  sorted: ReadonlyArray<T>,
  value: T,
  inclusive: boolean,
  from: number
): number => {
  let lo = from
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (sorted[mid] < value || (inclusive && sorted[mid] === value)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First position in `leaf` whose element is not before (score, member). */
const leafLowerBound = (leaf: Leaf, score: number, member: string): number => {
  const scores = leaf.scores
  const members = leaf.members
  let lo = 0
  let hi = scores.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const s = scores[mid]
    if (s < score || (s === score && members[mid] < member)) lo = mid + 1
    else hi = mid
  }
  return lo
}

const insertAt = <A>(array: Array<A>, index: number, item: A): void => {
  for (let i = array.length; i > index; i--) array[i] = array[i - 1]
  array[index] = item
}

const removeAt = <A>(array: Array<A>, index: number): void => {
  const last = array.length - 1
  for (let i = index; i < last; i++) array[i] = array[i + 1]
  array.length = last
}

const sum = (counts: Array<number>): number => {
  let total = 0
  for (let i = 0; i < counts.length; i++) total += counts[i]
  return total
}

// The path of the last descent (branches and the child taken in each), reused by every tree:
// a command runs synchronously, so no two descents ever overlap.
const pathNodes: Array<Branch> = []
const pathIndexes: Array<number> = []

export class ScoreTree {
  private root: Node = new Leaf()
  /** Branch levels above the leaves (0: the root is a leaf). */
  private height = 0
  private count = 0
  /** The leftmost and rightmost leaves (the ends of the linked list). */
  first: Leaf
  last: Leaf

  constructor() {
    this.first = this.last = this.root as Leaf
  }

  get size(): number {
    return this.count
  }

  /** Adds (score, member); the member must not be in the tree. */
  insert(score: number, member: string): void {
    let node = this.root
    for (let level = this.height; level > 0; level--) {
      const branch = node as Branch
      const i = childFor(branch, score, member)
      pathNodes[level] = branch
      pathIndexes[level] = i
      branch.counts[i]++
      node = branch.children[i]
    }
    const leaf = node as Leaf
    const at = leafLowerBound(leaf, score, member)
    insertAt(leaf.scores, at, score)
    insertAt(leaf.members, at, member)
    this.count++
    if (leaf.members.length > LEAF_MAX) this.splitLeaf(leaf)
  }

  /** Removes (score, member); false when it is not there. */
  remove(score: number, member: string): boolean {
    let node = this.root
    for (let level = this.height; level > 0; level--) {
      const branch = node as Branch
      const i = childFor(branch, score, member)
      pathNodes[level] = branch
      pathIndexes[level] = i
      node = branch.children[i]
    }
    const leaf = node as Leaf
    const at = leafLowerBound(leaf, score, member)
    if (at >= leaf.members.length || leaf.members[at] !== member || leaf.scores[at] !== score) return false
    removeAt(leaf.scores, at)
    removeAt(leaf.members, at)
    for (let level = 1; level <= this.height; level++) pathNodes[level].counts[pathIndexes[level]]--
    this.count--
    if (this.height > 0 && leaf.members.length < LEAF_MIN) this.refillLeaf(leaf)
    return true
  }

  /** 0-based rank of (score, member), or -1 when it is not there. */
  rankOf(score: number, member: string): number {
    let node = this.root
    let rank = 0
    for (let level = this.height; level > 0; level--) {
      const branch = node as Branch
      const i = childFor(branch, score, member)
      for (let j = 0; j < i; j++) rank += branch.counts[j]
      node = branch.children[i]
    }
    const leaf = node as Leaf
    const at = leafLowerBound(leaf, score, member)
    if (at >= leaf.members.length || leaf.members[at] !== member || leaf.scores[at] !== score) return -1
    return rank + at
  }

  /** How many elements have a score below `score` (at most `score` when `inclusive`). */
  countByScore(score: number, inclusive: boolean): number {
    return this.countBelow(score, inclusive, (branch) => branch.sepScores, (leaf) => leaf.scores)
  }

  /**
   * How many elements have a member below `member` (at most `member` when `inclusive`),
   * assuming members ascend in tree order (all scores equal: what lex ranges require).
   */
  countByMember(member: string, inclusive: boolean): number {
    return this.countBelow(member, inclusive, (branch) => branch.sepMembers, (leaf) => leaf.members)
  }

  /** countByScore and countByMember: one descent, comparing `value` with one of each node's key arrays. */
  private countBelow<T extends number | string>(
    value: T,
    inclusive: boolean,
    separatorsOf: (branch: Branch) => ReadonlyArray<T>,
    keysOf: (leaf: Leaf) => ReadonlyArray<T>
  ): number {
    let node = this.root
    let rank = 0
    for (let level = this.height; level > 0; level--) {
      const branch = node as Branch
      // Separator 0 bounds nothing: the search starts at 1.
      const child = boundAfter(separatorsOf(branch), value, inclusive, 1) - 1
      for (let j = 0; j < child; j++) rank += branch.counts[j]
      node = branch.children[child]
    }
    return rank + boundAfter(keysOf(node as Leaf), value, inclusive, 0)
  }

  /**
   * Points `cursor` at the first element whose score is at least `score` (one descent, where
   * countByScore then seek take two); false when there is none.
   */
  seekScore(cursor: TreeCursor, score: number): boolean {
    let node = this.root
    for (let level = this.height; level > 0; level--) {
      const branch = node as Branch
      node = branch.children[boundAfter(branch.sepScores, score, false, 1) - 1]
    }
    let leaf = node as Leaf
    let at = boundAfter(leaf.scores, score, false, 0)
    if (at >= leaf.members.length) {
      if (leaf.next === undefined) return false
      leaf = leaf.next
      at = 0
    }
    cursor.leaf = leaf
    cursor.index = at
    return at < leaf.members.length
  }

  /** Points `cursor` at the element of rank `rank` (0 ≤ rank < size). */
  seek(cursor: TreeCursor, rank: number): void {
    let node = this.root
    for (let level = this.height; level > 0; level--) {
      const branch = node as Branch
      const counts = branch.counts
      let i = 0
      while (rank >= counts[i]) rank -= counts[i++]
      node = branch.children[i]
    }
    cursor.leaf = node as Leaf
    cursor.index = rank
  }

  /** A tree holding sorted (score, member) pairs, built in O(n). */
  static fromSorted(scores: ReadonlyArray<number>, members: ReadonlyArray<string>): ScoreTree {
    const tree = new ScoreTree()
    const n = members.length
    if (n <= LEAF_MAX) {
      const leaf = tree.root as Leaf
      leaf.scores = scores.slice()
      leaf.members = members.slice()
      tree.count = n
      return tree
    }
    const leaves: Array<Leaf> = []
    const leafCount = Math.ceil(n / LEAF_FILL)
    for (let i = 0; i < leafCount; i++) {
      const start = Math.floor((i * n) / leafCount)
      const end = Math.floor(((i + 1) * n) / leafCount)
      const leaf = new Leaf()
      leaf.scores = scores.slice(start, end)
      leaf.members = members.slice(start, end)
      const previous = leaves[i - 1]
      if (previous !== undefined) {
        previous.next = leaf
        leaf.prev = previous
      }
      leaves.push(leaf)
    }
    let level: Array<Node> = leaves
    let counts: Array<number> = leaves.map((leaf) => leaf.members.length)
    let firstScores: Array<number> = leaves.map((leaf) => leaf.scores[0])
    let firstMembers: Array<string> = leaves.map((leaf) => leaf.members[0])
    let height = 0
    while (level.length > 1) {
      const groups = Math.ceil(level.length / BRANCH_FILL)
      const parents: Array<Node> = []
      const parentCounts: Array<number> = []
      const parentScores: Array<number> = []
      const parentMembers: Array<string> = []
      for (let g = 0; g < groups; g++) {
        const start = Math.floor((g * level.length) / groups)
        const end = Math.floor(((g + 1) * level.length) / groups)
        const branch = new Branch()
        branch.children = level.slice(start, end)
        branch.counts = counts.slice(start, end)
        branch.sepScores = firstScores.slice(start, end)
        branch.sepMembers = firstMembers.slice(start, end)
        parents.push(branch)
        parentCounts.push(sum(branch.counts))
        parentScores.push(firstScores[start])
        parentMembers.push(firstMembers[start])
      }
      level = parents
      counts = parentCounts
      firstScores = parentScores
      firstMembers = parentMembers
      height++
    }
    tree.root = level[0]
    tree.height = height
    tree.count = n
    tree.first = leaves[0]
    tree.last = leaves[leaves.length - 1]
    return tree
  }

  /** Every (score, member) in order, into the given arrays (clone, rebuilds). */
  collect(scores: Array<number>, members: Array<string>): void {
    for (let leaf: Leaf | undefined = this.first; leaf !== undefined; leaf = leaf.next) {
      for (let i = 0; i < leaf.members.length; i++) {
        scores.push(leaf.scores[i])
        members.push(leaf.members[i])
      }
    }
  }

  private splitLeaf(leaf: Leaf): void {
    const right = new Leaf()
    const half = leaf.members.length >>> 1
    right.scores = leaf.scores.slice(half)
    right.members = leaf.members.slice(half)
    leaf.scores.length = half
    leaf.members.length = half
    right.next = leaf.next
    right.prev = leaf
    if (leaf.next !== undefined) leaf.next.prev = right
    else this.last = right
    leaf.next = right
    this.addSibling(1, leaf, half, right, right.members.length, right.scores[0], right.members[0])
  }

  /**
   * After `left` (at path level `level - 1`, i.e. a child of pathNodes[level]) was split off
   * `right`: links `right` into the parent, growing the tree or splitting upwards as needed.
   */
  private addSibling(
    level: number,
    left: Node,
    leftCount: number,
    right: Node,
    rightCount: number,
    sepScore: number,
    sepMember: string
  ): void {
    if (level > this.height) {
      const root = new Branch()
      root.children = [left, right]
      root.counts = [leftCount, rightCount]
      root.sepScores = [sepScore, sepScore]
      root.sepMembers = [sepMember, sepMember]
      this.root = root
      this.height++
      return
    }
    const parent = pathNodes[level]
    const i = pathIndexes[level]
    parent.counts[i] = leftCount
    insertAt(parent.children, i + 1, right)
    insertAt(parent.counts, i + 1, rightCount)
    insertAt(parent.sepScores, i + 1, sepScore)
    insertAt(parent.sepMembers, i + 1, sepMember)
    if (parent.children.length <= BRANCH_MAX) return
    const sibling = new Branch()
    const half = parent.children.length >>> 1
    sibling.children = parent.children.slice(half)
    sibling.counts = parent.counts.slice(half)
    sibling.sepScores = parent.sepScores.slice(half)
    sibling.sepMembers = parent.sepMembers.slice(half)
    parent.children.length = half
    parent.counts.length = half
    parent.sepScores.length = half
    parent.sepMembers.length = half
    this.addSibling(
      level + 1,
      parent,
      sum(parent.counts),
      sibling,
      sum(sibling.counts),
      sibling.sepScores[0],
      sibling.sepMembers[0]
    )
  }

  /** A non-root leaf fell below LEAF_MIN: merge it with a sibling or take elements from one. */
  private refillLeaf(leaf: Leaf): void {
    const parent = pathNodes[1]
    const i = pathIndexes[1]
    if (i > 0) {
      const left = parent.children[i - 1] as Leaf
      if (left.members.length + leaf.members.length <= LEAF_MAX) {
        for (let j = 0; j < leaf.members.length; j++) {
          left.scores.push(leaf.scores[j])
          left.members.push(leaf.members[j])
        }
        this.unlinkLeaf(leaf)
        parent.counts[i - 1] = left.members.length
        this.removeChild(1, i)
        return
      }
      const moved = (left.members.length - leaf.members.length) >>> 1
      const from = left.members.length - moved
      leaf.scores = left.scores.slice(from).concat(leaf.scores)
      leaf.members = left.members.slice(from).concat(leaf.members)
      left.scores.length = from
      left.members.length = from
      parent.counts[i - 1] = from
      parent.counts[i] = leaf.members.length
      parent.sepScores[i] = leaf.scores[0]
      parent.sepMembers[i] = leaf.members[0]
      return
    }
    const right = parent.children[1] as Leaf
    if (leaf.members.length + right.members.length <= LEAF_MAX) {
      for (let j = 0; j < right.members.length; j++) {
        leaf.scores.push(right.scores[j])
        leaf.members.push(right.members[j])
      }
      this.unlinkLeaf(right)
      parent.counts[0] = leaf.members.length
      this.removeChild(1, 1)
      return
    }
    const moved = (right.members.length - leaf.members.length) >>> 1
    for (let j = 0; j < moved; j++) {
      leaf.scores.push(right.scores[j])
      leaf.members.push(right.members[j])
    }
    right.scores = right.scores.slice(moved)
    right.members = right.members.slice(moved)
    parent.counts[0] = leaf.members.length
    parent.counts[1] = right.members.length
    parent.sepScores[1] = right.scores[0]
    parent.sepMembers[1] = right.members[0]
  }

  private unlinkLeaf(leaf: Leaf): void {
    if (leaf.prev !== undefined) leaf.prev.next = leaf.next
    else this.first = leaf.next!
    if (leaf.next !== undefined) leaf.next.prev = leaf.prev
    else this.last = leaf.prev!
  }

  /** Removes child `i` of pathNodes[level] (already merged away), then fixes that branch. */
  private removeChild(level: number, i: number): void {
    const branch = pathNodes[level]
    removeAt(branch.children, i)
    removeAt(branch.counts, i)
    removeAt(branch.sepScores, i)
    removeAt(branch.sepMembers, i)
    if (level === this.height) {
      // The root: a root branch with a single child gives way to that child.
      if (branch.children.length === 1) {
        this.root = branch.children[0]
        this.height--
      }
      return
    }
    if (branch.children.length >= BRANCH_MIN) return
    this.refillBranch(level, branch)
  }

  /** A non-root branch (at path `level`) fell below BRANCH_MIN children. */
  private refillBranch(level: number, branch: Branch): void {
    const parent = pathNodes[level + 1]
    const i = pathIndexes[level + 1]
    if (i > 0) {
      const left = parent.children[i - 1] as Branch
      if (left.children.length + branch.children.length <= BRANCH_MAX) {
        // The merged branch's first child gets the separator that bounded it in the parent.
        branch.sepScores[0] = parent.sepScores[i]
        branch.sepMembers[0] = parent.sepMembers[i]
        for (let j = 0; j < branch.children.length; j++) {
          left.children.push(branch.children[j])
          left.counts.push(branch.counts[j])
          left.sepScores.push(branch.sepScores[j])
          left.sepMembers.push(branch.sepMembers[j])
        }
        parent.counts[i - 1] += parent.counts[i]
        this.removeChild(level + 1, i)
        return
      }
      const moved = (left.children.length - branch.children.length) >>> 1
      for (let k = 0; k < moved; k++) {
        const last = left.children.length - 1
        // The old first child is now bounded by the parent's separator; the moved one takes
        // over as first, and its own separator becomes the parent's.
        branch.sepScores[0] = parent.sepScores[i]
        branch.sepMembers[0] = parent.sepMembers[i]
        insertAt(branch.children, 0, left.children[last])
        insertAt(branch.counts, 0, left.counts[last])
        insertAt(branch.sepScores, 0, left.sepScores[last])
        insertAt(branch.sepMembers, 0, left.sepMembers[last])
        parent.sepScores[i] = left.sepScores[last]
        parent.sepMembers[i] = left.sepMembers[last]
        parent.counts[i - 1] -= left.counts[last]
        parent.counts[i] += left.counts[last]
        left.children.length = last
        left.counts.length = last
        left.sepScores.length = last
        left.sepMembers.length = last
      }
      return
    }
    const right = parent.children[1] as Branch
    if (branch.children.length + right.children.length <= BRANCH_MAX) {
      right.sepScores[0] = parent.sepScores[1]
      right.sepMembers[0] = parent.sepMembers[1]
      for (let j = 0; j < right.children.length; j++) {
        branch.children.push(right.children[j])
        branch.counts.push(right.counts[j])
        branch.sepScores.push(right.sepScores[j])
        branch.sepMembers.push(right.sepMembers[j])
      }
      parent.counts[0] += parent.counts[1]
      this.removeChild(level + 1, 1)
      return
    }
    const moved = (right.children.length - branch.children.length) >>> 1
    for (let k = 0; k < moved; k++) {
      branch.children.push(right.children[0])
      branch.counts.push(right.counts[0])
      branch.sepScores.push(parent.sepScores[1])
      branch.sepMembers.push(parent.sepMembers[1])
      parent.sepScores[1] = right.sepScores[1]
      parent.sepMembers[1] = right.sepMembers[1]
      parent.counts[0] += right.counts[0]
      parent.counts[1] -= right.counts[0]
      removeAt(right.children, 0)
      removeAt(right.counts, 0)
      removeAt(right.sepScores, 0)
      removeAt(right.sepMembers, 0)
    }
  }

  /** Checks every invariant; throws on the first one broken (tests). */
  check(): void {
    let total = 0
    const visit = (node: Node, level: number, low: [number, string] | undefined, high: [number, string] | undefined, isRoot: boolean): number => {
      if (level === 0) {
        const leaf = node as Leaf
        if (!isRoot && leaf.members.length < LEAF_MIN) throw new Error(`leaf underfull: ${leaf.members.length}`)
        if (leaf.members.length > LEAF_MAX) throw new Error("leaf overfull")
        for (let i = 0; i < leaf.members.length; i++) {
          const s = leaf.scores[i]
          const m = leaf.members[i]
          if (i > 0 && !before(leaf.scores[i - 1], leaf.members[i - 1], s, m)) throw new Error("leaf out of order")
          if (low !== undefined && before(s, m, low[0], low[1])) throw new Error("element below its separator")
          if (high !== undefined && !before(s, m, high[0], high[1])) throw new Error("element not below next separator")
        }
        total += leaf.members.length
        return leaf.members.length
      }
      const branch = node as Branch
      const n = branch.children.length
      if (!isRoot && n < BRANCH_MIN) throw new Error(`branch underfull: ${n}`)
      if (isRoot && n < 2) throw new Error("root branch with one child")
      if (n > BRANCH_MAX) throw new Error("branch overfull")
      let count = 0
      for (let i = 0; i < n; i++) {
        const childLow: [number, string] | undefined = i === 0 ? low : [branch.sepScores[i], branch.sepMembers[i]]
        const childHigh: [number, string] | undefined = i + 1 < n ? [branch.sepScores[i + 1], branch.sepMembers[i + 1]] : high
        const c = visit(branch.children[i], level - 1, childLow, childHigh, false)
        if (c !== branch.counts[i]) throw new Error(`count ${branch.counts[i]} != ${c}`)
        count += c
      }
      return count
    }
    visit(this.root, this.height, undefined, undefined, true)
    if (total !== this.count) throw new Error("size mismatch")
    let linked = 0
    let previous: Leaf | undefined
    for (let leaf: Leaf | undefined = this.first; leaf !== undefined; leaf = leaf.next) {
      if (leaf.prev !== previous) throw new Error("broken prev link")
      linked += leaf.members.length
      previous = leaf
    }
    if (previous !== this.last) throw new Error("last leaf mismatch")
    if (linked !== this.count) throw new Error("linked leaves miss elements")
  }
}

/** A position in a tree: a leaf and an index in it. Moves along the linked leaves. */
export class TreeCursor {
  leaf: Leaf = undefined as unknown as Leaf
  index = 0

  get member(): string {
    return this.leaf.members[this.index]
  }

  get score(): number {
    return this.leaf.scores[this.index]
  }

  /** Steps to the next element; false past the last. */
  next(): boolean {
    if (++this.index < this.leaf.members.length) return true
    const next = this.leaf.next
    if (next === undefined) return false
    this.leaf = next
    this.index = 0
    return true
  }

  /** Steps to the previous element; false before the first. */
  prev(): boolean {
    if (--this.index >= 0) return true
    const prev = this.leaf.prev
    if (prev === undefined) return false
    this.leaf = prev
    this.index = prev.members.length - 1
    return true
  }
}
