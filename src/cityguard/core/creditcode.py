"""Unified social credit code (统一社会信用代码), GB 32100-2015. No Django import.

Eighteen characters: registration authority (1), organisation type (1), the
administrative division code (6), the organisation code of GB 11714 (9, its last
character being that code's own check character), and a check character computed
over the first seventeen with weights 3^i mod 31.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]
_ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class CreditCodeError(ValueError):
    """An invalid code; `code` names the reason (length, character, check)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def normalise(value: str) -> str:
    """Upper-case, strip spaces and full-width forms (users paste from many sources)."""
    out = []
    for ch in value.strip():
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            ch = chr(o - 0xFEE0)
        if ch in " \u3000-":
            continue
        out.append(ch.upper())
    return "".join(out)


def check_character(first17: str) -> str:
    """The 18th character for the first 17 characters of a code."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(first8: str) -> str:
    """The ninth character of a GB 11714 organisation code for its first eight."""
    total = sum(_ORG_ALPHABET.index(c) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    c9 = 11 - total % 11
    return "X" if c9 == 10 else "0" if c9 == 11 else str(c9)


def validate(value: str) -> str:
    """Return the normalised code or raise CreditCodeError."""
    code = normalise(value)
    if len(code) != 18:
        raise CreditCodeError("length", "a unified social credit code has 18 characters")
    bad = [c for c in code if c not in _VALUE]
    if bad:
        raise CreditCodeError("character", f"character {bad[0]!r} is not allowed")
    if check_character(code[:17]) != code[17]:
        raise CreditCodeError("check", "the check character does not match")
    org = code[8:17]
    if all(c in _ORG_ALPHABET for c in org[:8]) and org_code_check(org[:8]) != org[8]:
        raise CreditCodeError("org_check", "the organisation code's check character does not match")
    return code


def make(prefix2: str, division: str, org8: str) -> str:
    """Build a valid code from its parts (used by the demo generator and tests)."""
    body = prefix2 + division + org8 + org_code_check(org8)
    return body + check_character(body)
