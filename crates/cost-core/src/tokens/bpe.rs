//! Byte-pair merging of one piece, counted rather than collected.
//!
//! tiktoken encodes a piece that is not itself a token by starting from single bytes and
//! repeatedly merging the adjacent pair whose concatenation has the lowest rank (the leftmost
//! on ties) until no adjacent pair is a token. The number of parts left is the piece's count.
//! Short pieces use tiktoken's quadratic scan (fastest for a few parts), long ones a heap.
//! Counts of short pieces are cached for the rest of the text, since prose repeats words.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::vocab::{key, Vocab};

/// Pieces at least this long merge with a heap: O(n log n) instead of O(n²).
const LARGE: usize = 128;

/// Reusable buffers for one `count`: nothing is allocated until a piece needs merging.
#[derive(Default)]
pub(super) struct Scratch {
    /// (start, rank of the merge of this part with the next) for the quadratic scan.
    parts: Vec<(u32, u32)>,
    /// Per byte position, for the heap merge.
    nodes: Vec<Node>,
    heap: BinaryHeap<Reverse<(u32, u32)>>,
    cache: Cache,
}

/// The token count of one piece of pre-tokenized text.
#[inline]
pub(super) fn count_piece(vocab: &Vocab, piece: &[u8], scratch: &mut Scratch) -> usize {
    if piece.len() == 1 {
        return 1; // every byte is a token
    }
    let (word, h) = key(piece);
    if vocab.rank_keyed(word, h, piece).is_some() {
        return 1;
    }
    if let Some(count) = scratch.cache.get(h, piece) {
        return count;
    }
    let count = if piece.len() < LARGE {
        merge_small(vocab, piece, &mut scratch.parts)
    } else {
        merge_large(vocab, piece, &mut scratch.nodes, &mut scratch.heap)
    };
    scratch.cache.put(h, piece, count);
    count
}

/// tiktoken's `_byte_pair_merge`, returning the number of parts.
fn merge_small(vocab: &Vocab, piece: &[u8], parts: &mut Vec<(u32, u32)>) -> usize {
    parts.clear();
    let mut min = (u32::MAX, usize::MAX);
    for i in 0..piece.len() - 1 {
        let rank = vocab.pair_rank(piece[i], piece[i + 1]);
        if rank < min.0 {
            min = (rank, i);
        }
        parts.push((i as u32, rank));
    }
    parts.push((piece.len() as u32 - 1, u32::MAX));
    parts.push((piece.len() as u32, u32::MAX));

    // The rank of merging part `i` with part `i + 1`, read before part `i + 1` is removed
    // (hence `i + 3`).
    let rank_after = |parts: &[(u32, u32)], i: usize| -> u32 {
        if i + 3 < parts.len() {
            vocab.merge_rank(&piece[parts[i].0 as usize..parts[i + 3].0 as usize])
        } else {
            u32::MAX
        }
    };
    while min.0 != u32::MAX {
        let i = min.1;
        if i > 0 {
            parts[i - 1].1 = rank_after(parts, i - 1);
        }
        parts[i].1 = rank_after(parts, i);
        parts.remove(i + 1);
        min = (u32::MAX, usize::MAX);
        for (j, &(_, rank)) in parts[..parts.len() - 1].iter().enumerate() {
            if rank < min.0 {
                min = (rank, j);
            }
        }
    }
    parts.len() - 1
}

/// A part of the heap merge, indexed by its start byte.
#[derive(Clone, Copy)]
pub(super) struct Node {
    /// Start of the previous part (`u32::MAX` for the first).
    prev: u32,
    /// End of this part (the start of the next).
    end: u32,
    /// End of the next part.
    next_end: u32,
    /// Rank of merging this part with the next (`u32::MAX`: not a token).
    next_rank: u32,
}

