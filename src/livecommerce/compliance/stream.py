"""Scanning a transcript as it arrives (流式检测): chunks of speech-to-text are fed one by one; a hit that spans a
chunk boundary is found once, and a hit near the end of what has arrived waits until it is final (a later chunk may
complete an exception — 最佳 | 食用时间 — or a longer claim)."""

from __future__ import annotations

from livecommerce.compliance.normalize import normalize
from livecommerce.compliance.scanner import Hit, Scanner


class Stream:
    """Feed chunks, get the hits that are final; ``close`` gives the rest. Offsets count from the first chunk."""

    def __init__(self, scanner: Scanner) -> None:
        self.scanner = scanner
        self.buffer = ""  # the original text not yet final
        self.offset = 0  # where ``buffer`` starts in the whole transcript
        self.reported: set[tuple[str, int, int]] = set()
        self.spans: list[tuple[str, int, int]] = []  # (category, start, end) reported, for claims found in two pieces
        # a hit starting this many normalised characters before the end is final: whatever overlaps it (and would
        # be merged with it) or excuses it lies within twice the longest pattern
        self.margin = 2 * scanner.longest + 1
        self.decided = -1  # normalised positions of ``buffer`` up to here were decided in an earlier call

    def feed(self, chunk: str) -> list[Hit]:
        """The hits that no later text can change, among all text received so far."""
        self.buffer += chunk
        return self._emit(final=False)

    def close(self) -> list[Hit]:
        """The remaining hits, once the transcript has ended."""
        hits = self._emit(final=True)
        self.offset += len(self.buffer)
        self.buffer = ""
        return hits

    def _emit(self, final: bool) -> list[Hit]:
        norm = normalize(self.buffer)
        found = self.scanner._find(norm)
        cut = len(norm.text) - self.margin  # normalised position from which text is not final
        out = []
        for entry, start, end in found:
            if (not final and start > cut) or start <= self.decided:
                continue  # not final yet; or starting in the kept context, decided in an earlier call
            hit = self.scanner._hit(self.buffer, norm, entry, start, end)
            key = (hit.rule, hit.start + self.offset, hit.end + self.offset)
            if key in self.reported or any(c == hit.category and a < key[2] and key[1] < b for c, a, b in self.spans):
                continue
            self.reported.add(key)
            self.spans.append((hit.category, key[1], key[2]))
            out.append(Hit(hit.rule, hit.category, hit.severity, hit.law, key[1], key[2], hit.text, hit.suggestion, hit.pack, hit.term))
        if not final and cut > 0:
            # keep the last ``margin`` normalised characters and, as context, the longest key's length before them:
            # an exception that began there may still excuse a later hit, and the character before a hit decides a
            # Latin word boundary (vx|zui好 is not zui好)
            first = max(cut - self.scanner.longest, 0)
            keep_from = int(norm.starts[first])
            self.offset += keep_from
            self.buffer = self.buffer[keep_from:]
            self.decided = cut - first
            self.reported = {k for k in self.reported if k[2] > self.offset}
            self.spans = [span for span in self.spans if span[2] > self.offset]
        return out
