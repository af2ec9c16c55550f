#!/usr/bin/env python3
"""A boot test with a real host peer: boots a system whose network card is
QEMU's (e.g. `-device ne2k_pci`) on a `-netdev dgram` backend, which carries
each Ethernet frame as one UDP datagram on 127.0.0.1, and echoes datagrams
through it as the hosted port's UDP wire does (hw/ether_wire.h): each
payload goes out in a frame from peer 02:00:00:00:00:01 to the card, and must
come back, byte for byte, in a frame to that peer. Then the kernel's verdict
decides, as for every boot test.

    ether_echo_boot.py --axl build/bin/axl --iso build/axolotl.iso \
        --system linux_ne2k_echo --ipc ring --device ne2k_pci --datagrams 4 \
        --log FILE [--uefi] [--timeout S] [-- more axl boot arguments]

Exit status: 0 if every datagram came back and `axl boot --test` passed,
1 otherwise (what failed is printed), 2 for a wrong command line.
"""
import argparse
import random
import socket
import struct
import subprocess
import sys
import time

ETHER_TYPE = 0x88B5                           # hw/ether_wire.h
HEADER_BYTES = 16
MIN_FRAME_BYTES = 60
STATION_MAC = bytes([0x02, 0x41, 0x58, 0x4C, 0x00, 0x01])  # the card's, set on QEMU's -device
PEER_TAG = 1
PEER_MAC = bytes([0x02, 0, 0, 0, 0, PEER_TAG])


def frame_of(payload):
    frame = STATION_MAC + PEER_MAC + struct.pack(">HH", ETHER_TYPE, len(payload)) + payload
    return frame + bytes(max(0, MIN_FRAME_BYTES - len(frame)))


def payload_of(frame):
    """The datagram in a frame to our peer, or None for any other frame (ARP, IPv6, ...)."""
    if len(frame) < HEADER_BYTES or frame[0:6] != PEER_MAC or frame[6:12] != STATION_MAC:
        return None
    ether_type, length = struct.unpack(">HH", frame[12:16])
    if ether_type != ETHER_TYPE or HEADER_BYTES + length > len(frame):
        return None
    return frame[HEADER_BYTES:HEADER_BYTES + length]


def free_udp_port():
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--axl", required=True)
    parser.add_argument("--iso", required=True)
    parser.add_argument("--system", required=True)
    parser.add_argument("--ipc", required=True)
    parser.add_argument("--device", required=True, help="QEMU's network card, e.g. ne2k_pci")
    parser.add_argument("--datagrams", type=int, default=4)
    parser.add_argument("--uefi", action="store_true")
    parser.add_argument("--log", required=True, help="the serial log (axl boot --log), read for --ready")
    parser.add_argument("--ready", default="serving the net protocol",
                        help="the log text after which the card receives")
    parser.add_argument("--echo-timeout", type=int, default=30, help="seconds for each datagram's echo")
    parser.add_argument("--timeout", type=int, default=180)
    parser.add_argument("rest", nargs="*", help="more axl boot arguments (after --)")
    args = parser.parse_args()

    host = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    host.bind(("127.0.0.1", 0))
    host_port = host.getsockname()[1]
    guest_port = free_udp_port()
    netdev = (f"dgram,id=net0,local.type=inet,local.host=127.0.0.1,local.port={guest_port},"
              f"remote.type=inet,remote.host=127.0.0.1,remote.port={host_port}")
    mac = ":".join(f"{b:02x}" for b in STATION_MAC)
    # rombar=0: no option ROM, so neither the BIOS nor OVMF runs iPXE on the card.
    device = f"{args.device},netdev=net0,mac={mac},rombar=0"
    command = [args.axl, "boot", "--test", "--iso", args.iso, "--system", args.system, "--ipc", args.ipc,
               "--timeout", str(args.timeout), f"--qemu=-netdev", f"--qemu={netdev}", "--qemu=-device",
               f"--qemu={device}", f"--expect=system {args.system}, ", f"--expect=ipc {args.ipc}"]
    if args.uefi:
        command.append("--uefi")
    command += ["--log", args.log]
    command += args.rest
    print("ether_echo_boot:", " ".join(command), flush=True)
    boot = subprocess.Popen(command)

    # The driver is up once the serial log says so: only then is the card's
    # receiver on. Each datagram is then sent once and must come back within
    # --echo-timeout (loopback loses nothing; a resend would reach the echo
    # server twice and count against its `frames`).
    deadline = time.monotonic() + args.timeout
    ready = False
    while not ready and boot.poll() is None and time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            with open(args.log, errors="replace") as log:
                ready = args.ready in log.read()
        except FileNotFoundError:
            pass
    rng = random.Random(1)
    sizes = [1, 64, 700, 1500] + [rng.randint(1, 1500) for _ in range(max(0, args.datagrams - 4))]
    payloads = [bytes(rng.getrandbits(8) for _ in range(size)) for size in sizes[:args.datagrams]]
    echoed = 0
    host.settimeout(1.0)
    for index, payload in enumerate(payloads if ready else []):
        host.sendto(frame_of(payload), ("127.0.0.1", guest_port))
        wait_until = time.monotonic() + args.echo_timeout
        got = None
        while got is None and boot.poll() is None and time.monotonic() < wait_until:
            try:
                frame, _ = host.recvfrom(65536)
            except socket.timeout:
                continue
            got = payload_of(frame)  # None: not ours (the card's own traffic): keep waiting
        if got != payload:
            print(f"ether_echo_boot: datagram {index} ({len(payload)} bytes): "
                  f"{'no echo' if got is None else f'came back as {len(got)} other bytes'}", flush=True)
            break
        print(f"ether_echo_boot: datagram {index}: {len(payload)} bytes echoed", flush=True)
        echoed += 1
    if not ready:
        print(f"ether_echo_boot: the log never said '{args.ready}'", flush=True)
    try:
        status = boot.wait(timeout=max(1, deadline - time.monotonic()) + 30)
    except subprocess.TimeoutExpired:
        boot.kill()
        status = -1
    print(f"ether_echo_boot: {echoed} of {len(payloads)} datagrams echoed; axl boot exited {status}", flush=True)
    return 0 if echoed == len(payloads) and status == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
