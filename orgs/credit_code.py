"""统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # no I, O, Z, S, V
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="length")
    bad = [ch for ch in code if ch not in ALPHABET]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有非法字符：%(chars)s。"),
            code="charset",
            params={"chars": "".join(sorted(set(bad)))},
        )
    if check_character(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位错误。"), code="checksum")


def make_credit_code(registration_dept: str, kind: str, area_code: str, body9: str) -> str:
    """Build a valid code from its parts (used by demo data and tests)."""
    first17 = f"{registration_dept}{kind}{area_code}{body9}"
    return first17 + check_character(first17)
