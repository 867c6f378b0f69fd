"""The encrypted container of the mission-closure archive: a stream of JSON lines, compressed, cut
into segments and sealed with AES-256-GCM.

Layout on disk:

    header   MAGIC (8) | format (1) | archive id (16, random) | key check (32)
    segment  length (4, big-endian) | AES-256-GCM ciphertext and tag   ... repeated

Each archive gets its own segment key, derived with HKDF from the archive key and the random
archive id, so the segment nonce can simply be the segment's position: 11 bytes of index and one
byte saying whether this is the last segment. A segment moved, dropped or duplicated fails to
decrypt at its new position; an archive cut short ends without a last segment; every segment
authenticates the header too. The key check (another HKDF output, independent of the segment key)
tells a wrong key apart from a damaged file.

Written by hand rather than with a library: `cryptography` offers AES-GCM but no streaming
construction, and this one is the usual STREAM pattern in some sixty lines.
"""

import base64
import hashlib
import hmac
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"CRSVARCH"
FORMAT = 1
ID_BYTES = 16
CHECK_BYTES = 32
HEADER_BYTES = len(MAGIC) + 1 + ID_BYTES + CHECK_BYTES
TAG_BYTES = 16
# Plaintext (compressed) bytes per segment: large enough that the 20 bytes of framing and tag do not
# matter, small enough that a reader holds little in memory.
SEGMENT_BYTES = 1 << 20
# Plaintext handed on at a time when reading.
OUTPUT_BYTES = 4 << 20
KEY_ENV = "ARCHIVE_KEY"


class ArchiveError(Exception):
    """Something is wrong with an archive or its key; the message is fit to show an operator."""


class WrongKey(ArchiveError):
    pass


class Damaged(ArchiveError):
    pass


# ---- keys


def new_key():
    return os.urandom(32)


def encode_key(key):
    return base64.b64encode(key).decode()


def decode_key(text, source):
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError:
        raise ArchiveError(f"The archive key in {source} is not base64.") from None
    if len(key) != 32:
        raise ArchiveError(f"The archive key in {source} must be 32 bytes (44 characters of base64).")
    return key


def load_key(key_file=None):
    """The key from `key_file`, else from the ARCHIVE_KEY environment variable."""
    if key_file:
        try:
            with open(key_file) as f:
                return decode_key(f.read(), key_file)
        except OSError as error:
            raise ArchiveError(f"Cannot read the key file {key_file}: {error.strerror}.") from None
    text = os.environ.get(KEY_ENV, "")
    if not text.strip():
        raise ArchiveError(f"No archive key: set {KEY_ENV} (base64) or pass --key-file.")
    return decode_key(text, KEY_ENV)


def write_new_key(path):
    """Write a new key to `path` (readable by its owner only; an existing file is never overwritten)."""
    key = new_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ArchiveError(f"{path} already exists; the new key is written only to a new file.") from None
    with os.fdopen(fd, "w") as f:
        f.write(encode_key(key) + "\n")
    return key


def _derive(key, archive_id, purpose):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=archive_id,
                info=b"crsv-archive/v1/" + purpose).derive(key)


def _nonce(index, last):
    return index.to_bytes(11, "big") + (b"\x01" if last else b"\x00")


# ---- writing


class SealedWriter:
    """Takes plaintext bytes, writes compressed, sealed segments to a binary file."""

    def __init__(self, fileobj, key, archive_id):
        self.file = fileobj
        self.header = MAGIC + bytes([FORMAT]) + archive_id + _derive(key, archive_id, b"key-check")
        self.aead = AESGCM(_derive(key, archive_id, b"segments"))
        self.compressor = zlib.compressobj(6)
        self.pending = bytearray()
        self.index = 0
        self.file_sha256 = hashlib.sha256()
        self._out(self.header)

    def _out(self, data):
        self.file.write(data)
        self.file_sha256.update(data)

    def _seal(self, plaintext, last):
        sealed = self.aead.encrypt(_nonce(self.index, last), bytes(plaintext), self.header)
        self._out(len(sealed).to_bytes(4, "big") + sealed)
        self.index += 1

    def write(self, data):
        self.pending += self.compressor.compress(data)
        # Keep at least one byte back so that the last segment is never missing.
        while len(self.pending) > SEGMENT_BYTES:
            self._seal(self.pending[:SEGMENT_BYTES], last=False)
            del self.pending[:SEGMENT_BYTES]

    def close(self):
        self.pending += self.compressor.flush()
        while len(self.pending) > SEGMENT_BYTES:
            self._seal(self.pending[:SEGMENT_BYTES], last=False)
            del self.pending[:SEGMENT_BYTES]
        self._seal(self.pending, last=True)
        self.pending = bytearray()
        return self.index


