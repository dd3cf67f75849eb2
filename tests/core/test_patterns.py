"""The linear-time matcher agrees with Python's re and never backtracks."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pulumi_engagement.core import patterns
from pulumi_engagement.core.patterns import PatternError, SafePattern, compile_pattern
from pulumi_engagement.core.validation import service_model

ARN_PATTERN = input_pattern = (
    service_model().operation_model("StartEngagement").input_shape.members["ContactId"].metadata["pattern"]
)


def all_model_patterns() -> set[str]:
    model = service_model()
    found = set()
    for op in model.operation_names:
        shape = model.operation_model(op).input_shape
        stack = [shape] if shape is not None else []
        seen = set()
        while stack:
            s = stack.pop()
            if s.name in seen:
                continue
            seen.add(s.name)
            if "pattern" in s.metadata:
                found.add(s.metadata["pattern"])
            stack.extend(getattr(s, "members", {}).values())
            for attr in ("member", "key", "value"):
                if hasattr(s, attr):
                    stack.append(getattr(s, attr))
    return found


MODEL_PATTERNS = sorted(all_model_patterns())
# Python's re has no \\p{..}; those patterns are checked against unicodedata below.
RE_COMPATIBLE = [p for p in MODEL_PATTERNS if "\\p{" not in p]


def test_every_pattern_in_the_service_model_compiles():
    assert len(MODEL_PATTERNS) > 5
    for pattern in MODEL_PATTERNS:
        SafePattern(pattern)


@settings(max_examples=300)
@given(
    pattern=st.sampled_from(RE_COMPATIBLE),
    text=st.text(alphabet=st.sampled_from("aZ9_-:/.@+= \n\t$!#%*?\\,é"), max_size=24),
)
def test_agrees_with_python_re_on_every_model_pattern(pattern, text):
    # Short texts keep Python's backtracking engine fast enough to serve as the oracle.
    assert compile_pattern(pattern).search(text) == (re.search(pattern, text, re.ASCII) is not None)


@settings(max_examples=200)
@given(
    text=st.from_regex(
        re.compile(r"arn:aws:ssm-contacts:[a-z0-9-]{0,12}:[0-9]{1,12}:[a-z/]{0,20}"), fullmatch=True
    )
)
def test_generated_arns_match(text):
    assert compile_pattern(ARN_PATTERN).search(text)


def test_work_is_linear_in_input_length_for_a_backtracking_trap(monkeypatch):
    """Count NFA closure computations: they grow linearly, whatever the text."""
    calls = {"n": 0}
    original = patterns._Nfa.closure

    def counting(self, states):
        calls["n"] += 1
        return original(self, states)

    monkeypatch.setattr(patterns._Nfa, "closure", counting)
    anchored = SafePattern("^(" + ARN_PATTERN + ")$")  # anchoring forces a scan of the whole text
    for size in (100, 1000, 10000):
        calls["n"] = 0
        anchored._step_cache.clear()
        text = "arn:aws:ssm-contacts:us-east-1:1:" + "a/" * (size // 2) + "!"
        assert anchored.search(text) is False
        # At most one closure per character (fewer once the lazy DFA has cached its states);
        # a backtracking engine explores exponentially many paths here.
        assert calls["n"] <= len(text) + 1


def test_java_semantics_for_classes_and_dot():
    assert compile_pattern(r"^\w+$").search("abc_09")
    assert not compile_pattern(r"^\w+$").search("é")  # ASCII \w, as Java
    assert not compile_pattern(r"^.$").search("\n")
    assert compile_pattern(r"^[.\s\S]*$").search("line\nline\u2028")


@pytest.mark.parametrize("bad", ["(?=x)", "a^b", "[abc", "(ab", "*a"])
def test_unsupported_or_broken_patterns_are_refused(bad):
    with pytest.raises(PatternError):
        SafePattern(bad)


def test_unicode_categories_as_java():
    p = compile_pattern(r"^[\p{L}\p{Z}\p{N}_.\-]*$")
    assert p.search("Équipe 9_a-b")
    assert p.search("\u00a0")  # no-break space is in Z
    assert not p.search("tab\there")  # \t is a control character, not Z
    assert not compile_pattern(r"^\P{L}+$").search("a1")


def test_counted_repeats():
    p = compile_pattern(r"^a{2,3}$")
    assert [p.search("a" * n) for n in range(5)] == [False, False, True, True, False]
    assert compile_pattern(r"^(ab){2}$").search("abab")
