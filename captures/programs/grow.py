# Grows a large buffer while other large blocks are allocated next to it: glibc realloc
# of a mmapped chunk moves it with mremap(MREMAP_MAYMOVE) when it cannot grow in place.
buf = bytearray()
keep = []
for i in range(200):
    buf += b"x" * 65536  # realloc of the buffer's mmapped chunk
    keep.append(bytearray(200_000))  # a neighbour, mmapped (above the 128 KiB threshold)
    if i % 3 == 0:
        keep.pop(0)  # freed: munmap leaves a hole
print(len(buf), len(keep))
