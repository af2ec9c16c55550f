#!/usr/bin/env python3
"""Writes the hand-made seeds of the server_messages fuzz target into
fuzz/corpus/server_messages/: short IPC streams that reach each handler of
the storage server, the block driver and rs the right way, for the fuzzer to
mutate from. The stream format is described at the top of
fuzz/server_messages_fuzzer.cc; run this again after changing it."""
import os
import struct

RENDEZVOUS, RING, QUEUE = 0, 1, 2
STORAGE, BLOCK, RS = 0, 1, 2
# Indexes into protocol_types of server_messages_fuzzer.cc.
T = dict(storage_read=0, storage_write=1, storage_size=2, storage_reply=3, block_read=4, block_write=5,
         block_info=6, block_reply=7, zero=8, one=9, notify=10)
SEALED = 0x80


def word(value):
    data = value.to_bytes(8, "little").rstrip(b"\0")
    return bytes([len(data)]) + data


def message(op, target, type_name, words=None, grant_slot=None, sealed=True):
    """op 0 sendrec, 1 sendnb, 2 send; words: {index: value}; grant_slot: words[2] is that grant."""
    words = dict(words or {})
    mask = 0
    if grant_slot is not None:
        words[2] = grant_slot
        mask |= 0x80
    for index in words:
        mask |= 1 << index
    out = bytes([op | (SEALED if sealed else 0), target, T[type_name], mask])
    for index in range(7):
        if index in words:
            out += word(words[index])
    return out


def grant(target, slot, access, offset, size):
    return bytes([4, target, slot, access]) + struct.pack("<HH", offset, size)


def revoke(slot):
    return bytes([5, slot])


SEEDS = {
    "storage_size": bytes([RENDEZVOUS]) + message(0, STORAGE, "storage_size"),
    "storage_write_read": bytes([RENDEZVOUS])
    + grant(STORAGE, 0, 3, 0, 4096)
    + message(0, STORAGE, "storage_write", {0: 10, 1: 100}, grant_slot=0)
    + message(0, STORAGE, "storage_read", {0: 10, 1: 100}, grant_slot=0),
    "storage_across_sectors_ring": bytes([RING])
    + grant(STORAGE, 1, 3, 100, 20000)
    + message(0, STORAGE, "storage_write", {0: 500, 1: 17000}, grant_slot=1)
    + message(0, STORAGE, "storage_read", {0: 511, 1: 3}, grant_slot=1)
    + revoke(1)
    + message(0, STORAGE, "storage_read", {0: 0, 1: 512}, grant_slot=1),
    "block_direct_queue": bytes([QUEUE])
    + message(0, BLOCK, "block_info")
    + grant(BLOCK, 0, 3, 0, 8192)
    + message(0, BLOCK, "block_write", {0: 3, 1: 4, 3: 0}, grant_slot=0)
    + message(0, BLOCK, "block_read", {0: 3, 1: 4, 3: 1024}, grant_slot=0),
    "unsealed_and_notifications": bytes([RENDEZVOUS])
    + message(0, STORAGE, "storage_read", {0: 1, 1: 1}, sealed=False)
    + message(0, BLOCK, "block_info", sealed=False)
    + bytes([3, STORAGE, 3, BLOCK, 3, RS])
    + message(1, RS, "one", {0: 1})
    + message(2, STORAGE, "storage_size")
    + bytes([7, 200, 7, 200])
    + message(0, STORAGE, "storage_reply"),
    "block_hang_rs_restarts": bytes([RENDEZVOUS])
    + grant(BLOCK, 0, 3, 0, 49152)
    + message(0, BLOCK, "block_read", {0: 0, 1: 96, 3: 0}, grant_slot=0)
    + bytes([7, 255, 7, 255])
    + message(0, STORAGE, "storage_size"),
}

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "server_messages")
os.makedirs(here, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(here, name), "wb") as out:
        out.write(data)
print(f"{len(SEEDS)} seeds in {here}")
