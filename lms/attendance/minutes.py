"""A set of minute indexes stored as a little-endian bitmap: bit i set = present during minute i of
the session. A full-day session (8 h) takes 60 bytes, the 24 h maximum 180 bytes."""


def _as_int(bitmap) -> int:
    return int.from_bytes(bytes(bitmap or b""), "little")


def mark(bitmap, first: int, last: int, size: int) -> bytes:
    """The bitmap with minutes first..last (inclusive, clipped to 0..size-1) set."""
    first, last = max(first, 0), min(last, size - 1)
    bits = _as_int(bitmap)
    if first <= last:
        bits |= ((1 << (last - first + 1)) - 1) << first
    return bits.to_bytes((size + 7) // 8, "little")


def count(bitmap, size: int) -> int:
    """How many of the minutes 0..size-1 are set (bits beyond size, left by a shortened
    session, do not count)."""
    return (_as_int(bitmap) & ((1 << size) - 1)).bit_count()


def indexes(bitmap, size: int) -> list[int]:
    bits = _as_int(bitmap)
    return [i for i in range(size) if bits >> i & 1]
