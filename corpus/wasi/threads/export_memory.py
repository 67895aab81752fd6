#!/usr/bin/env python3
"""Adds the export "memory" of memory 0 to a Wasm binary, in place: what wasm-ld's --export-memory (LLVM >= 16) does.

wasi-threads programs import their memory (each thread's instance imports the same shared one) and must also
export it, because WASI hosts (wasmtime, ours) read and write guest memory through the export "memory". wasm-ld 14
cannot export an imported memory; this step does it after linking. Usage: export_memory.py FILE.wasm
"""
import sys


def leb(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def read_leb(data, at):
    value = shift = 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, at


def main(path):
    data = open(path, "rb").read()
    if data[:8] != b"\0asm\1\0\0\0":
        sys.exit(f"{path}: not a Wasm module")
    sections, at = [], 8
    while at < len(data):
        section_id = data[at]
        size, body = read_leb(data, at + 1)
        sections.append((section_id, data[body:body + size]))
        at = body + size
    entry = leb(len(b"memory")) + b"memory" + b"\x02" + leb(0)  # kind 2: memory, index 0
    out = bytearray(data[:8])
    done = False
    for section_id, body in sections:
        if section_id == 7:  # the export section: one more entry
            count, rest = read_leb(body, 0)
            names = body[rest:]
            if b"\x06memory\x02" in names:
                sys.exit(f"{path}: already exports memory")
            body = leb(count + 1) + names + entry
            done = True
        elif section_id in (10, 11, 12) and not done:  # no export section: insert one before code, data, datacount
            out += b"\x07" + leb(len(leb(1) + entry)) + leb(1) + entry
            done = True
        out += bytes([section_id]) + leb(len(body)) + body
    if not done:
        out += b"\x07" + leb(len(leb(1) + entry)) + leb(1) + entry
    open(path, "wb").write(out)


if __name__ == "__main__":
    main(sys.argv[1])