# ---- reading


def read_header(fileobj, key):
    header = fileobj.read(HEADER_BYTES)
    if len(header) < HEADER_BYTES or not header.startswith(MAGIC):
        raise ArchiveError("This is not a CRSV MIS archive (its first bytes are wrong).")
    if header[len(MAGIC)] != FORMAT:
        raise ArchiveError(f"Archive format {header[len(MAGIC)]} is not known to this version (it reads {FORMAT}).")
    archive_id = header[len(MAGIC) + 1:len(MAGIC) + 1 + ID_BYTES]
    if not hmac.compare_digest(header[-CHECK_BYTES:], _derive(key, archive_id, b"key-check")):
        raise WrongKey("Wrong archive key: this key did not seal this archive.")
    return header, archive_id


def plaintext_chunks(fileobj, key, stats=None):
    """Yield the decompressed plaintext, segment by segment, after checking each one.

    `stats` (a dict), if given, receives the archive id and the number of segments read."""
    header, archive_id = read_header(fileobj, key)
    aead = AESGCM(_derive(key, archive_id, b"segments"))
    decompressor = zlib.decompressobj()
    index = 0
    if stats is not None:
        stats["archive_id"] = archive_id.hex()
    while True:
        size_bytes = fileobj.read(4)
        if len(size_bytes) < 4:
            raise Damaged(f"The archive is cut short: it ends after segment {index} without its last segment.")
        size = int.from_bytes(size_bytes, "big")
        if size < TAG_BYTES or size > SEGMENT_BYTES + TAG_BYTES:
            raise Damaged(f"The archive is damaged at segment {index + 1} (impossible length).")
        sealed = fileobj.read(size)
        if len(sealed) < size:
            raise Damaged(f"The archive is cut short inside segment {index + 1}.")
        last = False
        try:
            plain = aead.decrypt(_nonce(index, False), sealed, header)
        except InvalidTag:
            try:
                plain = aead.decrypt(_nonce(index, True), sealed, header)
                last = True
            except InvalidTag:
                raise Damaged(f"The archive is damaged: segment {index + 1} fails its authentication "
                              "(changed, moved or replaced).") from None
        index += 1
        if stats is not None:
            stats["segments"] = index
        yield from _decompressed(decompressor, plain, index, last)
        if last:
            if fileobj.read(1):
                raise Damaged("The archive is damaged: there are bytes after its last segment.")
            if not decompressor.eof:
                raise Damaged("The archive is damaged: its content stops before its end.")
            return


def _decompressed(decompressor, data, index, last):
    """Decompress a segment a few MiB at a time: JSON compresses twenty-fold or more, and a whole
    segment's output need not be in memory at once."""
    try:
        while True:
            out = decompressor.decompress(data, OUTPUT_BYTES)
            data = decompressor.unconsumed_tail
            if out:
                yield out
            if not data and len(out) < OUTPUT_BYTES:  # a full output may leave more pending
                break
        if last:
            out = decompressor.flush()
            if out:
                yield out
    except zlib.error:
        raise Damaged(f"The archive is damaged: segment {index} does not decompress.") from None


def plaintext_lines(fileobj, key, stats=None):
    """Yield each line of plaintext (bytes, without the newline)."""
    rest = b""
    for chunk in plaintext_chunks(fileobj, key, stats):
        rest += chunk
        lines = rest.split(b"\n")
        rest = lines.pop()
        yield from lines
    if rest:
        raise Damaged("The archive is damaged: its content does not end with a complete line.")
