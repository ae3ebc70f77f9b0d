// The ordered map behind the VMA index and the page tables: sorted-btree's B+ tree,
// imported so that it works from Node's ESM loader (where the CommonJS module object is
// the default export) and from bundlers (where it is the class). Browser compatible.

import * as sortedBtree from "sorted-btree";

type Module = typeof sortedBtree.default;
type BTreeClass = Module["default"];
export type BTree<K, V> = InstanceType<typeof sortedBtree.default.default<K, V>>;

const loaded = sortedBtree.default as Module | BTreeClass;

/** The B+ tree class: O(log n) get/set/delete, ordered range walks, nextLower/HigherPair. */
export const BTree: BTreeClass = "default" in loaded ? loaded.default : loaded;

/** The order of numeric keys (sorted-btree's default comparator also handles other types). */
export function compareNumbers(a: number, b: number): number {
  return a - b;
}
