"""Text files as users save them: UTF-8, UTF-8 with a BOM, or GBK/GB18030 (Chinese Excel)."""

from __future__ import annotations

import codecs
from pathlib import Path

from helpers.core.errors import DataError


def sniff_encoding(path: Path) -> str:
    """'utf-8', 'utf-8-sig' (a BOM) or 'gb18030', decided by reading the whole file once."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        head = fh.read(3)
        try:
            decoder.decode(head)
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig" if head == codecs.BOM_UTF8 else "utf-8"


def utf8_copy(path: Path, workdir: Path) -> Path:
    """`path` itself when it is plain UTF-8, else a UTF-8 copy of it in `workdir`."""
    encoding = sniff_encoding(path)
    if encoding == "utf-8":
        return path
    target = workdir / f"{path.stem}.utf8{path.suffix}"
    try:
        with path.open("r", encoding=encoding, newline="") as src, \
                target.open("w", encoding="utf-8", newline="") as dst:
            for chunk in iter(lambda: src.read(1 << 20), ""):
                dst.write(chunk)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not valid UTF-8 or GB18030 text (byte {exc.start}); "
                        f"save the file as UTF-8") from None
    return target
