#!/usr/bin/env python3
"""Writes the seed corpus for FuzzWebSocketWire into Tests/Fuzz/corpus/ (reproducible: no randomness).

Every input is  b0 (mode/config)  b1 (seed)  rest.  b0 as decoded by FuzzConfig in
Sources/FuzzWebSocketWire/FuzzWebSocketWire.swift:
  bits 0-1  mode: 0/1 raw server frames into the engine, 2 handshake response then frames,
            3 send round trip (deflater -> frame writer -> decoder -> inflater)
  bit 2     permessage-deflate negotiated (modes 0/1/3)
  bit 3     no context takeover (server side for modes 0/1, client side for mode 3)
  bit 4     large limits (1 MiB) instead of small ones (4 KiB frame, 16 KiB message, 64 KiB inflated)
  bit 5     UTF-8 validation off
  bits 6-7  chunking: 0 two reads, 1 byte by byte, 2 fixed-size reads (b1 + 1), 3 pseudo-random sizes
b1: chunking seed; bit 3 with small limits picks tiny ones (64-byte frame, 256-byte message, 1 KiB inflated); in mode 2, b1 & 3 picks the deflate offer (0 none, 1 default, 2 no-takeover + 10-bit
windows, 3 no client_max_window_bits); in mode 3, b1 % 9 + 1 is the zlib level, b1 >> 5 the client
window (8 + n), b1 & 0x10 sends valid UTF-8 pieces as text.

Usage: python3 Tests/Fuzz/make-corpus.py [--clean]
Writes (overwrites) the named seeds below into corpus/. The corpus folder also holds inputs that a fuzzing
run found and `-merge=1` kept (named by their SHA-1); --clean deletes those first, leaving only these seeds.
"""
import base64
import hashlib
import os
import shutil
import struct
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus")

MODE_FRAMES, MODE_FRAMES_B, MODE_HANDSHAKE, MODE_ROUNDTRIP = 0, 1, 2, 3
DEFLATE, NO_TAKEOVER, LARGE, NO_UTF8 = 0x04, 0x08, 0x10, 0x20
TWO_READS, BYTEWISE, FIXED, RANDOM = 0x00, 0x40, 0x80, 0xC0


def frame(opcode, payload=b"", fin=True, rsv1=False, rsv2=False, force_len=None):
    """An unmasked server frame (RFC 6455 §5.2); force_len picks the 16/64-bit length form."""
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | (0x20 if rsv2 else 0) | opcode
    n = len(payload)
    form = force_len or (7 if n < 126 else 16 if n <= 0xFFFF else 64)
    if form == 7:
        head = bytes([b0, n])
    elif form == 16:
        head = bytes([b0, 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, 127]) + struct.pack(">Q", n)
    return head + payload


def deflate_raw(data, wbits=15, level=6):
    """permessage-deflate payload: raw deflate, Z_SYNC_FLUSH, trailing 00 00 ff ff removed (RFC 7692 §7.2.1)."""
    c = zlib.compressobj(level, zlib.DEFLATED, -wbits)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def deflate_stream(messages, wbits=15):
    """Several messages compressed with one context (context takeover)."""
    c = zlib.compressobj(6, zlib.DEFLATED, -wbits)
    outs = []
    for m in messages:
        out = c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH)
        outs.append(out[:-4])
    return outs


