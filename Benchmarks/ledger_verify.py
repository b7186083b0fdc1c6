#!/usr/bin/env python3
"""An independent verifier of PeerGrid ledgers, written from docs/ledger-spec.md alone.

    ledger_verify.py verify LEDGER.db [--proof PROOF.json ...]   recompute everything, check every signature
    ledger_verify.py vectors OUT.json                           RFC 6962 tree hashes and proofs for small trees

Uses only hashlib, sqlite3 and `cryptography` (Ed25519). Exit 0 when everything holds, 1 otherwise.
"""
import hashlib
import json
import sqlite3
import struct
import sys

try:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from cryptography.exceptions import InvalidSignature
except ImportError:  # vectors need no signatures
    Ed25519PublicKey = None


def sha256(b):
    return hashlib.sha256(b).digest()


def leaf_hash(entry):
    return sha256(b"\x00" + entry)


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def largest_power_of_two_below(n):
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def mth(leaves):
    """RFC 6962 2.1: MTH over leaf hashes."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = largest_power_of_two_below(n)
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def path(m, leaves):
    """RFC 6962 2.1.1: PATH(m, D[n])."""
    n = len(leaves)
    if n <= 1:
        return []
    k = largest_power_of_two_below(n)
    if m < k:
        return path(m, leaves[:k]) + [mth(leaves[k:])]
    return path(m - k, leaves[k:]) + [mth(leaves[:k])]


def subproof(m, leaves, b):
    n = len(leaves)
    if m == n:
        return [] if b else [mth(leaves)]
    k = largest_power_of_two_below(n)
    if m <= k:
        return subproof(m, leaves[:k], b) + [mth(leaves[k:])]
    return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]


def proof(m, leaves):
    """RFC 6962 2.1.2: PROOF(m, D[n])."""
    if m == 0 or m == len(leaves):
        return []
    return subproof(m, leaves, True)


def right_shift_until_odd_or_zero(fn, sn):
    """RFC 9162: "right-shift fn and sn equally until either LSB(fn) is set or fn is 0" (at least once)."""
    while True:
        fn >>= 1
        sn >>= 1
        if fn & 1 or fn == 0:
            return fn, sn


def verify_inclusion(index, size, leaf, audit, root):
    """RFC 9162 2.1.3.2."""
    if index >= size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in audit:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                fn, sn = right_shift_until_odd_or_zero(fn, sn)
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(m, n, old_root, new_root, consistency):
    """RFC 9162 2.1.4.2."""
    if m == 0:
        return not consistency
    if m == n:
        return not consistency and old_root == new_root
    p = list(consistency)
    if m & (m - 1) == 0:
        p.insert(0, old_root)
    if not p:
        return False
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = p[0]
    for c in p[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                fn, sn = right_shift_until_odd_or_zero(fn, sn)
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0


# ---------------------------------------------------------------------------------------------- entries

class Reader:
    def __init__(self, b):
        self.b, self.o = b, 0

    def take(self, n):
        if self.o + n > len(self.b):
            raise ValueError("short field")
        v = self.b[self.o:self.o + n]
        self.o += n
        return v

    def u(self, fmt):
        size = struct.calcsize(fmt)
        return struct.unpack(">" + fmt, self.take(size))[0]

    def blob(self):
        return self.take(self.u("I"))

    def str(self):
        return self.blob().decode("utf-8")


def decode(body):
    r = Reader(body)
    if r.u("B") != 1:
        raise ValueError("format")
    typ = r.u("B")
    e = {"type": typ, "rule": r.u("H"), "submitter": r.str(), "clearing": r.str()}
    if typ == 1:
        e["party"], e["key"] = r.str(), r.blob()
        if len(e["key"]) != 32:
            raise ValueError("key length")
    elif typ == 2:
        e.update(zip(["start", "seconds", "import", "export", "pool", "fee"],
                     [r.u("q"), r.u("I"), r.u("q"), r.u("q"), r.u("q"), r.u("q")]))
    elif typ == 3:
        e["kind"] = r.u("B")
        if e["kind"] not in (1, 2, 3, 4, 5):
            raise ValueError("kind")
        e["start"], e["seconds"], e["seller"], e["buyer"] = r.u("q"), r.u("I"), r.str(), r.str()
        e["energy"], e["price"] = r.u("q"), r.u("q")
    elif typ == 4:
        e["party"], e["amount"], e["trades"] = r.str(), r.u("q"), r.u("I")
    else:
        raise ValueError("type")
    if r.o != len(body):
        raise ValueError("bytes left over")
    return e


def value(t):
    if t["kind"] == 5:
        return t["price"]
    q = t["energy"] * t["price"]
    v = (abs(q) + 500) // 1000
    return -v if q < 0 else v


def replay(entries):
    """Settlement rule 1: bills from trades, tariff prices for grid and pool trades."""
    clearings = {}
    for i, e in entries:
        if e["type"] == 1:
            continue
        c = clearings.setdefault(e["clearing"], {"trades": [], "tariffs": {}, "bills": []})
        if e["type"] == 2:
            c["tariffs"][e["start"]] = e
        elif e["type"] == 3:
            c["trades"].append(e)
            if e["kind"] in (2, 3):
                tariff = c["tariffs"].get(e["start"])
                if tariff is None:
                    raise ValueError(f"entry {i}: no tariff")
                want = None
                if e["kind"] == 3:
                    want = tariff["import"] if e["seller"] == "grid" else tariff["export"] if e["buyer"] == "grid" else None
                else:
                    if e["seller"] == "pool":
                        want = tariff["pool"] + (0 if e["buyer"] == "shared_storage" else tariff["fee"])
                    elif e["buyer"] == "pool":
                        want = tariff["pool"]
                if want is not None and want != e["price"]:
                    raise ValueError(f"entry {i}: price {e['price']} but the tariff says {want}")
        elif e["type"] == 4:
            c["bills"].append((e["party"], e["amount"], e["trades"]))
    for name, c in clearings.items():
        amount, count = {}, {}
        for t in c["trades"]:
            v = value(t)
            amount[t["buyer"]] = amount.get(t["buyer"], 0) + v
            amount[t["seller"]] = amount.get(t["seller"], 0) - v
            count[t["buyer"]] = count.get(t["buyer"], 0) + 1
            count[t["seller"]] = count.get(t["seller"], 0) + 1
        expected = [(p, amount[p], count[p]) for p in sorted(amount, key=lambda s: s.encode("utf-8"))]
        if expected != c["bills"]:
            raise ValueError(f"clearing {name}: logged bills differ from rule 1")
        if sum(b[1] for b in c["bills"]) != 0:
            raise ValueError(f"clearing {name}: bills do not add up to zero")
    return len(clearings)


def ed25519_ok(key, signature, message):
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(signature, message)
        return True
    except InvalidSignature:
        return False


def verify_ledger(db_path, proof_paths):
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    meta = dict(db.execute("SELECT key, value FROM ledger_meta"))
    assert bytes(meta["format"]).decode() == "peergrid-ledger/1", "format"
    operator, operator_key = bytes(meta["operator"]).decode(), bytes(meta["operator_key"])
    rows = db.execute("SELECT idx, batch, body, leaf FROM ledger_entry ORDER BY idx").fetchall()
    leaves, entries = [], []
    for position, (idx, batch, body, leaf) in enumerate(rows):
        assert idx == position, f"entry {position} missing"
        assert leaf_hash(body) == leaf, f"entry {idx}: leaf hash"
        leaves.append(leaf)
        entries.append((idx, decode(body)))
    keys, nxt, append_ends = {}, 0, []
    for bid, submitter, first, count, signature in db.execute(
            "SELECT id, submitter, first, count, signature FROM ledger_batch ORDER BY first, id"):
        assert first == nxt and count > 0, f"batch {bid} does not follow entry {nxt}"
        for j in range(first, first + count):
            assert rows[j][1] == bid and entries[j][1]["submitter"] == submitter, f"entry {j}: batch or submitter"
        key = keys.get(submitter)
        head = entries[first][1]
        if key is None and head["type"] == 1 and head["party"] == submitter:
            key = head["key"]
        assert key is not None, f"batch {bid}: no key for {submitter}"
        if not keys:
            assert submitter == operator and key == operator_key, "first key is not the operator's"
        message = (b"PeerGrid-ledger-batch-v1" + struct.pack(">QQ", first, count)
                   + struct.pack(">I", len(submitter.encode())) + submitter.encode()
                   + sha256(b"".join(leaves[first:first + count])))
        assert ed25519_ok(key, bytes(signature), message), f"batch {bid}: signature"
        for j in range(first, first + count):
            if entries[j][1]["type"] == 1 and entries[j][1]["party"] == submitter:
                keys[submitter] = entries[j][1]["key"]
        nxt = first + count
        if entries[nxt - 1][1]["type"] != 1:
            append_ends.append((bid, nxt))  # a batch ending in a non-key entry ends an append
    assert nxt == len(rows), "entries outside batches"
    # Every stored node is the recomputed perfect subtree.
    nodes = {(lv, ix): bytes(h) for lv, ix, h in db.execute("SELECT level, idx, hash FROM ledger_node")}
    expected, level, below = 0, 1, leaves
    while len(below) >= 2:
        above = [node_hash(below[2 * i], below[2 * i + 1]) for i in range(len(below) // 2)]
        for i, h in enumerate(above):
            assert nodes.get((level, i)) == h, f"node {level},{i}"
        expected += len(above)
        below, level = above, level + 1
    assert expected == len(nodes), "extra tree nodes"
    heads = db.execute("SELECT size, root, time, signature FROM ledger_checkpoint ORDER BY size").fetchall()
    for size, root, time, signature in heads:
        assert mth(leaves[:size]) == root, f"checkpoint {size}: root"
        message = b"PeerGrid-ledger-checkpoint-v1" + struct.pack(">Q", size) + bytes(root) + struct.pack(">q", time)
        assert ed25519_ok(operator_key, bytes(signature), message), f"checkpoint {size}: signature"
    assert heads and heads[-1][0] == len(rows), "latest checkpoint does not cover every entry"
    sizes = {size for size, _, _, _ in heads}
    for bid, end in append_ends:
        assert end in sizes, f"batch {bid}: the checkpoint after its append (size {end}) is missing"
    clearings = replay(entries)
    checked = 0
    for p in proof_paths:
        with open(p) as f:
            pr = json.load(f)
        head = pr["checkpoint"]
        root = bytes.fromhex(head["root"])
        assert mth(leaves[:head["size"]]) == root, f"{p}: root is not this ledger's"
        hx = [bytes.fromhex(h) for h in pr["path"]]
        if pr["type"] == "inclusion":
            entry = bytes.fromhex(pr["entry"])
            assert verify_inclusion(pr["leaf_index"], head["size"], leaf_hash(entry), hx, root), f"{p}: inclusion"
            assert hx == path(pr["leaf_index"], leaves[:head["size"]]), f"{p}: not RFC 6962's PATH"
        else:
            old = pr["old_checkpoint"]
            assert verify_consistency(old["size"], head["size"], bytes.fromhex(old["root"]), root, hx), f"{p}: consistency"
            assert hx == proof(old["size"], leaves[:head["size"]]), f"{p}: not RFC 6962's PROOF"
        checked += 1
    print(json.dumps({"entries": len(rows), "checkpoints": len(heads), "root": heads[-1][1].hex(),
                      "clearings_replayed": clearings, "proofs_checked": checked, "ok": True}))


def vectors(out):
    """MTH, PATH and PROOF for trees of 0..9 leaves, from RFC 6962's definitions (the leaf data of the
    certificate-transparency test vectors, then more)."""
    data = [b"", b"\x00", b"\x10", b"\x20\x21", b"\x30\x31", b"\x40\x41\x42\x43",
            bytes(range(0x50, 0x58)), bytes(range(0x60, 0x70)), b"\x70"]
    hashes = [leaf_hash(d) for d in data]
    result = {"leaves": [d.hex() for d in data], "roots": [], "inclusion": [], "consistency": []}
    for n in range(0, len(data) + 1):
        result["roots"].append(mth(hashes[:n]).hex())
        for m in range(n):
            result["inclusion"].append({"index": m, "size": n, "path": [h.hex() for h in path(m, hashes[:n])]})
        for m in range(1, n + 1):
            result["consistency"].append({"old": m, "new": n, "path": [h.hex() for h in proof(m, hashes[:n])]})
    with open(out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: roots of 0..{len(data)} leaves, {len(result['inclusion'])} inclusion and "
          f"{len(result['consistency'])} consistency proofs")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "vectors":
        vectors(sys.argv[2])
    elif len(sys.argv) >= 3 and sys.argv[1] == "verify":
        args = sys.argv[2:]
        proofs = [args[i + 1] for i, a in enumerate(args) if a == "--proof"]
        try:
            verify_ledger(args[0], proofs)
        except (AssertionError, ValueError, KeyError, TypeError, IndexError, sqlite3.Error) as e:
            print(json.dumps({"ok": False, "error": str(e)}))
            sys.exit(1)
    else:
        print(__doc__)
        sys.exit(2)
