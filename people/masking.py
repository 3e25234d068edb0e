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