KEY = base64.b64encode(b"the sample nonce").decode()  # dGhlIHNhbXBsZSBub25jZQ==
ACCEPT = base64.b64encode(hashlib.sha1((KEY + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()
assert ACCEPT == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", ACCEPT


def response(status="101 Switching Protocols", headers=None, accept=ACCEPT):
    lines = [f"HTTP/1.1 {status}"]
    if headers is None:
        headers = []
    base = [("Upgrade", "websocket"), ("Connection", "Upgrade")]
    if accept is not None:
        base.append(("Sec-WebSocket-Accept", accept))
    lines += [f"{k}: {v}" for k, v in base + headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


HELLO_COMPRESSED = bytes.fromhex("f248cdc9c90700")  # RFC 7692 §7.2.3.1
HELLO_AGAIN = bytes.fromhex("f200110000")  # RFC 7692 §7.2.3.2, second "Hello" with context takeover
TICKER = b'{"e":"bookTicker","u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}'

seeds = {}


def seed(name, b0, b1, rest):
    seeds[name] = bytes([b0, b1]) + rest


# --- Mode 0/1: raw server frames, no deflate -------------------------------------------------------
seed("text-hello", MODE_FRAMES, 0x80, frame(0x1, b"Hello"))
seed("text-hello-bytewise", MODE_FRAMES | BYTEWISE, 0, frame(0x1, b"Hello"))
seed("binary-16bit-len", MODE_FRAMES | FIXED, 6, frame(0x2, bytes(range(256))))
seed("binary-64bit-len-large", MODE_FRAMES | LARGE | RANDOM, 3, frame(0x2, b"\xab" * 65536))
seed("binary-64bit-len-small-limit", MODE_FRAMES | TWO_READS, 5, frame(0x2, b"\xab" * 5000))
seed("fragmented-text", MODE_FRAMES | RANDOM, 7, frame(0x1, b"Hel", fin=False) + frame(0x0, b"lo"))
seed("fragmented-with-ping", MODE_FRAMES | FIXED, 2,
     frame(0x1, b"Hel", fin=False) + frame(0x9, b"Hello") + frame(0x0, b"l", fin=False) + frame(0x0, b"o"))
seed("ping-pong", MODE_FRAMES_B, 0x40, frame(0x9, b"Hello") + frame(0xA, b"Hello") + frame(0x9, b""))
seed("close-1000", MODE_FRAMES, 0x10, frame(0x8, struct.pack(">H", 1000)))
seed("close-reason", MODE_FRAMES | BYTEWISE, 0, frame(0x8, struct.pack(">H", 1001) + "bye \u00e9".encode()))
seed("close-empty", MODE_FRAMES, 0x30, frame(0x8, b""))
seed("close-then-data", MODE_FRAMES, 0x20, frame(0x1, b"a") + frame(0x8, struct.pack(">H", 4000)) + frame(0x1, b"b"))
seed("utf8-split-codepoint", MODE_FRAMES | RANDOM, 9,
     frame(0x1, "κόσμε".encode()[:3], fin=False) + frame(0x0, "κόσμε".encode()[3:7], fin=False) + frame(0x0, "κόσμε".encode()[7:]))
seed("utf8-4byte", MODE_FRAMES, 0x60, frame(0x1, "€ 𝄞 \U0010FFFF".encode()))
seed("utf8-invalid", MODE_FRAMES, 0x50, frame(0x1, b"\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"))
seed("utf8-invalid-unchecked", MODE_FRAMES | NO_UTF8, 0x50, frame(0x1, b"\xff\xfe\xc0\xaf"))
seed("ticker-stream", MODE_FRAMES | RANDOM, 0x11, b"".join(frame(0x1, TICKER) for _ in range(4)))
seed("masked-frame", MODE_FRAMES, 0, bytes([0x81, 0x85, 1, 2, 3, 4]) + bytes(b ^ k for b, k in zip(b"Hello", b"\x01\x02\x03\x04\x01")))
seed("rsv2", MODE_FRAMES, 0, frame(0x1, b"x", rsv2=True))
seed("reserved-opcode", MODE_FRAMES, 0, frame(0x3, b"x"))
seed("continuation-alone", MODE_FRAMES, 0, frame(0x0, b"x"))
seed("fragmented-ping", MODE_FRAMES, 0, frame(0x9, b"x", fin=False))
seed("rsv1-without-deflate", MODE_FRAMES, 0, frame(0x1, HELLO_COMPRESSED, rsv1=True))
seed("nonminimal-64bit-ping", MODE_FRAMES | BYTEWISE, 0, frame(0x9, b"abc", force_len=64))
seed("top-bit-length", MODE_FRAMES, 0, bytes([0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 1]) + b"x")
seed("big-fragmented-binary", MODE_FRAMES | FIXED, 200,
     b"".join(frame(0x2 if i == 0 else 0x0, bytes([i]) * 3000, fin=(i == 6)) for i in range(7)))

# --- Mode 0/1 with permessage-deflate ------------------------------------------------------------
seed("deflate-hello", MODE_FRAMES | DEFLATE, 0x80, frame(0x1, HELLO_COMPRESSED, rsv1=True))
seed("deflate-hello-twice-takeover", MODE_FRAMES_B | DEFLATE | BYTEWISE, 0,
     frame(0x1, HELLO_COMPRESSED, rsv1=True) + frame(0x1, HELLO_AGAIN, rsv1=True))
seed("deflate-hello-twice-no-takeover", MODE_FRAMES | DEFLATE | NO_TAKEOVER | RANDOM, 1,
     frame(0x1, HELLO_COMPRESSED, rsv1=True) + frame(0x1, HELLO_COMPRESSED, rsv1=True))
seed("deflate-fragmented", MODE_FRAMES | DEFLATE | FIXED, 1,
     frame(0x1, HELLO_COMPRESSED[:3], fin=False, rsv1=True) + frame(0x0, HELLO_COMPRESSED[3:]))
seed("deflate-stored-block", MODE_FRAMES | DEFLATE, 0x40, frame(0x1, bytes.fromhex("000500faff48656c6c6f00"), rsv1=True))
seed("deflate-bfinal", MODE_FRAMES | DEFLATE, 0x40,
     frame(0x1, bytes.fromhex("f348cdc9c9070000"), rsv1=True) + frame(0x1, HELLO_COMPRESSED, rsv1=True))
seed("deflate-empty", MODE_FRAMES | DEFLATE, 0, frame(0x2, b"\x00", rsv1=True) + frame(0x2, b"", rsv1=True))
seed("deflate-ticker-takeover", MODE_FRAMES | DEFLATE | RANDOM, 0x21,
     b"".join(frame(0x1, p, rsv1=True) for p in deflate_stream([TICKER] * 3)))
seed("deflate-ticker-window-9", MODE_FRAMES | DEFLATE | LARGE | TWO_READS, 0x99,
     b"".join(frame(0x1, p, rsv1=True) for p in deflate_stream([TICKER * 5, TICKER], wbits=9)))
seed("deflate-mixed", MODE_FRAMES | DEFLATE, 0x33,
     frame(0x1, b"plain") + frame(0x2, deflate_raw(bytes(range(200))), rsv1=True) + frame(0x9, b"p")
     + frame(0x1, HELLO_COMPRESSED, rsv1=True) + frame(0x8, struct.pack(">H", 1000)))
seed("deflate-bomb-small-limit", MODE_FRAMES | DEFLATE | FIXED, 100, frame(0x2, deflate_raw(b"\x00" * (1 << 20), level=9), rsv1=True))
seed("deflate-bomb-large-limit", MODE_FRAMES | DEFLATE | LARGE | RANDOM, 100,
     frame(0x2, deflate_raw(b"\x00" * (3 << 20), level=9), rsv1=True))
seed("deflate-just-under-limit", MODE_FRAMES | DEFLATE | TWO_READS, 77,
     frame(0x2, deflate_raw(b"x" * (64 << 10), level=9), rsv1=True) + frame(0x2, deflate_raw(b"y" * ((64 << 10) + 1), level=9), rsv1=True))
seed("deflate-utf8-invalid", MODE_FRAMES | DEFLATE, 0, frame(0x1, deflate_raw(b"ok \xed\xa0\x80"), rsv1=True))
seed("deflate-corrupt", MODE_FRAMES | DEFLATE, 0, frame(0x1, b"\xff\xff\xff\xff", rsv1=True))
seed("deflate-rsv1-continuation", MODE_FRAMES | DEFLATE, 0,
     frame(0x1, HELLO_COMPRESSED[:3], fin=False, rsv1=True) + frame(0x0, HELLO_COMPRESSED[3:], rsv1=True))

# --- Mode 2: handshake response, then frames ---------------------------------------------------------
seed("hs-101-plain", MODE_HANDSHAKE, 0x00, response() + frame(0x1, b"Hello"))
seed("hs-101-subprotocol", MODE_HANDSHAKE | RANDOM, 0x04,
     response(headers=[("Sec-WebSocket-Protocol", "v1.json")]) + frame(0x9, b"hi") + frame(0x1, b"x"))
seed("hs-101-deflate", MODE_HANDSHAKE | BYTEWISE, 0x01,
     response(headers=[("Sec-WebSocket-Extensions", "permessage-deflate; client_max_window_bits=12; server_no_context_takeover")])
     + frame(0x1, HELLO_COMPRESSED, rsv1=True) + frame(0x1, HELLO_COMPRESSED, rsv1=True))
seed("hs-101-deflate-takeover", MODE_HANDSHAKE | RANDOM, 0x05,
     response(headers=[("Sec-WebSocket-Extensions", "permessage-deflate")])
     + frame(0x1, HELLO_COMPRESSED, rsv1=True) + frame(0x1, HELLO_AGAIN, rsv1=True))
seed("hs-101-deflate-offer2", MODE_HANDSHAKE | LARGE, 0x02,
     response(headers=[("Sec-WebSocket-Extensions",
                        'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits="10"; client_max_window_bits=9')])
     + frame(0x1, deflate_raw(TICKER, wbits=10), rsv1=True))
seed("hs-101-deflate-offer3", MODE_HANDSHAKE, 0x03,
     response(headers=[("sec-websocket-extensions", "permessage-deflate; server_max_window_bits=8")]))
seed("hs-101-bad-extension", MODE_HANDSHAKE, 0x01,
     response(headers=[("Sec-WebSocket-Extensions", "permessage-deflate, x-webkit-deflate-frame")]))
seed("hs-101-lowercase-multi-connection", MODE_HANDSHAKE, 0x01,
     b"HTTP/1.1 101 OK\r\nupgrade: WebSocket\r\nconnection: keep-alive, Upgrade\r\nsec-websocket-accept:\t" + ACCEPT.encode()
     + b" \r\n\r\n" + frame(0x8, b""))
seed("hs-wrong-accept", MODE_HANDSHAKE, 0x00, response(accept="dGhlIHNhbXBsZSBub25jZQ=="))
seed("hs-429", MODE_HANDSHAKE, 0x00, b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 30\r\nContent-Length: 0\r\n\r\n")
seed("hs-301", MODE_HANDSHAKE, 0x00, b"HTTP/1.1 301 Moved Permanently\r\nLocation: wss://other.example.com/\r\n\r\n")
seed("hs-partial", MODE_HANDSHAKE, 0x00, b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n")
seed("hs-url-line", MODE_HANDSHAKE, 0x00, b"wss://user@[::1]:9443/path?q=1\r\n\r\n")

# --- Mode 3: send round trip ---------------------------------------------------------------------
seed("rt-plain", MODE_ROUNDTRIP, 0x10, TICKER)
seed("rt-deflate-text", MODE_ROUNDTRIP | DEFLATE | RANDOM, 0xF0 | 0x10, TICKER * 3)
seed("rt-deflate-no-takeover-w8", MODE_ROUNDTRIP | DEFLATE | NO_TAKEOVER | FIXED, 0x13, TICKER * 2 + "κόσμε".encode())
seed("rt-deflate-binary-large", MODE_ROUNDTRIP | DEFLATE | LARGE | TWO_READS, 0x68, bytes(range(256)) * 8)

if __name__ == "__main__":
    if "--clean" in sys.argv[1:]:
        shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT, exist_ok=True)
    for name, data in sorted(seeds.items()):
        assert len(data) <= 70000, (name, len(data))
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    total = sum(len(d) for d in seeds.values())
    print(f"wrote {len(seeds)} seeds, {total} bytes, to {OUT}")
