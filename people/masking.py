"""Masking of personal data for viewers who do not need it (DESIGN.md: masked by default)."""


def mask_phone(phone: str) -> str:
    digits = (phone or "").strip()
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id_number(value: str) -> str:
    value = (value or "").strip()
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def mask_name(name: str) -> str:
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_address(address: str) -> str:
    address = (address or "").strip()
    keep = min(6, len(address) // 2)
    return address[:keep] + "****" if address else ""


# Words in a free-form header (a column an imported ledger kept in a case's details) that mark
# personal data: a party's name, a phone, an ID number.
PERSONAL_WORDS = (
    "姓名",
    "电话",
    "手机",
    "联系方式",
    "当事人",
    "申请人",
    "身份证",
    "被反映人",
    "被投诉人",
)


def is_personal_key(key: str) -> bool:
    return any(word in key for word in PERSONAL_WORDS)


def mask_free_text(text: str) -> str:
    """A value under a personal header: a number masked as a phone, anything else as a name."""
    return mask_phone(text) if any(c.isdigit() for c in text) else mask_name(text)


def mask_details(details: dict) -> dict:
    """``details`` with the values under personal headers masked (other values as they are)."""
    return {
        key: mask_free_text(str(value))
        if is_personal_key(str(key)) and isinstance(value, str | int | float)
        else value
        for key, value in details.items()
    }
