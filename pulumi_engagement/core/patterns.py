"""Linear-time matching of the service model's regular expressions.

The model's ARN pattern, ``([\\w+=\\/,.@:-]+)*``, nests quantifiers: Python's
backtracking ``re`` takes exponential time on a near-miss such as a long ARN
ending in ``!``. A playbook or a provider must never hang on a bad value, so
patterns are compiled to an NFA and run as a lazily built DFA: time is linear
in the input's length whatever the input.

Semantics follow the model's language (Smithy, Java regexes): a pattern is not
implicitly anchored (``^``/``$`` anchor it), ``\\w``, ``\\d`` and ``\\s`` are
ASCII classes, and ``.`` matches anything but a line terminator.
"""

from __future__ import annotations

import unicodedata

_LINE_TERMINATORS = "\n\r\u0085\u2028\u2029"
_Ranges = tuple[tuple[int, int], ...]

_CLASS_ESCAPES: dict[str, tuple[_Ranges, bool]] = {
    "d": (((48, 57),), False),
    "D": (((48, 57),), True),
    "w": (((48, 57), (65, 90), (95, 95), (97, 122)), False),
    "W": (((48, 57), (65, 90), (95, 95), (97, 122)), True),
    "s": (((9, 13), (32, 32)), False),
    "S": (((9, 13), (32, 32)), True),
}
_CONTROL_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "e": "\x1b", "a": "\x07", "0": "\0"}
_MAX_REPEAT = 4096
#: Texts whose answer SafePattern keeps (then it starts afresh), each at most _MAX_KEPT_LENGTH long.
_MAX_RESULTS = 256
_MAX_KEPT_LENGTH = 2048


class PatternError(ValueError):
    """The pattern uses a construct this matcher does not support."""


class _Category:
    """A Unicode general category such as \\p{L} (letters) or \\p{Nd}, as Java reads it."""

    __slots__ = ("prefix",)

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def __contains__(self, ch: str) -> bool:
        return unicodedata.category(ch).startswith(self.prefix)


class _CharSet:
    """A union of (ranges or category, negated) items; membership is cached per character."""

    __slots__ = ("_cache", "items")

    def __init__(self, items: list[tuple[_Ranges | _Category, bool]]) -> None:
        self.items = items
        self._cache: dict[str, bool] = {}

    def __contains__(self, ch: str) -> bool:
        hit = self._cache.get(ch)
        if hit is None:
            hit = any(_item_contains(item, ch) != negated for item, negated in self.items)
            if len(self._cache) < 4096:
                self._cache[ch] = hit
        return hit


def _item_contains(item: _Ranges | _Category, ch: str) -> bool:
    if isinstance(item, _Category):
        return ch in item
    code = ord(ch)
    return any(lo <= code <= hi for lo, hi in item)


class _Negated(_CharSet):
    def __contains__(self, ch: str) -> bool:
        return not super().__contains__(ch)


_ANY_BUT_NEWLINE = _Negated([(tuple((ord(c), ord(c)) for c in _LINE_TERMINATORS), False)])


# --- parsing to a tiny AST -------------------------------------------------------------------
# Nodes: ("set", _CharSet) | ("cat", [nodes]) | ("alt", [nodes]) | ("rep", node, min, max|None)