/// tiktoken's `_byte_pair_merge_large` (heap of candidate merges, stale entries skipped),
/// returning the number of parts.
fn merge_large(
    vocab: &Vocab,
    piece: &[u8],
    nodes: &mut Vec<Node>,
    heap: &mut BinaryHeap<Reverse<(u32, u32)>>,
) -> usize {
    let n = piece.len();
    nodes.clear();
    heap.clear();
    for i in 0..n {
        let next_rank = if i + 1 < n {
            vocab.pair_rank(piece[i], piece[i + 1])
        } else {
            u32::MAX
        };
        if next_rank != u32::MAX {
            heap.push(Reverse((next_rank, i as u32)));
        }
        nodes.push(Node {
            prev: if i == 0 { u32::MAX } else { i as u32 - 1 },
            end: i as u32 + 1,
            next_end: i as u32 + 2,
            next_rank,
        });
    }
    let mut parts = n;
    // Sets the merge candidate of the part at `start` with the part that ends at `next_end`.
    let candidate = |nodes: &mut Vec<Node>,
                     heap: &mut BinaryHeap<Reverse<(u32, u32)>>,
                     start: u32,
                     next_end: u32| {
        let node = &mut nodes[start as usize];
        node.next_end = next_end;
        node.next_rank = u32::MAX;
        if next_end as usize <= n {
            let rank = vocab.merge_rank(&piece[start as usize..next_end as usize]);
            if rank != u32::MAX {
                node.next_rank = rank;
                heap.push(Reverse((rank, start)));
            }
        }
    };
    while let Some(Reverse((rank, left))) = heap.pop() {
        if rank != nodes[left as usize].next_rank {
            continue; // stale: this merge was replaced or invalidated
        }
        let right = nodes[left as usize].end;
        let right_end = nodes[left as usize].next_end;
        let right_next_end = nodes[right as usize].next_end;
        nodes[left as usize].end = right_end;
        candidate(nodes, heap, left, right_next_end);
        if (right_end as usize) < n {
            nodes[right_end as usize].prev = left;
        }
        let prev = nodes[left as usize].prev;
        if prev != u32::MAX {
            candidate(nodes, heap, prev, right_end);
        }
        nodes[right as usize].next_rank = u32::MAX;
        parts -= 1;
    }
    parts
}

/// Longest piece the cache keeps.
const KEY_LEN: usize = 30;
/// The cache starts this large when first needed and doubles as it fills, up to `MAX_ENTRIES`.
const MIN_ENTRIES: usize = 256;
const MAX_ENTRIES: usize = 8192;

/// A direct-mapped cache of piece counts: bounded (at most 256 KiB), exact (keys are
/// compared in full), and empty until a piece needs merging.
#[derive(Default)]
struct Cache {
    entries: Vec<Entry>,
    /// Insertions since the last growth.
    inserts: usize,
}

#[derive(Clone, Copy)]
struct Entry {
    /// 0 for an empty entry (pieces in the cache have at least two bytes).
    len: u8,
    count: u8,
    key: [u8; KEY_LEN],
}

const EMPTY_ENTRY: Entry = Entry {
    len: 0,
    count: 0,
    key: [0; KEY_LEN],
};

impl Cache {
    #[inline]
    fn get(&self, h: u64, piece: &[u8]) -> Option<usize> {
        if self.entries.is_empty() || piece.len() > KEY_LEN {
            return None;
        }
        let e = &self.entries[h as usize & (self.entries.len() - 1)];
        (usize::from(e.len) == piece.len() && &e.key[..piece.len()] == piece)
            .then_some(usize::from(e.count))
    }

    fn put(&mut self, h: u64, piece: &[u8], count: usize) {
        if piece.len() > KEY_LEN {
            return;
        }
        if self.entries.is_empty() {
            self.entries = vec![EMPTY_ENTRY; MIN_ENTRIES];
        } else if self.inserts >= self.entries.len() && self.entries.len() < MAX_ENTRIES {
            let grown = vec![EMPTY_ENTRY; self.entries.len() * 2];
            let old = std::mem::replace(&mut self.entries, grown);
            for e in old.iter().filter(|e| e.len != 0) {
                let bytes = &e.key[..usize::from(e.len)];
                let i = key(bytes).1 as usize & (self.entries.len() - 1);
                self.entries[i] = *e;
            }
            self.inserts = 0;
        }
        let mut key = [0; KEY_LEN];
        key[..piece.len()].copy_from_slice(piece);
        let i = h as usize & (self.entries.len() - 1);
        self.entries[i] = Entry {
            len: piece.len() as u8,
            count: count as u8,
            key,
        };
        self.inserts += 1;
    }
}
