#!/usr/bin/env python3
"""Sizes of the bare-metal binary's sections (ELF32): code (.text), constants (.rodata) and
the rest, from the section headers, with no binutils for the target needed.
    ci/core-size/measure.py PATH-TO-ELF"""
import struct
import sys

data = open(sys.argv[1], "rb").read()
assert data[:4] == b"\x7fELF" and data[4] == 1, "an ELF32 file"
shoff, = struct.unpack_from("<I", data, 0x20)
shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x2E)
sections = [struct.unpack_from("<IIIIIIIIII", data, shoff + i * shentsize) for i in range(shnum)]
strtab = sections[shstrndx]
def name(s):
    start = strtab[4] + s[0]
    return data[start:data.index(b"\0", start)].decode()
sizes = {}
for s in sections:
    n, flags, size = name(s), s[2], s[5]
    if flags & 0x2:  # SHF_ALLOC: in the image
        key = ".text" if n.startswith(".text") else ".rodata" if n.startswith(".rodata") else n
        sizes[key] = sizes.get(key, 0) + size
for key, size in sorted(sizes.items()):
    print(f"{key:12} {size:8} bytes")
print(f"{'flash':12} {sizes.get('.text', 0) + sizes.get('.rodata', 0):8} bytes (.text + .rodata)")