class _Parser:
    def __init__(self, pattern: str) -> None:
        self.p = pattern
        self.i = 0

    def parse(self) -> tuple[object, bool, bool]:
        anchored_start = self.p.startswith("^")
        if anchored_start:
            self.i = 1
        end = len(self.p)
        anchored_end = end > self.i and self.p.endswith("$") and not self._escaped(end - 1)
        if anchored_end:
            self.p = self.p[:-1]
        node = self._alt()
        if self.i != len(self.p):
            raise PatternError(f"unexpected {self.p[self.i]!r} at {self.i}")
        return node, anchored_start, anchored_end

    def _escaped(self, pos: int) -> bool:
        n = 0
        while pos - 1 - n >= 0 and self.p[pos - 1 - n] == "\\":
            n += 1
        return n % 2 == 1

    def _peek(self) -> str | None:
        return self.p[self.i] if self.i < len(self.p) else None

    def _alt(self) -> object:
        branches = [self._cat()]
        while self._peek() == "|":
            self.i += 1
            branches.append(self._cat())
        return branches[0] if len(branches) == 1 else ("alt", branches)

    def _cat(self) -> object:
        items = []
        while self._peek() not in (None, "|", ")"):
            items.append(self._repeat(self._atom()))
        return ("cat", items)

    def _repeat(self, atom: object) -> object:
        while True:
            ch = self._peek()
            if ch in ("*", "+", "?"):
                self.i += 1
                lo, hi = {"*": (0, None), "+": (1, None), "?": (0, 1)}[ch]
            elif ch == "{" and self._looks_like_count():
                lo, hi = self._count()
            else:
                return atom
            if self._peek() in ("?", "+"):  # lazy/possessive: same language
                self.i += 1
            atom = ("rep", atom, lo, hi)

    def _looks_like_count(self) -> bool:
        close = self.p.find("}", self.i)
        body = self.p[self.i + 1 : close] if close > 0 else ""
        return bool(body) and all(c.isdigit() or c == "," for c in body) and body[0].isdigit()

    def _count(self) -> tuple[int, int | None]:
        close = self.p.index("}", self.i)
        body = self.p[self.i + 1 : close]
        self.i = close + 1
        if "," in body:
            lo_s, hi_s = body.split(",", 1)
            lo, hi = int(lo_s), (int(hi_s) if hi_s else None)
        else:
            lo = hi = int(body)
        if lo > _MAX_REPEAT or (hi is not None and (hi > _MAX_REPEAT or hi < lo)):
            raise PatternError(f"unsupported repeat count {{{body}}}")
        return lo, hi

    def _atom(self) -> object:
        ch = self.p[self.i]
        self.i += 1
        if ch == "(":
            if self.p.startswith("?:", self.i):
                self.i += 2
            elif self._peek() == "?":
                raise PatternError("lookaround and named groups are not supported")
            node = self._alt()
            if self._peek() != ")":
                raise PatternError("unbalanced parenthesis")
            self.i += 1
            return node
        if ch == "[":
            return ("set", self._class())
        if ch == ".":
            return ("set", _ANY_BUT_NEWLINE)
        if ch == "\\":
            return ("set", self._escape_set())
        if ch in "^$":
            raise PatternError("anchors are supported only at the ends of the pattern")
        if ch in "*+?":
            raise PatternError(f"nothing to repeat at {self.i - 1}")
        return ("set", _literal(ch))

    def _escape_set(self) -> _CharSet:
        ch = self.p[self.i]
        self.i += 1
        if ch in _CLASS_ESCAPES:
            return _CharSet([_CLASS_ESCAPES[ch]])
        if ch in "pP":
            return _CharSet([self._category(ch)])
        if ch.isalnum() and ch not in _CONTROL_ESCAPES:
            raise PatternError(f"unsupported escape \\{ch}")
        return _literal(_CONTROL_ESCAPES.get(ch, ch))

    def _category(self, letter: str) -> tuple[_Category, bool]:
        """\\p{L} or \\pL; \\P negates."""
        if self._peek() == "{":
            close = self.p.index("}", self.i)
            name = self.p[self.i + 1 : close]
            self.i = close + 1
        else:
            name = self.p[self.i]
            self.i += 1
        if not name or not name.isalpha() or len(name) > 2:
            raise PatternError(f"unsupported character property {name!r}")
        return _Category(name), letter == "P"

    def _class(self) -> _CharSet:
        negated = self._peek() == "^"
        if negated:
            self.i += 1
        items: list[tuple[_Ranges | _Category, bool]] = []
        first = True
        while True:
            if self.i >= len(self.p):
                raise PatternError("unterminated character class")
            ch = self.p[self.i]
            if ch == "]" and not first:
                self.i += 1
                break
            first = False
            self.i += 1
            if ch == "\\":
                esc = self.p[self.i]
                self.i += 1
                if esc in _CLASS_ESCAPES:
                    items.append(_CLASS_ESCAPES[esc])
                    continue
                if esc in "pP":
                    items.append(self._category(esc))
                    continue
                ch = _CONTROL_ESCAPES.get(esc, esc)
            elif ch == "[":
                raise PatternError("nested character classes are not supported")
            # A range a-b, unless '-' is last in the class.
            if self._peek() == "-" and self.i + 1 < len(self.p) and self.p[self.i + 1] != "]":
                self.i += 1
                hi = self.p[self.i]
                self.i += 1
                if hi == "\\":
                    hi = _CONTROL_ESCAPES.get(self.p[self.i], self.p[self.i])
                    self.i += 1
                items.append((((ord(ch), ord(hi)),), False))
            else:
                items.append((((ord(ch), ord(ch)),), False))
        return _Negated(items) if negated else _CharSet(items)


def _literal(ch: str) -> _CharSet:
    return _CharSet([(((ord(ch), ord(ch)),), False)])


# --- Thompson NFA --------------------------------------------------------------------------


class _Nfa:
    def __init__(self) -> None:
        self.sets: list[_CharSet | None] = []  # state -> charset (None: epsilon/accept)
        self.next: list[list[int]] = []  # state -> successors

    def state(self, charset: _CharSet | None = None) -> int:
        self.sets.append(charset)
        self.next.append([])
        return len(self.sets) - 1

    def build(self, node: object, out: int) -> int:
        """Build states for node so that they lead to out; return the entry state."""
        kind = node[0]  # type: ignore[index]
        if kind == "set":
            s = self.state(node[1])  # type: ignore[index]
            self.next[s].append(out)
            return s
        if kind == "cat":
            entry = out
            for child in reversed(node[1]):  # type: ignore[index]
                entry = self.build(child, entry)
            return entry
        if kind == "alt":
            s = self.state()
            self.next[s].extend(self.build(child, out) for child in node[1])  # type: ignore[index]
            return s
        _, child, lo, hi = node  # type: ignore[misc]
        entry = out
        if hi is None:
            loop = self.state()
            self.next[loop].extend([self.build(child, loop), out])
            entry = loop
        else:
            for _ in range(hi - lo):
                s = self.state()
                self.next[s].extend([self.build(child, entry), out])
                entry = s
        for _ in range(lo):
            entry = self.build(child, entry)
        return entry

    def closure(self, states: set[int] | list[int]) -> frozenset[int]:
        seen: set[int] = set()
        stack = list(states)
        while stack:
            s = stack.pop()
            if s in seen:
                continue
            seen.add(s)
            if self.sets[s] is None:
                stack.extend(self.next[s])
        return frozenset(seen)


class SafePattern:
    """A compiled model pattern; :meth:`search` runs in time linear in the text."""

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        node, self.anchored_start, self.anchored_end = _Parser(pattern).parse()
        self._nfa = _Nfa()
        self._accept = self._nfa.state()
        self._start = self._nfa.closure([self._nfa.build(node, self._accept)])
        self._step_cache: dict[tuple[frozenset[int], str], frozenset[int]] = {}
        #: Answers for recent texts: a page's contact, sender and content repeat from one page to the next.
        self._results: dict[str, bool] = {}
        #: One object per DFA state, so a cache key's state compares by identity, not element-wise.
        self._states: dict[frozenset[int], frozenset[int]] = {self._start: self._start}

    def _step(self, current: frozenset[int], ch: str) -> frozenset[int]:
        key = (current, ch)
        hit = self._step_cache.get(key)
        if hit is not None:
            return hit
        nfa = self._nfa
        moved = [nxt for s in current if (cs := nfa.sets[s]) is not None and ch in cs for nxt in nfa.next[s]]
        result = nfa.closure(moved)
        if not self.anchored_start:
            result = result | self._start
        if len(self._step_cache) > 65536:  # bound memory; correctness does not depend on it
            self._step_cache.clear()
            self._states = {self._start: self._start}
        result = self._states.setdefault(result, result)
        self._step_cache[key] = result
        return result

    def search(self, text: str) -> bool:
        """True if the pattern matches text the way the service applies it."""
        if len(text) > _MAX_KEPT_LENGTH:
            return self._search(text)
        known = self._results.get(text)
        if known is None:
            if len(self._results) >= _MAX_RESULTS:  # bound memory; correctness does not depend on it
                self._results.clear()
            known = self._results[text] = self._search(text)
        return known

    def _search(self, text: str) -> bool:
        if self._run(text):
            return True
        # As in Java, a final "$" also matches before one trailing line terminator.
        if self.anchored_end and text.endswith("\r\n"):
            return self._run(text[:-2])
        if self.anchored_end and text and text[-1] in _LINE_TERMINATORS:
            return self._run(text[:-1])
        return False

    def _run(self, text: str) -> bool:
        current = self._start
        accept, early = self._accept, not self.anchored_end
        if early and accept in current:
            return True
        # The cache lookup inlined (a method call per character was most of the time): every
        # value of a page is checked before it is sent, Content up to 8192 characters.
        cache = self._step_cache
        for ch in text:
            nxt = cache.get((current, ch))
            current = self._step(current, ch) if nxt is None else nxt
            if not current:
                return False
            if early and accept in current:
                return True
        return accept in current


_COMPILED: dict[str, SafePattern] = {}


def compile_pattern(pattern: str) -> SafePattern:
    """Compile (and cache) a model pattern."""
    compiled = _COMPILED.get(pattern)
    if compiled is None:
        compiled = _COMPILED[pattern] = SafePattern(pattern)
    return compiled
